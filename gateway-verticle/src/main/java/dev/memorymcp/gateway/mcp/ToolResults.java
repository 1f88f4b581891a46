package dev.memorymcp.gateway.mcp;

import dev.memorymcp.bus.MemoryException;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Building tool results: the text (a summary line plus a line per memory), the structured content as plain
 * Maps and Lists, errors, and the size caps that keep every result bounded.
 */
final class ToolResults {
  private ToolResults() {}

  /** Upper bound of a result's text content in UTF-8 bytes (get_context: bounded by its token budget instead). */
  static final int MAX_TEXT_BYTES = 64 * 1024;
  /** Bytes the JSON part may use, leaving room for the summary line. */
  static final int JSON_BUDGET = MAX_TEXT_BYTES - 2 * 1024;
  /** Characters of a memory's content returned by recall, list and rules (longer: {@code truncated: true}). */
  static final int MAX_CONTENT = 2_000;
  /** Characters of each string inside history events and update changes. */
  static final int MAX_EVENT_STRING = 1_000;
  static final int MAX_SUMMARY = 500;
  static final int MAX_METADATA_BYTES = 2_048;
  static final int MAX_RELATIONS = 20;

  /**
   * A successful result: the text is what a model needs to read (the summary line, then one line per
   * memory or event given), the structured content carries every field. The JSON is not repeated in
   * the text: many clients hand only the text to the model, and the full JSON there cost tokens on
   * every call (issue 17); a client that wants the fields reads structuredContent.
   */
  static McpSchema.CallToolResult ok(String summary, JsonObject structured, List<String> lines) {
    StringBuilder text = new StringBuilder(summary);
    lines.forEach(line -> text.append('\n').append(line));
    return McpSchema.CallToolResult.builder()
        .addTextContent(text.toString())
        .structuredContent(plain(structured))
        .isError(false)
        .build();
  }

  static McpSchema.CallToolResult ok(String summary, JsonObject structured) {
    return ok(summary, structured, List.of());
  }

  /** One line per memory of {@code memories} (see {@link #line}). */
  static List<String> lines(JsonArray memories) {
    List<String> out = new ArrayList<>(memories.size());
    memories.forEach(m -> out.add(line((JsonObject) m)));
    return out;
  }

  /**
   * A memory as a model reads it: {@code - [type] content (id ID, DATE, project P, score 0.812)};
   * the date is the day it was said, so "yesterday" in it can be resolved; continuation lines of a
   * multi-line content are indented so the list stays a list.
   */
  static String line(JsonObject m) {
    StringBuilder b = new StringBuilder("- [").append(m.getString("type", "note")).append("] ")
        .append(m.getString("content", "").replace("\n", "\n  ")).append(" (id ").append(m.getString("id"));
    String created = m.getString("created_at");
    if (created != null) {
      b.append(", ").append(created, 0, Math.min(10, created.length()));
    }
    if (m.getString("scope_id") != null) {
      b.append(", ").append(m.getString("scope", "project")).append(' ').append(m.getString("scope_id"));
    }
    if (m.getValue("score") instanceof Number score) {
      b.append(", score ").append(String.format(Locale.ROOT, "%.3f", score.doubleValue()));
    }
    if (m.getBoolean("truncated", false)) {
      b.append(", cut at ").append(m.getString("content", "").length() - 1).append(" of ")
          .append(m.getInteger("content_chars")).append(" characters");
    }
    return b.append(')').toString();
  }

  /** A successful result whose text is given as is (get_context's ready-to-inject block). */
  static McpSchema.CallToolResult okText(String text, JsonObject structured) {
    return McpSchema.CallToolResult.builder().addTextContent(text)
        .structuredContent(plain(structured)).isError(false).build();
  }

  /** A tool error naming the field (bad input) or carrying the service's message. */
  static McpSchema.CallToolResult error(Throwable err) {
    MemoryException me = MemoryException.from(err);
    StringBuilder text = new StringBuilder("Error ").append(me.error());
    String field = me.details().getString("field");
    if (field != null) {
      text.append(" (field ").append(field).append(')');
    }
    text.append(": ").append(me.getMessage());
    return McpSchema.CallToolResult.builder().addTextContent(text.toString()).isError(true).build();
  }

  /** Deep conversion to plain Maps / Lists (what the SDK's Jackson mapper serialises faithfully). */
  static Map<String, Object> plain(JsonObject j) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) plainValue(j);
    return m;
  }

  private static Object plainValue(Object v) {
    if (v instanceof JsonObject o) {
      return plainValue(o.getMap());
    }
    if (v instanceof JsonArray a) {
      return plainValue(a.getList());
    }
    if (v instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, x) -> out.put(String.valueOf(k), plainValue(x)));
      return out;
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(x -> out.add(plainValue(x)));
      return out;
    }
    return v;
  }

  /** A memory for tool output: content capped at {@code maxContent} chars, bulky fields bounded. */
  static JsonObject memory(JsonObject m, int maxContent) {
    JsonObject o = m.copy();
    o.remove("namespace");
    o.remove("embedding_model");
    String content = o.getString("content", "");
    if (content.length() > maxContent) {
      o.put("content", cut(content, maxContent)).put("truncated", true).put("content_chars", content.length());
    }
    String summary = o.getString("summary");
    if (summary != null && summary.length() > MAX_SUMMARY) {
      o.put("summary", cut(summary, MAX_SUMMARY));
    }
    JsonObject meta = o.getJsonObject("metadata");
    if (meta != null && meta.encode().length() > MAX_METADATA_BYTES) {
      o.put("metadata", new JsonObject().put("_omitted", "metadata larger than " + MAX_METADATA_BYTES
          + " bytes; read it with list_memories filters or the REST API"));
    }
    JsonArray rels = o.getJsonArray("relations");
    if (rels != null && rels.size() > MAX_RELATIONS) {
      o.put("relations", new JsonArray(rels.getList().subList(0, MAX_RELATIONS)));
    }
    return o;
  }

  static JsonArray memories(JsonArray in, int maxContent) {
    JsonArray out = new JsonArray();
    for (Object o : in) {
      out.add(memory((JsonObject) o, maxContent));
    }
    return out;
  }

  /** Every string deeper than {@code max} characters cut (history events, update changes). */
  static Object clip(Object v, int max) {
    if (v instanceof String s) {
      return s.length() <= max ? s : cut(s, max) + " [+" + (s.length() - max) + " chars]";
    }
    if (v instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), clip(e.getValue(), max)));
      return out;
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(x -> out.add(clip(x, max)));
      return out;
    }
    return v;
  }

  /** The first {@code max} characters, never splitting a surrogate pair, plus an ellipsis. */
  static String cut(String s, int max) {
    int end = max;
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "…";
  }

  static int bytes(Object json) {
    String s = json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode()
        : String.valueOf(json);
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * How many leading items of {@code items} fit when added to {@code envelope} (the rest of the
   * reply) within {@link #JSON_BUDGET}.
   */
  static int fitting(JsonObject envelope, JsonArray items) {
    int used = bytes(envelope) + 16;
    int n = 0;
    for (Object o : items) {
      used += bytes(o) + 1;
      if (used > JSON_BUDGET) {
        break;
      }
      n++;
    }
    return n;
  }

  static JsonArray head(JsonArray a, int n) {
    return n >= a.size() ? a : new JsonArray(new ArrayList<>(a.getList().subList(0, n)));
  }
}
