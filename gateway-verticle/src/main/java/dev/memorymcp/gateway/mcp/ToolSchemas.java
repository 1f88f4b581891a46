package dev.memorymcp.gateway.mcp;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * JSON Schema (2020-12) fragments for the tools: small builders for the input schemas and the
 * shared output shapes (a memory, a relation, an event). Every schema is a plain
 * {@link LinkedHashMap}, so it serialises in the order it reads.
 */
final class ToolSchemas {
  private ToolSchemas() {}

  static final List<String> TYPES = new ArrayList<>(new TreeSet<>(Memory.TYPES));
  static final List<String> SCOPES = List.of("global", "team", "project");

  /** A map from alternating keys and values. */
  static Map<String, Object> m(Object... kv) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put((String) kv[i], kv[i + 1]);
    }
    return out;
  }

  /** An input object: the given properties, the required ones, nothing else accepted. */
  static Map<String, Object> input(Map<String, Object> props, String... required) {
    Map<String, Object> s = m("type", "object", "properties", props);
    if (required.length > 0) {
      s.put("required", List.of(required));
    }
    s.put("additionalProperties", false);
    return s;
  }

  /** An output object: the given properties and required keys; extra keys are allowed. */
  static Map<String, Object> output(Map<String, Object> props, String... required) {
    Map<String, Object> s = m("type", "object", "properties", props);
    if (required.length > 0) {
      s.put("required", List.of(required));
    }
    return s;
  }

  static Map<String, Object> str(String description, int maxLength) {
    return m("type", "string", "maxLength", maxLength, "description", description);
  }

  static Map<String, Object> nonEmpty(String description, int maxLength) {
    return m("type", "string", "minLength", 1, "maxLength", maxLength, "description", description);
  }

  static Map<String, Object> oneOf(String description, List<String> values) {
    return m("type", "string", "enum", values, "description", description);
  }

  static Map<String, Object> integer(String description, int min, int max, Integer dflt) {
    Map<String, Object> s = m("type", "integer", "minimum", min, "maximum", max);
    if (dflt != null) {
      s.put("default", dflt);
    }
    s.put("description", description);
    return s;
  }

  static Map<String, Object> unit(String description) {
    return m("type", "number", "minimum", 0, "maximum", 1, "description", description);
  }

  static Map<String, Object> bool(String description, boolean dflt) {
    return m("type", "boolean", "default", dflt, "description", description);
  }

  static Map<String, Object> strings(String description, int maxItems, int maxLength) {
    return m("type", "array", "items", m("type", "string", "minLength", 1, "maxLength", maxLength),
        "maxItems", maxItems, "description", description);
  }

  static Map<String, Object> enums(String description, List<String> values, int maxItems) {
    return m("type", "array", "items", m("type", "string", "enum", values), "maxItems", maxItems,
        "description", description);
  }

  static Map<String, Object> anyObject(String description) {
    return m("type", "object", "description", description);
  }

  static Map<String, Object> time(String description) {
    return m("type", "string", "maxLength", 64, "description", description);
  }

  /** The filter properties shared by recall's {@code filters} and list_memories. */
  static Map<String, Object> filterProps() {
    return m(
        "type", oneOf("Only memories of this type.", TYPES),
        "types", enums("Only memories of any of these types.", TYPES, 16),
        "scope", oneOf("Only memories of this scope.", SCOPES),
        "scope_id", str("Only memories of this project/team id.", MemoryInput.MAX_SHORT),
        "tags", strings("Only memories carrying every one of these tags.", 32, 64),
        "category", str("Only memories of this category.", 64),
        "since", time("Created at or after this ISO-8601 time, e.g. 2026-01-31T00:00:00Z."),
        "until", time("Created at or before this ISO-8601 time."),
        "min_importance", unit("Only memories with importance >= this."),
        "min_confidence", unit("Only memories with confidence >= this."),
        "session_id", str("Only memories remembered in this session.", MemoryInput.MAX_SHORT),
        "include_expired", bool("Include memories whose expires_at has passed.", false));
  }

  // ---- output shapes ----

  static Map<String, Object> nullable(String type) {
    return m("type", List.of(type, "null"));
  }

  /** A memory as the tools return it (content capped; see {@link ToolResults#memory}). */
  static Map<String, Object> memory() {
    return output(m(
        "id", m("type", "string"), "type", m("type", "string"), "scope", m("type", "string"),
        "scope_id", nullable("string"), "name", nullable("string"), "content", m("type", "string"),
        "summary", nullable("string"), "tags", m("type", "array", "items", m("type", "string")),
        "category", nullable("string"), "importance", m("type", "number"),
        "confidence", m("type", "number"), "metadata", m("type", "object"),
        "source", nullable("string"), "session_id", nullable("string"),
        "created_at", nullable("string"), "updated_at", nullable("string"),
        "expires_at", nullable("string"), "access_count", m("type", "integer"),
        "last_accessed", nullable("string"), "score", m("type", "number"),
        "truncated", m("type", "boolean"), "content_chars", m("type", "integer"),
        "relations", m("type", "array", "items", relation())),
        "id", "type", "scope", "content");
  }

  static Map<String, Object> memories() {
    return m("type", "array", "items", memory());
  }

  static Map<String, Object> relation() {
    return output(m("source_id", m("type", "string"), "target_id", m("type", "string"),
        "relation_type", m("type", "string"), "properties", m("type", "object"),
        "confidence", m("type", "number"), "created_at", nullable("string")),
        "source_id", "target_id", "relation_type");
  }

  static Map<String, Object> relations() {
    return m("type", "array", "items", relation());
  }

  static Map<String, Object> event() {
    return output(m("seq", m("type", "integer"), "memory_id", m("type", "string"),
        "type", m("type", "string", "enum", List.of("CREATE", "UPDATE", "MERGE", "ACCESS", "DELETE")),
        "actor", nullable("string"), "session_id", nullable("string"), "data", m("type", "object"),
        "at", m("type", "string")), "type", "data", "at");
  }
}
