package dev.memorymcp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills one namespace to each size (bulk import through {@code POST /api/v1/memories:batch}, the
 * last memories of each step through {@code POST /api/v1/memories} one at a time to time
 * remember), then per search type times sequential recalls (after a warm-up) and measures
 * throughput with several concurrent clients; reads the service's resident memory at each size.
 */
final class LatencyScenario {
  static final int BATCH = 100;

  private final Http http;
  private final Service service;
  private final String persona;
  private final Corpus corpus = new Corpus(42);
  /** Numbers every query of the run, so no query text repeats and the embedding cache never answers. */
  private final AtomicLong queryNo = new AtomicLong();
  private long have;
  /** Above this many memories, grow by importing perturbed copies of the first ones (0: never). */
  private long copiesAbove;
  private int clientWarmup;
  /** Norm of the noise added to a copy's vector (cosine about 0.94 to its original). */
  static final double COPY_NOISE = 0.35;

  LatencyScenario(Http http, Service service, String persona) {
    this.http = http;
    this.service = service;
    this.persona = persona;
  }

  /**
   * Continues a namespace an earlier run filled (measured again, e.g. with another jar on the same
   * data directory): starts from its current count.
   */
  LatencyScenario resume() throws IOException, InterruptedException {
    for (Object o : http.get("/api/v1/namespaces").getJsonArray("namespaces")) {
      JsonObject ns = (JsonObject) o;
      if (persona.equals(ns.getString("namespace"))) {
        have = ns.getLong("memories", 0L);
      }
    }
    System.out.printf("namespace %s holds %,d memories%n", persona, have);
    return this;
  }

  /**
   * Past {@code above} memories, grow by import instead of remember: each new memory is a copy of one
   * of the first {@code above} (content marked with its copy number) with that memory's vector plus
   * Gaussian noise, renormalised (cosine about 0.94 to the original). Embedding a million texts
   * takes hours on two cores; this keeps the model's vector distribution, with clusters of near
   * copies, which is harder on an ANN graph than distinct texts.
   */
  LatencyScenario growByCopiesAbove(long above) {
    this.copiesAbove = above;
    return this;
  }

  /** Searches sent round-robin over the search types before the first one is timed (the harness's own warm-up). */
  LatencyScenario clientWarmup(int searches) {
    this.clientWarmup = searches;
    return this;
  }

  String persona() {
    return persona;
  }

  /** Runs every size in ascending order; returns {persona, sizes: [...]}, printing a table as it goes. */
  JsonObject run(List<Integer> sizes, int remembers, int queries, int warmup, int clients, int throughputSeconds,
      boolean dedupe) throws IOException, InterruptedException {
    JsonArray out = new JsonArray();
    for (int size : sizes.stream().sorted().toList()) {
      out.add(atSize(size, remembers, queries, warmup, clients, throughputSeconds, dedupe));
    }
    return new JsonObject().put("persona", persona).put("sizes", out);
  }

  /** Grows the namespace to {@code size} memories, then measures; the namespace is left filled for the next step. */
  JsonObject atSize(int size, int remembers, int queries, int warmup, int clients, int throughputSeconds,
      boolean dedupe) throws IOException, InterruptedException {
    JsonObject step = new JsonObject().put("size", size);
    JsonObject bulk = fill(size - remembers, dedupe);
    if (bulk != null) {
      step.put("bulk_import", bulk);
    }
    step.put("warm_wait_ms", awaitWarm());
    List<Double> remember = new ArrayList<>();
    int attempts = 0;
    while (have < size) {
      if (++attempts > 2 * remembers + 10) {
        throw new IOException("remember keeps merging generated memories; cannot reach " + size);
      }
      long s = System.nanoTime();
      JsonObject r = http.post("/api/v1/memories", persona, new JsonObject().put("content", corpus.memory(have)), 201);
      remember.add((System.nanoTime() - s) / 1e6);
      if ("created".equals(r.getString("action"))) {
        have++;
      }
    }
    step.put("remember", Stats.summary(remember));
    step.put("rss_mib_after_fill", service.rssMiB());

    // This JVM compiles its HTTP client and JSON code over its first few hundred requests; timed
    // first, hybrid paid for that: 3.6 ms over the server's own time at 100k, against 1.2 for semantic.
    for (int i = 0; i < clientWarmup; i++) {
      search(BenchMain.SEARCH_TYPES.get(i % BenchMain.SEARCH_TYPES.size()), corpus.query(queryNo.incrementAndGet()));
    }
    JsonObject recall = new JsonObject();
    for (String type : BenchMain.SEARCH_TYPES) {
      recall.put(type, recall(type, queries, warmup, clients, throughputSeconds));
    }
    step.put("recall", recall);
    step.put("rss_mib_after_recall", service.rssMiB());
    print(step);
    return step;
  }

