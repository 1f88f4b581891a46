package dev.memorymcp.storage.sqlite;

import io.vertx.core.json.JsonObject;

/**
 * How vector search runs: {@code hnsw} (an ANN index beside the SQLite file proposes candidates in
 * namespaces of at least {@code exactBelow} memories; smaller ones are scanned exactly) or
 * {@code exact} everywhere; {@code ef}: how many candidates a search asks the ANN index for.
 */
public record VectorIndexOptions(boolean hnsw, int exactBelow, int ef) {
  public static final VectorIndexOptions EXACT = new VectorIndexOptions(false, Integer.MAX_VALUE, 0);
  public static final VectorIndexOptions DEFAULTS = new VectorIndexOptions(true, 10_000, 100);

  /** From the settings vector_index.kind, vector_index.exact_below, vector_index.ef. */
  public static VectorIndexOptions from(JsonObject cfg) {
    String kind = cfg.getString("vector_index.kind", "hnsw");
    if (!kind.equals("hnsw") && !kind.equals("exact")) {
      throw new IllegalArgumentException("vector_index.kind must be hnsw or exact, got " + kind);
    }
    int exactBelow = cfg.getInteger("vector_index.exact_below", DEFAULTS.exactBelow);
    int ef = cfg.getInteger("vector_index.ef", DEFAULTS.ef);
    if (exactBelow < 0 || ef < 1 || ef > 10_000) {
      throw new IllegalArgumentException("vector_index.exact_below must be >= 0 and vector_index.ef in 1..10000");
    }
    return new VectorIndexOptions(kind.equals("hnsw"), exactBelow, ef);
  }
}
