package dev.memorymcp.bench;

import io.vertx.core.json.JsonObject;
import java.util.Collection;

/** Percentiles of latencies in milliseconds (nearest rank), as JSON and as one table cell. */
final class Stats {
  private Stats() {}

  /** {n, p50, p95, p99, mean, max}, each rounded to 0.01 ms; {n: 0} when empty. */
  static JsonObject summary(Collection<Double> millis) {
    double[] a = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (a.length == 0) {
      return new JsonObject().put("n", 0);
    }
    double sum = 0;
    for (double v : a) {
      sum += v;
    }
    return new JsonObject().put("n", a.length).put("p50", round(percentile(a, 50))).put("p95", round(percentile(a, 95)))
        .put("p99", round(percentile(a, 99))).put("mean", round(sum / a.length)).put("max", round(a[a.length - 1]));
  }

  /** The nearest-rank percentile of a sorted array: the smallest value with at least p% at or below it. */
  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** "p50 / p95 / p99 ms" for a summary. */
  static String cell(JsonObject s) {
    if (s.getInteger("n", 0) == 0) {
      return "-";
    }
    return String.format("%.1f / %.1f / %.1f", s.getDouble("p50"), s.getDouble("p95"), s.getDouble("p99"));
  }
}
