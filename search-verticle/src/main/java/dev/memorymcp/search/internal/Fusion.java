package dev.memorymcp.search.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuses the dense and keyword candidate lists. Weighted fusion of min-max normalised scores was
 * best on a conversational-memory set; naive RRF (k=60) fell below keyword alone, RRF with a small
 * k came close (DESIGN.md, Recall).
 */
public final class Fusion {
  private Fusion() {}

  /** An id with its score in one list. */
  public record Hit(String id, double score) {}

  public enum Method { WEIGHTED, RRF }

  /** Fused scores, best first. {@code denseWeight} in [0,1]; {@code rrfK} for RRF. */
  public static LinkedHashMap<String, Double> fuse(List<Hit> dense, List<Hit> keyword, Method method,
      double denseWeight, int rrfK) {
    Map<String, Double> out = new HashMap<>();
    if (method == Method.RRF) {
      addRrf(out, dense, denseWeight, rrfK);
      addRrf(out, keyword, 1.0 - denseWeight, rrfK);
    } else {
      addNormalised(out, dense, denseWeight);
      addNormalised(out, keyword, 1.0 - denseWeight);
    }
    return bestFirst(out);
  }

  /** The scores ordered best first. */
  public static LinkedHashMap<String, Double> bestFirst(Map<String, Double> scores) {
    LinkedHashMap<String, Double> sorted = new LinkedHashMap<>();
    scores.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private static void addNormalised(Map<String, Double> out, List<Hit> hits, double w) {
    if (hits.isEmpty() || w <= 0) {
      return;
    }
    double max = hits.stream().mapToDouble(Hit::score).max().orElse(1);
    double min = hits.stream().mapToDouble(Hit::score).min().orElse(0);
    double range = max - min;
    for (Hit h : hits) {
      double n = range <= 1e-12 ? 1.0 : (h.score() - min) / range;
      out.merge(h.id(), w * n, Double::sum);
    }
  }

  private static void addRrf(Map<String, Double> out, List<Hit> hits, double w, int k) {
    if (w <= 0) {
      return;
    }
    for (int i = 0; i < hits.size(); i++) {
      out.merge(hits.get(i).id(), w * (k + 1.0) / (k + i + 1.0), Double::sum);
    }
  }
}
