package dev.memorymcp.bench;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.ProcessLock;
import dev.memorymcp.storage.DataDirLock;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.sqlite.SqliteMemoryStore;
import dev.memorymcp.storage.sqlite.VectorIndexOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Recall@k of the service's own approximate vector search, in process on a stopped service's data
 * directory: the SQLite store opened as the service opens it (its Lucene index, segments as they
 * are on disk) against the same store opened with {@code vector_index.kind=exact}, on the same
 * queries (perturbed copies of the vectors of random memories of the namespace). The service's
 * searches rerank (importance, recency, diversity), so its results are not the top k by cosine;
 * the store's vector search is what the ANN index serves.
 */
final class StoreRecallScenario {
  private final Path dbFile;
  private final String namespace;
  private final Random random = new Random(5);

  StoreRecallScenario(Path dataDir, String namespace) {
    this.dbFile = dataDir.resolve("memory.db");
    this.namespace = namespace;
  }

  JsonObject run(int queryCount, int k, double noise, List<Integer> efs) throws Exception {
    try (ProcessLock lock = DataDirLock.acquire(dbFile)) { // the service's own lock on the store
      return measure(queryCount, k, noise, efs);
    }
  }

  private JsonObject measure(int queryCount, int k, double noise, List<Integer> efs) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<float[]> queries = new ArrayList<>();
      JsonObject exact = new JsonObject();
      List<List<String>> truth = searches(vertx, VectorIndexOptions.EXACT, queryCount, k, noise, queries, exact);
      JsonArray approximate = new JsonArray();
      for (int ef : efs) {
        VectorIndexOptions options = new VectorIndexOptions(true, VectorIndexOptions.DEFAULTS.exactBelow(), ef);
        JsonObject step = new JsonObject().put("ef", ef);
        List<List<String>> got = searches(vertx, options, queryCount, k, noise, queries, step);
        step.put("recall_at_k", Math.round(recall(got, truth) * 10_000) / 10_000.0);
        System.out.printf("  hnsw, vector_index.ef %d: recall@%d %.4f, store search p50 %.2f ms (%s)%n", ef, k,
            step.getDouble("recall_at_k"), step.getJsonObject("latency_ms").getDouble("p50"), step.getJsonObject("index"));
        approximate.add(step);
      }
      return new JsonObject().put("namespace", namespace).put("queries", queries.size()).put("k", k).put("noise", noise)
          .put("exact", exact).put("hnsw", approximate);
    } finally {
      vertx.close().await();
    }
  }

  /** Opens the store with {@code options}, waits until it is warm, times every query once (after one untimed pass). */
  private List<List<String>> searches(Vertx vertx, VectorIndexOptions options, int queryCount, int k, double noise,
      List<float[]> queries, JsonObject into) throws Exception {
    long t0 = System.nanoTime();
    SqliteMemoryStore store = new SqliteMemoryStore(vertx, dbFile, "NORMAL", options);
    store.open().await();
    try {
      while (store.loadingStatus() != null
          || options.hnsw() && !"warm".equals(store.vectorIndexStatus().get("state"))) {
        Thread.sleep(200);
      }
      into.put("ready_s", Stats.round((System.nanoTime() - t0) / 1e9));
      if (options.hnsw()) {
        into.put("index", new JsonObject(Map.copyOf(store.vectorIndexStatus())));
      }
      if (queries.isEmpty()) {
        queries.addAll(pickQueries(store, queryCount, noise));
      }
      if (options.hnsw()) {
        for (float[] q : queries) { // warms the path and the page cache; the exact scan needs neither
          store.vectorSearch(namespace, q, k, Filters.NONE).await();
        }
      }
      List<List<String>> out = new ArrayList<>();
      List<Double> ms = new ArrayList<>();
      for (float[] q : queries) {
        long s = System.nanoTime();
        out.add(store.vectorSearch(namespace, q, k, Filters.NONE).await().stream().map(MemoryStore.Scored::id).toList());
        ms.add((System.nanoTime() - s) / 1e6);
      }
      into.put("latency_ms", Stats.summary(ms));
      return out;
    } finally {
      store.close().await();
    }
  }

  /** Perturbed copies of the vectors of {@code n} memories drawn from the namespace's first pages. */
  private List<float[]> pickQueries(SqliteMemoryStore store, int n, double noise) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      MemoryStore.Page page = store.list(namespace, Filters.NONE, 100, cursor).await();
      page.memories().forEach(m -> ids.add(m.id()));
      cursor = page.nextCursor();
    } while (cursor != null && ids.size() < 10 * n);
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("namespace " + namespace + " holds no memories in " + dbFile);
    }
    Collections.shuffle(ids, random);
    List<float[]> out = new ArrayList<>();
    for (float[] v : store.vectors(namespace, ids.subList(0, Math.min(n, ids.size()))).await().values()) {
      out.add(VectorsScenario.perturb(v, noise, random));
    }
    return out;
  }

  static double recall(List<List<String>> got, List<List<String>> truth) {
    double sum = 0;
    for (int i = 0; i < truth.size(); i++) {
      Set<String> want = new HashSet<>(truth.get(i));
      sum += want.isEmpty() ? 1 : got.get(i).stream().filter(want::contains).count() / (double) want.size();
    }
    return truth.isEmpty() ? 0 : sum / truth.size();
  }
}
