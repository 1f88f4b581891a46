package dev.memorymcp.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated request to remember something. {@link #parse} is the one place where the body of
 * {@code POST /api/v1/memories} (and the MCP remember tool) is checked; the store parses again, so
 * nothing unchecked is ever written.
 */
public record MemoryInput(
    String content, String type, String scope, String scopeId, String name, String summary,
    List<String> tags, String category, double importance, double confidence, JsonObject metadata,
    String source, String sessionId, Long createdAt, Long expiresAt, List<RelationRef> relations) {

  /** Limits, documented in the README. */
  public static final int MAX_CONTENT = 20_000;
  public static final int MAX_SHORT = 200;
  public static final int MAX_SUMMARY = 2_000;
  public static final int MAX_TAGS = 32;
  public static final int MAX_METADATA_BYTES = 16_384;
  public static final int MAX_RELATIONS = 32;

  public static final Set<String> FIELDS = Set.of("content", "type", "scope", "scope_id", "name",
      "summary", "tags", "category", "importance", "confidence", "metadata", "source", "session_id",
      "created_at", "expires_at", "relations");

  /** A relation to create together with the memory. */
  public record RelationRef(String targetId, String type) {
    public JsonObject toJson() {
      return new JsonObject().put("target_id", targetId).put("type", type);
    }
  }

  public static MemoryInput parse(JsonObject j) {
    if (j == null) {
      throw MemoryException.invalidField("body", "must be a JSON object");
    }
    Fields.rejectUnknown(j, FIELDS);
    String content = Fields.requireString(j, "content", MAX_CONTENT).strip();
    String type = orElse(Fields.optEnum(j, "type", Memory.TYPES), "note");
    String scope = orElse(Fields.optEnum(j, "scope", Memory.SCOPES), "global");
    String source = orElse(Fields.optEnum(j, "source", Memory.SOURCES), "manual");
    Double importance = Fields.optUnit(j, "importance");
    Double confidence = Fields.optUnit(j, "confidence");
    List<String> tags = Fields.optStrings(j, "tags", MAX_TAGS, 64);
    JsonObject metadata = Fields.optObject(j, "metadata");
    if (metadata != null && metadata.encode().length() > MAX_METADATA_BYTES) {
      throw MemoryException.invalidField("metadata", "larger than " + MAX_METADATA_BYTES + " bytes");
    }
    return new MemoryInput(content, type, scope, Fields.optString(j, "scope_id", MAX_SHORT),
        Fields.optString(j, "name", MAX_SHORT), Fields.optString(j, "summary", MAX_SUMMARY),
        tags == null ? List.of() : tags, Fields.optString(j, "category", 64),
        importance == null ? 0.5 : importance, confidence == null ? 1.0 : confidence,
        metadata == null ? new JsonObject() : metadata, source,
        Fields.optString(j, "session_id", MAX_SHORT), Fields.optInstant(j, "created_at"),
        Fields.optInstant(j, "expires_at"), relations(j));
  }

  private static List<RelationRef> relations(JsonObject j) {
    JsonArray a = Fields.optArray(j, "relations");
    if (a == null) {
      return List.of();
    }
    if (a.size() > MAX_RELATIONS) {
      throw MemoryException.invalidField("relations", "at most " + MAX_RELATIONS + " items");
    }
    List<RelationRef> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof JsonObject r)) {
        throw MemoryException.invalidField("relations[" + i + "]", "must be an object {target_id, type}");
      }
      String target = Fields.requireString(r, "target_id", MAX_SHORT);
      String rtype = orElse(Fields.optString(r, "type", 64), "related_to");
      out.add(new RelationRef(target, Relations.checkType("relations[" + i + "].type", rtype)));
    }
    return out;
  }

  /** The same input with the content replaced (secret masking). */
  public MemoryInput withContent(String newContent) {
    return new MemoryInput(newContent, type, scope, scopeId, name, summary, tags, category,
        importance, confidence, metadata, source, sessionId, createdAt, expiresAt, relations);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("content", content).put("type", type).put("scope", scope)
        .put("tags", new JsonArray(List.copyOf(tags))).put("importance", importance)
        .put("confidence", confidence).put("metadata", metadata.copy()).put("source", source);
    putIf(j, "scope_id", scopeId);
    putIf(j, "name", name);
    putIf(j, "summary", summary);
    putIf(j, "category", category);
    putIf(j, "session_id", sessionId);
    putIf(j, "created_at", Fields.iso(createdAt));
    putIf(j, "expires_at", Fields.iso(expiresAt));
    if (!relations.isEmpty()) {
      j.put("relations", new JsonArray(relations.stream().map(RelationRef::toJson).toList()));
    }
    return j;
  }

  static void putIf(JsonObject j, String k, Object v) {
    if (v != null) {
      j.put(k, v);
    }
  }

  static String orElse(String v, String dflt) {
    return v == null ? dflt : v;
  }
}
