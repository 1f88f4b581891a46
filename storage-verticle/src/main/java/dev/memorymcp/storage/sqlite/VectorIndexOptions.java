package dev.memorymcp.storage.sqlite;

import io.vertx.core.json.JsonObject;

/**
 * How vector search runs: {@code hnsw} (an ANN index beside the SQLite file proposes candidates in
 * namespaces of at least {@code exactBelow} memories; smaller ones are scanned exactly) or
 * {@code exact} everywhere; {@code ef}: how many candidates a search asks the ANN index for;
 * {@code format}: how the ANN index stores the vectors its graph search reads; {@code heapVectors}:
 * whether namespaces the ANN index serves also keep their float32 vectors on the heap (by default
 * they leave it once the index holds them, and candidates are re-scored with the index's copy);
 * {@code segmentDocs}: the memories one segment (one HNSW graph) of the index holds at most.
 */
public record VectorIndexOptions(boolean hnsw, int exactBelow, int ef, Format format, boolean heapVectors,
    int segmentDocs) {

  /**
   * The vectors the HNSW graph search compares: float32 (1,536 bytes a 384-dimension vector), or
   * int8 (scalar-quantised, 384 bytes, with the float32 copy kept beside it on disk). Either way the
   * candidates are re-scored with their float32 vectors. int8 is the default: at the same ef the
   * same recall@10 as float32 at 100k, and at 1M the same for queries near original memories, 0.5
   * (ef 400) to 5 points (ef 100) lower among crowded near-copies; at 1M from a cold page cache
   * hybrid search is about twice as fast, as the graph search reads a quarter of the bytes
   * (bench/RESULTS.md, 2026-12-07 "int8 vectors").
   */
  public enum Format {
    FLOAT32, INT8;

    /** The setting's value: float32, int8. */
    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Format parse(String s) {
      return switch (s) {
        case "float32" -> FLOAT32;
        case "int8" -> INT8;
        default -> throw new IllegalArgumentException("vector_index.format must be float32 or int8, got " + s);
      };
    }
  }

  /** Memories per step of {@link #efFor}, and the default {@link #segmentDocs}. */
  static final int EF_STEP = 250_000;
  static final int MAX_EF = 10_000;
  /** The least {@link #segmentDocs} a setting may ask for (smaller: many segments, each searched). */
  static final int MIN_SEGMENT_DOCS = 1_000;

  public static final VectorIndexOptions EXACT = new VectorIndexOptions(false, Integer.MAX_VALUE, 0, Format.FLOAT32, true);
  public static final VectorIndexOptions DEFAULTS = new VectorIndexOptions(true, 10_000, 100, Format.INT8, false, EF_STEP);

  /**
   * The candidates to ask each HNSW graph for when the largest holds {@code size} memories:
   * {@code ef} times the full {@link #EF_STEP}s of memories in it (at least once, at most
   * {@link #MAX_EF}). One graph needs a wider search to keep its recall as it grows: in one 1M
   * graph recall@10 was 0.92 at ef 100 and 0.97 at 400, at 100k 0.996 at ef 100 (bench/RESULTS.md).
   * With {@link #segmentDocs} at its default no graph outgrows the first step.
   */
  int efFor(int size) {
    return Math.min(MAX_EF, ef * Math.max(1, size / EF_STEP));
  }

  /** With the default format, heap vectors and segment size. */
  public VectorIndexOptions(boolean hnsw, int exactBelow, int ef) {
    this(hnsw, exactBelow, ef, DEFAULTS.format);
  }

  /** With the default heap vectors and segment size. */
  public VectorIndexOptions(boolean hnsw, int exactBelow, int ef, Format format) {
    this(hnsw, exactBelow, ef, format, DEFAULTS.heapVectors);
  }

  /** With the default segment size. */
  public VectorIndexOptions(boolean hnsw, int exactBelow, int ef, Format format, boolean heapVectors) {
    this(hnsw, exactBelow, ef, format, heapVectors, EF_STEP);
  }

  /**
   * From the settings vector_index.kind, vector_index.exact_below, vector_index.ef, vector_index.format,
   * vector_index.heap_vectors, vector_index.segment_docs.
   */
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
    Format format = Format.parse(cfg.getString("vector_index.format", DEFAULTS.format.toString()));
    Object heap = cfg.getValue("vector_index.heap_vectors", DEFAULTS.heapVectors);
    if (!(heap instanceof Boolean) && !"true".equals(heap) && !"false".equals(heap)) {
      throw new IllegalArgumentException("vector_index.heap_vectors must be true or false, got " + heap);
    }
    int segmentDocs = cfg.getInteger("vector_index.segment_docs", DEFAULTS.segmentDocs);
    if (segmentDocs < MIN_SEGMENT_DOCS) {
      throw new IllegalArgumentException("vector_index.segment_docs must be at least " + MIN_SEGMENT_DOCS + ", got " + segmentDocs);
    }
    return new VectorIndexOptions(kind.equals("hnsw"), exactBelow, ef, format, Boolean.parseBoolean(String.valueOf(heap)),
        segmentDocs);
  }
}
