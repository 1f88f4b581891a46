package dev.memorymcp.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * Recall and list filters. {@code types}: any of; {@code tags}: every one of; {@code since} /
 * {@code until}: created_at bounds (epoch ms); expired memories are out unless
 * {@code includeExpired}; {@code scopeIds}: any of (null: no condition; empty: nothing matches,
 * which is what a key limited to other scope ids gets).
 */
public record Filters(List<String> types, String scope, String scopeId, List<String> tags,
    String category, Long since, Long until, Double minImportance, Double minConfidence,
    String sessionId, boolean includeExpired, List<String> scopeIds) {

  public static final Filters NONE = new Filters(List.of(), null, null, List.of(), null, null, null,
      null, null, null, false);

  public static final Set<String> FIELDS = Set.of("type", "types", "scope", "scope_id", "scope_ids", "tags",
      "category", "since", "until", "min_importance", "min_confidence", "session_id",
      "include_expired");

  public Filters {
    scopeIds = scopeIds == null ? null : List.copyOf(scopeIds);
  }

  /** Filters without a scope-id list. */
  public Filters(List<String> types, String scope, String scopeId, List<String> tags, String category,
      Long since, Long until, Double minImportance, Double minConfidence, String sessionId,
      boolean includeExpired) {
    this(types, scope, scopeId, tags, category, since, until, minImportance, minConfidence, sessionId,
        includeExpired, null);
  }

  /** The same filters with memories limited to these scope ids (empty: none). */
  public Filters withScopeIds(List<String> ids) {
    return new Filters(types, scope, scopeId, tags, category, since, until, minImportance, minConfidence,
        sessionId, includeExpired, ids);
  }

  /** The same filters narrowed to one conversation. */
  public Filters withSessionId(String id) {
    return new Filters(types, scope, scopeId, tags, category, since, until, minImportance, minConfidence,
        id, includeExpired, scopeIds);
  }

  /** The most scope ids one filter (or one key's grant) may list. */
  public static final int MAX_SCOPE_IDS = 64;

  /** Parses filters; errors name the field as {@code <prefix>.<field>}. */
  public static Filters parse(JsonObject j, String prefix) {
    if (j == null) {
      return NONE;
    }
    try {
      Fields.rejectUnknown(j, FIELDS);
      List<String> types;
      if (j.getValue("type") instanceof JsonArray || j.getValue("types") != null) {
        String key = j.getValue("types") != null ? "types" : "type";
        types = Fields.optStrings(j, key, 16, 32);
        for (String t : types) {
          if (!Memory.TYPES.contains(t)) {
            throw MemoryException.invalidField(key, "must be among " + Memory.TYPES);
          }
        }
      } else {
        String t = Fields.optEnum(j, "type", Memory.TYPES);
        types = t == null ? List.of() : List.of(t);
      }
      List<String> tags = Fields.optStrings(j, "tags", 32, 64);
      Boolean inclExpired = Fields.optBool(j, "include_expired");
      return new Filters(types, Fields.optEnum(j, "scope", Memory.SCOPES),
          Fields.optString(j, "scope_id", MemoryInput.MAX_SHORT), tags == null ? List.of() : tags,
          Fields.optString(j, "category", 64), Fields.optInstant(j, "since"),
          Fields.optInstant(j, "until"), Fields.optUnit(j, "min_importance"),
          Fields.optUnit(j, "min_confidence"), Fields.optString(j, "session_id", MemoryInput.MAX_SHORT),
          inclExpired != null && inclExpired, Fields.optStrings(j, "scope_ids", MAX_SCOPE_IDS, MemoryInput.MAX_SHORT));
    } catch (MemoryException e) {
      String field = e.details().getString("field", "");
      throw MemoryException.invalidField(prefix + "." + field,
          e.getMessage().substring(e.getMessage().indexOf(':') + 2));
    }
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    if (!types.isEmpty()) {
      j.put("types", new JsonArray(List.copyOf(types)));
    }
    MemoryInput.putIf(j, "scope", scope);
    MemoryInput.putIf(j, "scope_id", scopeId);
    if (scopeIds != null) {
      j.put("scope_ids", new JsonArray(scopeIds));
    }
    if (!tags.isEmpty()) {
      j.put("tags", new JsonArray(List.copyOf(tags)));
    }
    MemoryInput.putIf(j, "category", category);
    MemoryInput.putIf(j, "since", Fields.iso(since));
    MemoryInput.putIf(j, "until", Fields.iso(until));
    MemoryInput.putIf(j, "min_importance", minImportance);
    MemoryInput.putIf(j, "min_confidence", minConfidence);
    MemoryInput.putIf(j, "session_id", sessionId);
    if (includeExpired) {
      j.put("include_expired", true);
    }
    return j;
  }

  /** Whether a memory passes; the in-memory vector index and the SQL filters must agree with this. */
  public boolean test(Memory m, long now) {
    return (types.isEmpty() || types.contains(m.type()))
        && (scope == null || scope.equals(m.scope()))
        && (scopeId == null || scopeId.equals(m.scopeId()))
        && (scopeIds == null || m.scopeId() != null && scopeIds.contains(m.scopeId()))
        && (tags.isEmpty() || m.tags().containsAll(tags))
        && (category == null || category.equals(m.category()))
        && (since == null || m.createdAt() >= since)
        && (until == null || m.createdAt() <= until)
        && (minImportance == null || m.importance() >= minImportance)
        && (minConfidence == null || m.confidence() >= minConfidence)
        && (sessionId == null || sessionId.equals(m.sessionId()))
        && (includeExpired || !m.expired(now));
  }
}
