package dev.memorymcp.bench;

import java.util.List;
import java.util.Set;

/**
 * Standard ranking metrics with binary relevance, for one query: the ranked ids returned and the
 * set of gold ids. Averaged over queries by {@link QualityReport}.
 */
final class RankingMetrics {
  private RankingMetrics() {}

  /** |gold ∩ top k| / |gold|. */
  static double recallAt(List<String> ranked, Set<String> gold, int k) {
    if (gold.isEmpty()) {
      return 0;
    }
    long hit = ranked.stream().limit(k).filter(gold::contains).count();
    return (double) hit / gold.size();
  }

  /** 1 / rank of the first gold id within the top k, 0 when none. */
  static double mrrAt(List<String> ranked, Set<String> gold, int k) {
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (gold.contains(ranked.get(i))) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  /** DCG of the top k over the ideal DCG (all gold ids first). */
  static double ndcgAt(List<String> ranked, Set<String> gold, int k) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (gold.contains(ranked.get(i))) {
        dcg += 1.0 / log2(i + 2);
      }
    }
    double ideal = 0;
    for (int i = 0; i < Math.min(k, gold.size()); i++) {
      ideal += 1.0 / log2(i + 2);
    }
    return ideal == 0 ? 0 : dcg / ideal;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
