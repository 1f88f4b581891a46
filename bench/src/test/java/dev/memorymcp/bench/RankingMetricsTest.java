package dev.memorymcp.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ranking metrics")
class RankingMetricsTest {
  static final List<String> RANKED = List.of("a", "b", "c", "d", "e", "f");

  @Test
  @DisplayName("recall@k counts the gold ids found in the top k")
  void recall() {
    assertThat(RankingMetrics.recallAt(RANKED, Set.of("c", "z"), 1)).isZero();
    assertThat(RankingMetrics.recallAt(RANKED, Set.of("c", "z"), 5)).isEqualTo(0.5);
    assertThat(RankingMetrics.recallAt(RANKED, Set.of("a"), 1)).isEqualTo(1.0);
    assertThat(RankingMetrics.recallAt(List.of(), Set.of("a"), 10)).isZero();
  }

  @Test
  @DisplayName("MRR@k is one over the rank of the first gold id inside the top k")
  void mrr() {
    assertThat(RankingMetrics.mrrAt(RANKED, Set.of("c", "e"), 10)).isEqualTo(1.0 / 3);
    assertThat(RankingMetrics.mrrAt(RANKED, Set.of("f"), 5)).isZero();
  }

  @Test
  @DisplayName("nDCG@k: 1 for a perfect ranking, lower when gold ids come later")
  void ndcg() {
    assertThat(RankingMetrics.ndcgAt(RANKED, Set.of("a", "b"), 10)).isEqualTo(1.0);
    // gold at rank 2 only: (1/log2(3)) / (1/log2(2))
    assertThat(RankingMetrics.ndcgAt(RANKED, Set.of("b"), 10)).isCloseTo(1 / (Math.log(3) / Math.log(2)), within(1e-9));
    assertThat(RankingMetrics.ndcgAt(RANKED, Set.of("z"), 10)).isZero();
  }

  @Test
  @DisplayName("the report averages per search type and group")
  void reportAverages() {
    QualityReport r = new QualityReport();
    r.add("hybrid", List.of("all", "category:keyword"), RANKED, Set.of("a"));
    r.add("hybrid", List.of("all", "category:paraphrase"), RANKED, Set.of("z"));
    JsonObject j = r.toJson().getJsonObject("hybrid");
    assertThat(j.getJsonObject("all").getInteger("queries")).isEqualTo(2);
    assertThat(j.getJsonObject("all").getDouble("recall@1")).isEqualTo(0.5);
    assertThat(j.getJsonObject("category:keyword").getDouble("mrr@10")).isEqualTo(1.0);
    assertThat(r.table()).contains("category:paraphrase").contains("recall@5");
  }
}
