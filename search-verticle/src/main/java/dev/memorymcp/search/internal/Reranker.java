package dev.memorymcp.search.internal;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.Vectors;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in reranker: fused relevance weighted by importance, recency and how often a memory
 * was recalled; then maximal marginal relevance drops near-duplicates and spreads the results.
 * The factors are gentle on purpose: relevance decides, the rest breaks near-ties.
 */
public final class Reranker {

  /** A candidate with its fused relevance and (optionally) its vector. */
  public record Candidate(Memory memory, double relevance, float[] vector) {}

  /** A ranked result. */
  public record Ranked(Memory memory, double score) {}

  private final double halfLifeDays;
  private final double mmrLambda;
  private final double duplicateCosine;

  public Reranker(double halfLifeDays, double mmrLambda, double duplicateCosine) {
    this.halfLifeDays = halfLifeDays;
    this.mmrLambda = mmrLambda;
    this.duplicateCosine = duplicateCosine;
  }

  /** importance 0.5 → 1.0, 0 → 0.8, 1 → 1.2. */
  static double importance(Memory m) {
    return 0.8 + 0.4 * m.importance();
  }

  /** 1.0 when new, towards 0.85 when old. */
  double recency(Memory m, long now) {
    double ageDays = Math.max(0, now - Math.max(m.createdAt(), m.updatedAt())) / 86_400_000.0;
    return 0.85 + 0.15 * Math.pow(0.5, ageDays / halfLifeDays);
  }

  static double access(Memory m) {
    return 1.0 + 0.03 * Math.log1p(m.accessCount());
  }

  public List<Ranked> rank(List<Candidate> candidates, int limit, long now) {
    List<Candidate> pool = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    for (Candidate c : candidates) {
      pool.add(c);
      scores.add(c.relevance() * importance(c.memory()) * recency(c.memory(), now) * access(c.memory()));
    }
    double max = scores.stream().mapToDouble(Double::doubleValue).max().orElse(1.0);
    List<Ranked> out = new ArrayList<>();
    List<float[]> chosen = new ArrayList<>();
    while (out.size() < limit && !pool.isEmpty()) {
      int best = -1;
      double bestMmr = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < pool.size(); i++) {
        double sim = maxSim(pool.get(i).vector(), chosen);
        if (sim >= duplicateCosine) {
          continue;
        }
        double rel = max <= 0 ? 0 : scores.get(i) / max;
        double mmr = mmrLambda * rel - (1 - mmrLambda) * Math.max(0, sim);
        if (mmr > bestMmr) {
          bestMmr = mmr;
          best = i;
        }
      }
      if (best < 0) {
        break; // everything left is a near-duplicate of a chosen result
      }
      Candidate c = pool.remove(best);
      double s = scores.remove(best);
      if (c.vector() != null) {
        chosen.add(c.vector());
      }
      out.add(new Ranked(c.memory(), s));
    }
    return out;
  }

  private static double maxSim(float[] v, List<float[]> chosen) {
    if (v == null) {
      return 0;
    }
    double m = 0;
    for (float[] c : chosen) {
      m = Math.max(m, Vectors.dot(v, c));
    }
    return m;
  }
}
