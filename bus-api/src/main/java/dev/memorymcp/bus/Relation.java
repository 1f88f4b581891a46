package dev.memorymcp.bus;

import io.vertx.core.json.JsonObject;

/** A directed, typed link between two memories of one namespace; unique per (source, target, type). */
public record Relation(String namespace, String sourceId, String targetId, String type,
    JsonObject properties, double confidence, long createdAt) {

  public JsonObject toJson() {
    return new JsonObject().put("source_id", sourceId).put("target_id", targetId)
        .put("relation_type", type).put("properties", properties == null ? new JsonObject() : properties)
        .put("confidence", confidence).put("created_at", Fields.iso(createdAt));
  }
}
