package dev.memorymcp.search.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Memory;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("fusion and reranking")
class FusionAndRerankTest {
  static final List<Fusion.Hit> DENSE = List.of(new Fusion.Hit("a", 0.90), new Fusion.Hit("c", 0.88), new Fusion.Hit("b", 0.80));
  static final List<Fusion.Hit> KEYWORD = List.of(new Fusion.Hit("c", 9.0), new Fusion.Hit("d", 3.0));

  @Test
  @DisplayName("weighted fusion: an item strong in both lists wins; weights move the balance")
  void weighted() {
    assertThat(Fusion.fuse(DENSE, KEYWORD, Fusion.Method.WEIGHTED, 0.5, 10).keySet()).first().isEqualTo("c");
    assertThat(Fusion.fuse(DENSE, KEYWORD, Fusion.Method.WEIGHTED, 1.0, 10).keySet()).first().isEqualTo("a");
    assertThat(Fusion.fuse(DENSE, KEYWORD, Fusion.Method.WEIGHTED, 0.0, 10).keySet()).first().isEqualTo("c");
  }

  @Test
  @DisplayName("reciprocal rank fusion uses ranks, not scores")
  void rrf() {
    var fused = Fusion.fuse(DENSE, KEYWORD, Fusion.Method.RRF, 0.5, 10);
    assertThat(fused.keySet()).first().isEqualTo("c");
    assertThat(fused).containsKeys("a", "b", "c", "d");
  }

  static Memory mem(String id, double importance, long created) {
    return new Memory(id, "n", "global", null, "note", null, "text " + id, null, List.of(), null,
        importance, 1, new JsonObject(), "manual", null, created, created, null, 0, null, "m");
  }

  @Test
  @DisplayName("importance breaks near-ties; a near-duplicate of a better result is dropped")
  void rerank() {
    long now = System.currentTimeMillis();
    Reranker r = new Reranker(180, 1.0, 0.97);
    float[] v1 = {1, 0};
    float[] v2 = {0.999f, 0.0447f};
    float[] v3 = {0, 1};
    var out = r.rank(List.of(new Reranker.Candidate(mem("low", 0.1, now), 1.0, v1),
        new Reranker.Candidate(mem("high", 0.9, now), 0.95, v3),
        new Reranker.Candidate(mem("dup", 0.9, now), 0.9, v2)), 10, now);
    // dup (0.9 relevance, importance 0.9) outranks low (1.0, importance 0.1); low is then a near-duplicate of dup
    assertThat(out.stream().map(x -> x.memory().id()).toList()).containsExactly("high", "dup");
  }
}
