package dev.memorymcp.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.MemoryException;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Result shaping: content caps, the 64 KiB bound, plain structured content, error texts. */
@DisplayName("ToolResults")
class ToolResultsTest {

  static JsonObject bulky(int i) {
    return new JsonObject().put("id", "m" + i).put("namespace", "ns").put("type", "note").put("scope", "global")
        .put("content", "c".repeat(20_000)).put("summary", "s".repeat(2_000))
        .put("metadata", new JsonObject().put("blob", "m".repeat(15_000)))
        .put("tags", new JsonArray(List.of("t".repeat(64), "u".repeat(64)))).put("embedding_model", "e5");
  }

  @Test
  @DisplayName("a memory's content is cut at 2,000 characters and flagged; bulky metadata replaced")
  void compactsMemory() {
    JsonObject m = ToolResults.memory(bulky(1), ToolResults.MAX_CONTENT);
    assertThat(m.getString("content")).hasSize(2_001);
    assertThat(m.getBoolean("truncated")).isTrue();
    assertThat(m.getInteger("content_chars")).isEqualTo(20_000);
    assertThat(m.getString("summary")).hasSize(ToolResults.MAX_SUMMARY + 1);
    assertThat(m.getJsonObject("metadata").containsKey("blob")).isFalse();
    assertThat(m.containsKey("namespace")).isFalse();
    JsonObject small = ToolResults.memory(new JsonObject().put("id", "x").put("content", "short"), 2_000);
    assertThat(small.containsKey("truncated")).isFalse();
  }

  @Test
  @DisplayName("fitting keeps a list of 50 compacted memories under the JSON budget")
  void fitsBudget() {
    JsonArray ms = new JsonArray();
    for (int i = 0; i < 50; i++) {
      ms.add(ToolResults.memory(bulky(i), ToolResults.MAX_CONTENT));
    }
    JsonObject env = new JsonObject().put("search_type", "hybrid").put("took_ms", 3);
    int n = ToolResults.fitting(env, ms);
    assertThat(n).isBetween(1, 49);
    env.put("results", ToolResults.head(ms, n));
    McpSchema.CallToolResult r = ToolResults.ok("summary", env);
    String text = ((McpSchema.TextContent) r.content().get(0)).text();
    assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ToolResults.MAX_TEXT_BYTES);
  }

  @Test
  @DisplayName("the text is one line per memory with what a model needs (content, id, date, scope, score), no JSON")
  void compactText() {
    JsonArray ms = new JsonArray()
        .add(new JsonObject().put("id", "m1").put("type", "preference").put("content", "Prefers tabs\nin Go too")
            .put("created_at", "2026-11-02T10:15:00Z").put("scope", "project").put("scope_id", "acme")
            .put("score", 0.81234).put("tags", new JsonArray().add("style")).put("importance", 0.7))
        .add(ToolResults.memory(bulky(2), 100));
    McpSchema.CallToolResult r = ToolResults.ok("2 memories found.", new JsonObject().put("results", ms),
        ToolResults.lines(ms));
    String text = ((McpSchema.TextContent) r.content().get(0)).text();
    assertThat(text.split("\n")).containsExactly("2 memories found.",
        "- [preference] Prefers tabs", "  in Go too (id m1, 2026-11-02, project acme, score 0.812)",
        "- [note] " + "c".repeat(100) + "… (id m2, cut at 100 of 20000 characters)");
    assertThat(text).doesNotContain("{").doesNotContain("importance").doesNotContain("style");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> structured = (List<Map<String, Object>>) ((Map<String, Object>) r.structuredContent()).get("results");
    assertThat(structured.get(0)).containsEntry("importance", 0.7).containsKey("tags");
  }

  @Test
  @DisplayName("structured content is plain Maps and Lists, deep")
  @SuppressWarnings("unchecked")
  void plain() {
    JsonObject j = new JsonObject().put("a", new JsonArray().add(new JsonObject().put("b", 1)))
        .put("c", new JsonObject().put("d", new JsonArray().add("e")));
    Map<String, Object> m = ToolResults.plain(j);
    Object a0 = ((List<Object>) m.get("a")).get(0);
    assertThat(a0).isInstanceOf(Map.class).isNotInstanceOf(JsonObject.class);
    assertThat(((Map<String, Object>) m.get("c")).get("d")).isInstanceOf(List.class).isNotInstanceOf(JsonArray.class);
  }

  @Test
  @DisplayName("errors are isError results naming the field; long strings in events are clipped")
  void errorsAndClip() {
    McpSchema.CallToolResult r = ToolResults.error(MemoryException.invalidField("importance", "must be between 0 and 1, got 2.0"));
    assertThat(r.isError()).isTrue();
    assertThat(((McpSchema.TextContent) r.content().get(0)).text())
        .isEqualTo("Error INVALID_FIELD (field importance): importance: must be between 0 and 1, got 2.0");
    JsonObject clipped = (JsonObject) ToolResults.clip(new JsonObject().put("data",
        new JsonObject().put("x", "y".repeat(5_000))), 1_000);
    assertThat(clipped.getJsonObject("data").getString("x")).startsWith("y".repeat(1_000) + "…").endsWith("[+4000 chars]");
  }
}
