package dev.memorymcp.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pure packing step: budget split between scopes, skipping what does not fit, the token bound. */
@DisplayName("ContextPacker")
class ContextPackerTest {

  static JsonObject mem(String id, String scope, String type, String content, double score) {
    return new JsonObject().put("id", id).put("scope", scope).put("type", type)
        .put("content", content).put("score", score);
  }

  static String words(int n, String word) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(word).append(' ');
    }
    return sb.toString().strip();
  }

  static List<String> ids(JsonObject packed) {
    return packed.getJsonArray("memories").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  @DisplayName("never exceeds max_tokens, counted with cl100k_base on the whole block")
  void respectsBudget() {
    List<JsonObject> cands = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      cands.add(mem("p" + i, i % 3 == 0 ? "project" : i % 3 == 1 ? "team" : "global", "fact",
          "Memory number " + i + " says " + words(15 + i, "alpha"), 1.0 - i / 100.0));
    }
    for (int max : new int[] {100, 150, 300, 1000}) {
      JsonObject r = ContextPacker.pack(cands, max);
      assertThat(r.getInteger("used_tokens")).isLessThanOrEqualTo(max);
      assertThat(ContextPacker.countTokens(r.getString("context"))).isEqualTo(r.getInteger("used_tokens"));
      assertThat(r.getInteger("max_tokens")).isEqualTo(max);
      assertThat(r.getInteger("omitted") + r.getJsonArray("memories").size()).isEqualTo(30);
    }
  }

  @Test
  @DisplayName("project memories come first, then team, then global, each most relevant first")
  void scopeOrder() {
    List<JsonObject> cands = List.of(
        mem("g1", "global", "fact", "global fact one", 0.9),
        mem("t1", "team", "rule", "team rule one", 0.8),
        mem("p1", "project", "decision", "We use PostgreSQL 16", 0.7),
        mem("p2", "project", "decision", "We deploy on Fridays", 0.6).put("created_at", "2026-03-02T19:00:00.000Z"));
    JsonObject r = ContextPacker.pack(cands, 500);
    assertThat(ids(r)).containsExactly("p1", "p2", "t1", "g1");
    // each line carries the day it was said, when known, so "yesterday" in it can be resolved
    assertThat(r.getString("context")).startsWith("Relevant memories:\n- [decision] We use PostgreSQL 16 (id p1)\n"
        + "- [decision] We deploy on Fridays (id p2, 2026-03-02)\n");
    assertThat(r.getInteger("omitted")).isZero();
  }

  @Test
  @DisplayName("a memory too large for the budget is skipped, smaller later ones still fit")
  void skipsOversized() {
    List<JsonObject> cands = List.of(
        mem("big", "project", "note", words(400, "lorem"), 0.9),
        mem("small", "project", "note", "short note", 0.5));
    JsonObject r = ContextPacker.pack(cands, 120);
    assertThat(ids(r)).containsExactly("small");
    assertThat(r.getInteger("omitted")).isEqualTo(1);
  }

  @Test
  @DisplayName("the share of a scope without candidates flows to the others")
  void unusedShareFlows() {
    List<JsonObject> cands = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      cands.add(mem("g" + i, "global", "fact", "global " + words(30, "beta"), 1 - i / 10.0));
    }
    // only global has candidates: it gets the whole budget, not just its 25%
    JsonObject r = ContextPacker.pack(cands, 400);
    assertThat(r.getInteger("used_tokens")).isGreaterThan(300).isLessThanOrEqualTo(400);
  }

  @Test
  @DisplayName("a scope's share is reserved: project fills at most about half when others have candidates")
  void sharesSplit() {
    List<JsonObject> cands = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      cands.add(mem("p" + i, "project", "fact", "project " + words(30, "gamma"), 1 - i / 10.0));
      cands.add(mem("g" + i, "global", "fact", "global " + words(30, "delta"), 1 - i / 10.0));
    }
    JsonObject r = ContextPacker.pack(cands, 400);
    long project = ids(r).stream().filter(id -> id.startsWith("p")).count();
    long global = ids(r).stream().filter(id -> id.startsWith("g")).count();
    // project 50% and global 25% of a budget only they use: 2/3 vs 1/3
    assertThat(project).isGreaterThan(global);
    assertThat(global).isGreaterThan(0);
  }

  @Test
  @DisplayName("no candidates: an empty context and zero tokens")
  void empty() {
    JsonObject r = ContextPacker.pack(List.of(), 2000);
    assertThat(r.getString("context")).isEmpty();
    assertThat(r.getInteger("used_tokens")).isZero();
    assertThat(r.getJsonArray("memories")).isEmpty();
  }
}
