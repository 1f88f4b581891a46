package dev.memorymcp.gateway.mcp;

import dev.memorymcp.bus.Memory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * JSON Schema (2020-12) fragments for the tools: small builders for the input schemas and the
 * output shapes. Every schema is a plain {@link LinkedHashMap}, so it serialises in the order it
 * reads. A {@code null} description leaves the key out: a parameter whose name says it all costs
 * no words.
 */
final class ToolSchemas {
  private ToolSchemas() {}

  static final List<String> TYPES = new ArrayList<>(new TreeSet<>(Memory.TYPES));
  static final List<String> SCOPES = List.of("global", "team", "project");
  static final Map<String, Object> STRING = Map.of("type", "string");
  static final Map<String, Object> INTEGER = Map.of("type", "integer");
  static final Map<String, Object> BOOLEAN = Map.of("type", "boolean");
  static final Map<String, Object> ARRAY = Map.of("type", "array");

  /** A map from alternating keys and values. */
  static Map<String, Object> m(Object... kv) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put((String) kv[i], kv[i + 1]);
    }
    return out;
  }

  static Map<String, Object> described(Map<String, Object> schema, String description) {
    if (description != null) {
      schema.put("description", description);
    }
    return schema;
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

  static Map<String, Object> str(String description) {
    return described(m("type", "string"), description);
  }

  static Map<String, Object> oneOf(String description, List<String> values) {
    return described(m("type", "string", "enum", values), description);
  }

  static Map<String, Object> integer(int min, int max, Integer dflt) {
    Map<String, Object> s = m("type", "integer", "minimum", min, "maximum", max);
    if (dflt != null) {
      s.put("default", dflt);
    }
    return s;
  }

  static Map<String, Object> unit(String description) {
    return described(m("type", "number", "minimum", 0, "maximum", 1), description);
  }

  static Map<String, Object> bool(String description) {
    return described(m("type", "boolean"), description);
  }

  static Map<String, Object> strings(String description) {
    return described(m("type", "array", "items", STRING), description);
  }

  static Map<String, Object> anyObject(String description) {
    return described(m("type", "object"), description);
  }

  static Map<String, Object> time(String description) {
    return str(description);
  }

  /**
   * The filter properties shared by recall's {@code filters} and list_memories: the ones agents use
   * (REST also takes types, min_confidence and include_expired).
   */
  static Map<String, Object> filterProps() {
    return m(
        "type", str("A memory type, as in remember."),
        "scope", oneOf(null, SCOPES),
        "scope_id", str(null),
        "tags", strings("All of these."),
        "category", str(null),
        "since", time("ISO-8601."),
        "until", time("ISO-8601."),
        "min_importance", unit(null),
        "session_id", str(null));
  }

  // ---- output shapes ----

  /**
   * A value of {@code type} or null, as {@code anyOf} branches: a {@code type} array is legal JSON Schema but
   * clients that map schemas onto a one-type dialect (Gemini's function declarations) reject it
   * (the MCP Inspector's {@code --strict} check).
   */
  static Map<String, Object> nullable(String type) {
    return m("anyOf", List.of(m("type", type), m("type", "null")));
  }

  /** A memory as the tools return it (content capped; see {@link ToolResults#memory}). */
  static Map<String, Object> memory() {
    return output(m("id", STRING, "content", STRING), "id", "content");
  }

  static Map<String, Object> memories() {
    return m("type", "array", "items", memory());
  }
}