  /**
   * Waits (up to an hour) until /health says warm: the SQLite backend's Lucene index holds the store,
   * so recall is timed on the index rather than on the exact fallback. Returns the wait in ms.
   */
  long awaitWarm() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    long lastReport = t0;
    while (true) {
      JsonObject health = http.get("/health");
      if (health.getBoolean("warm", true)) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      if (System.nanoTime() - t0 > 3_600_000_000_000L) {
        throw new IOException("not warm an hour later: " + health.encode());
      }
      if (System.nanoTime() - lastReport > 10_000_000_000L) {
        lastReport = System.nanoTime();
        System.out.printf("  waiting for the search index: %s%n", health.getJsonObject("vector_index"));
      }
      Thread.sleep(200);
    }
  }

  /**
   * Grows the namespace to {@code target} memories with batches of generated ones; returns the
   * import's throughput, or null when it already had that many.
   */
  JsonObject fill(long target, boolean dedupe) throws IOException, InterruptedException {
    if (copiesAbove > 0 && target > copiesAbove) {
      JsonObject first = have < copiesAbove ? fill(copiesAbove, dedupe) : null;
      JsonObject copies = fillByCopies(target);
      return first == null ? copies : copies.put("before_copies", first);
    }
    long added = 0;
    long t0 = System.nanoTime();
    long lastReport = t0;
    while (have < target) {
      int n = (int) Math.min(BATCH, target - have);
      JsonArray batch = new JsonArray();
      for (int i = 0; i < n; i++) {
        batch.add(new JsonObject().put("content", corpus.memory(have + i)).put("metadata", new JsonObject().put("bench", "latency")));
      }
      JsonArray results = http.post("/api/v1/memories:batch", persona,
          new JsonObject().put("memories", batch).put("dedupe", dedupe), 201).getJsonArray("results");
      long created = results.stream().filter(r -> "created".equals(((JsonObject) r).getString("action"))).count();
      if (created == 0) {
        throw new IOException("a batch of " + n + " generated memories created none (all merged?); cannot reach " + target);
      }
      have += created;
      added += created;
      if (System.nanoTime() - lastReport > 10_000_000_000L) { // progress on long fills
        lastReport = System.nanoTime();
        System.out.printf("  filling %s: %,d / %,d (%.0f/s)%n", persona, have, target, added / ((lastReport - t0) / 1e9));
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return added == 0 ? null : new JsonObject().put("memories", added).put("seconds", Stats.round(seconds))
        .put("per_second", Stats.round(added / seconds)).put("batch", BATCH).put("dedupe", dedupe);
  }

  private JsonObject fillByCopies(long target) throws IOException, InterruptedException {
    if (have >= target) {
      return null;
    }
    System.out.printf("  reading the first %,d memories of %s with their vectors%n", copiesAbove, persona);
    List<JsonObject> originals = new ArrayList<>();
    String header;
    try (java.util.stream.Stream<String> lines = http.getLines("/api/v1/export?namespace=" + persona + "&with_vectors=true")) {
      java.util.Iterator<String> it = lines.iterator();
      header = it.next();
      while (it.hasNext() && originals.size() < copiesAbove) {
        JsonObject line = new JsonObject(it.next());
        if (line.getJsonObject("memory") != null && line.getString("vector") != null) {
          originals.add(line);
        }
      }
    }
    java.util.Random noise = new java.util.Random(99);
    long t0 = System.nanoTime();
    long lastReport = t0;
    long added = 0;
    int batch = 2000;
    while (have < target) {
      StringBuilder body = new StringBuilder(header).append('\n');
      int n = (int) Math.min(batch, target - have);
      for (int i = 0; i < n; i++) {
        long no = have + i;
        JsonObject original = originals.get((int) (no % originals.size()));
        long copy = no / originals.size();
        String id = original.getString("id") + "c" + copy;
        JsonObject memory = original.getJsonObject("memory").copy().put("id", id)
            .put("content", original.getJsonObject("memory").getString("content") + " [copy " + copy + "]");
        body.append(new JsonObject().put("namespace", persona).put("id", id).put("memory", memory)
            .put("vector", VectorsScenario.encode(VectorsScenario.perturb(
                VectorsScenario.decode(original.getString("vector")), COPY_NOISE, noise))).encode()).append('\n');
      }
      JsonObject r = http.postLines("/api/v1/import?namespace=" + persona, persona, body.toString(), 200);
      if (r.getLong("reembedded", 0L) > 0) {
        throw new IOException("the import re-embedded copies (another model?): " + r.encode());
      }
      have += n;
      added += n;
      if (System.nanoTime() - lastReport > 10_000_000_000L) {
        lastReport = System.nanoTime();
        System.out.printf("  copying into %s: %,d / %,d (%.0f/s)%n", persona, have, target, added / ((lastReport - t0) / 1e9));
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new JsonObject().put("memories", added).put("seconds", Stats.round(seconds))
        .put("per_second", Stats.round(added / seconds)).put("batch", batch).put("dedupe", false)
        .put("by", "import of perturbed copies")
        .put("copies_of_first", copiesAbove);
  }

  private JsonObject recall(String type, int queries, int warmup, int clients, int seconds)
      throws IOException, InterruptedException {
    List<Double> client = new ArrayList<>();
    List<Double> server = new ArrayList<>();
    for (int i = 0; i < warmup + queries; i++) {
      long s = System.nanoTime();
      JsonObject r = search(type, corpus.query(queryNo.incrementAndGet()));
      if (i >= warmup) {
        client.add((System.nanoTime() - s) / 1e6);
        server.add(r.getDouble("took_ms", -1.0));
      }
    }
    JsonObject out = new JsonObject().put("latency_ms", Stats.summary(client)).put("server_took_ms", Stats.summary(server));
    if (clients > 0 && seconds > 0) {
      out.put("throughput", throughput(type, clients, seconds));
    }
    return out;
  }

  /** {@code clients} threads each sending the next query as soon as the last answered, for {@code seconds}. */
  private JsonObject throughput(String type, int clients, int seconds) throws InterruptedException, IOException {
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      Corpus mine = new Corpus(queryNo.get() + c); // its own word choices; the number keeps texts unique
      Thread t = new Thread(() -> {
        try {
          while (System.nanoTime() < end && failure.get() == null) {
            long s = System.nanoTime();
            search(type, mine.query(queryNo.incrementAndGet()));
            latencies.add((System.nanoTime() - s) / 1e6);
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        }
      }, "bench-client-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new IOException("throughput run failed: " + failure.get().getMessage(), failure.get());
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    return new JsonObject().put("clients", clients).put("seconds", Stats.round(elapsed))
        .put("requests", latencies.size()).put("per_second", Stats.round(latencies.size() / elapsed))
        .put("latency_ms", Stats.summary(latencies));
  }

  private JsonObject search(String type, String query) throws IOException, InterruptedException {
    return http.post("/api/v1/search", persona,
        new JsonObject().put("query", query).put("search_type", type).put("limit", 10), 200);
  }

  private static void print(JsonObject step) {
    System.out.printf("%n== %,d memories in one namespace ==%n", step.getInteger("size"));
    JsonObject bulk = step.getJsonObject("bulk_import");
    if (bulk != null) {
      System.out.printf("bulk import          %,d memories in %.1f s: %.0f memories/s (batches of %d, dedupe %s)%n",
          bulk.getLong("memories"), bulk.getDouble("seconds"), bulk.getDouble("per_second"), bulk.getInteger("batch"),
          bulk.getBoolean("dedupe"));
    }
    System.out.printf("%-20s %-26s %s%n", "", "p50 / p95 / p99 ms", "throughput");
    System.out.printf("%-20s %-26s%n", "remember (n=" + step.getJsonObject("remember").getInteger("n") + ")",
        Stats.cell(step.getJsonObject("remember")));
    step.getJsonObject("recall").forEach(e -> {
      JsonObject r = (JsonObject) e.getValue();
      JsonObject thr = r.getJsonObject("throughput");
      System.out.printf("%-20s %-26s %s%n", "recall " + e.getKey(), Stats.cell(r.getJsonObject("latency_ms")),
          thr == null ? "-" : String.format("%.0f req/s with %d clients (p99 %.1f ms)", thr.getDouble("per_second"),
              thr.getInteger("clients"), thr.getJsonObject("latency_ms").getDouble("p99")));
    });
    long rss = step.getLong("rss_mib_after_recall");
    System.out.println("resident memory      " + (rss < 0 ? "unknown (give --pid, or let the harness start the service)"
        : step.getLong("rss_mib_after_fill") + " MiB after the fill, " + rss + " MiB after recall"));
  }
}
