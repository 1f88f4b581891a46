package dev.memorymcp.storage.dedupe;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Cosine thresholds differ by model (e5 puts unrelated English at 0.74-0.77, MiniLM at 0.03-0.21),
 * so the defaults are per model, calibrated on the labelled pairs in the server tests; config
 * overrides them.
 */
public record DedupeThresholds(double merge, double relate, double lexicalMerge,
    double lexicalRelateUncovered, double lexicalMergeUncovered) {

  /** Calibrated defaults {merge, relate} by model name (see README "Deduplication"). */
  static final Map<String, double[]> CALIBRATED = Map.of(
      "e5-small-v2-q", new double[] {0.92, 0.86},
      "all-minilm-l6-v2-q", new double[] {0.85, 0.60},
      "bge-small-en-v1.5-q", new double[] {0.92, 0.80});

  /** Used for a custom model nobody calibrated: conservative, merges little. */
  static final double[] UNCALIBRATED = {0.95, 0.85};

  public static DedupeThresholds of(String model, JsonObject cfg) {
    double[] d = CALIBRATED.getOrDefault(model, UNCALIBRATED);
    double merge = cfg.getDouble("dedupe.merge_threshold", -1.0);
    double relate = cfg.getDouble("dedupe.relate_threshold", -1.0);
    return new DedupeThresholds(merge >= 0 ? merge : d[0], relate >= 0 ? relate : d[1],
        cfg.getDouble("dedupe.lexical_merge", 0.75),
        cfg.getDouble("dedupe.lexical_relate_uncovered", 0.3),
        cfg.getDouble("dedupe.lexical_merge_uncovered", 0.85));
  }
}
