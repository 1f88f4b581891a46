package dev.memorymcp.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * A stored memory. Times are epoch milliseconds inside, ISO-8601 in JSON. The JSON form (snake
 * case) is the same on the bus and in the REST API.
 */
public record Memory(
    String id, String namespace, String scope, String scopeId, String type, String name,
    String content, String summary, List<String> tags, String category, double importance,
    double confidence, JsonObject metadata, String source, String sessionId, long createdAt,
    long updatedAt, Long expiresAt, long accessCount, Long lastAccessed, String embeddingModel) {

  public static final Set<String> TYPES = Set.of("decision", "work", "knowledge", "fact",
      "preference", "person", "project", "concept", "event", "note", "rule");
  public static final Set<String> SCOPES = Set.of("global", "team", "project");
  public static final Set<String> SOURCES = Set.of("manual", "ingest", "import");

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id).put("namespace", namespace).put("scope", scope).put("scope_id", scopeId)
        .put("type", type).put("name", name).put("content", content).put("summary", summary)
        .put("tags", new JsonArray(List.copyOf(tags))).put("category", category)
        .put("importance", importance).put("confidence", confidence)
        .put("metadata", metadata == null ? new JsonObject() : metadata.copy())
        .put("source", source).put("session_id", sessionId)
        .put("created_at", Fields.iso(createdAt)).put("updated_at", Fields.iso(updatedAt))
        .put("expires_at", Fields.iso(expiresAt)).put("access_count", accessCount)
        .put("last_accessed", Fields.iso(lastAccessed)).put("embedding_model", embeddingModel);
  }

  public static Memory fromJson(JsonObject j) {
    List<String> tags = j.getJsonArray("tags", new JsonArray()).stream().map(String::valueOf).toList();
    return new Memory(j.getString("id"), j.getString("namespace"), j.getString("scope"),
        j.getString("scope_id"), j.getString("type"), j.getString("name"), j.getString("content"),
        j.getString("summary"), tags, j.getString("category"), j.getDouble("importance", 0.5),
        j.getDouble("confidence", 1.0), j.getJsonObject("metadata", new JsonObject()),
        j.getString("source"), j.getString("session_id"), time(j, "created_at"),
        time(j, "updated_at"), optTime(j, "expires_at"), j.getLong("access_count", 0L),
        optTime(j, "last_accessed"), j.getString("embedding_model"));
  }

  private static long time(JsonObject j, String field) {
    Long t = optTime(j, field);
    return t == null ? 0L : t;
  }

  private static Long optTime(JsonObject j, String field) {
    String s = j.getString(field);
    return s == null ? null : Fields.parseInstant(field, s);
  }

  /** True once {@code expires_at} has passed. */
  public boolean expired(long now) {
    return expiresAt != null && expiresAt <= now;
  }
}
