package dev.memorymcp.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A measured loop (not a test): starts the packaged jar, posts chat messages to
 * {@code POST /api/v1/ingest} at a fixed rate (default 200 messages/s, one message per request,
 * open loop: requests are sent on schedule whether or not earlier ones answered) while the ingest
 * worker extracts and embeds in the background, and prints the acknowledgement latency.
 * Run: {@code java -Drate=200 -Dseconds=30 -cp … dev.memorymcp.server.IngestLatencyLoop}
 */
public final class IngestLatencyLoop {
  /** Every fact is unique (the number), so each one costs a real embedding and dedupe lookup. */
  static final String[] FACTS = {
      "I prefer %s for side project %d.", "We decided to move %s to cluster %d.",
      "My manager for %s ticket %d is Keiko.", "I'm going to rewrite %s module %d next month.",
      "私は%sのバージョン%dが好きです。", "%sの締め切りは%d日にすることに決めた。"};
  static final String[] THINGS = {"Rust", "the billing service", "Kotlin", "the search page", "Terraform",
      "the mobile app", "GraphQL", "the data pipeline"};

  public static void main(String[] args) throws Exception {
    int rate = Integer.getInteger("rate", 200);
    int seconds = Integer.getInteger("seconds", 30);
    int warmup = Integer.getInteger("warmup", 3);
    Path dir = System.getProperty("data") != null ? Path.of(System.getProperty("data")) : Files.createTempDirectory("ingest-latency");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ServerProcess p = new ServerProcess(dir.resolve("data"))) {
      Map<String, String> env = new java.util.HashMap<>(Map.of("MEMORY_MCP_STORAGE_SYNCHRONOUS", System.getProperty("sync", "FULL")));
      for (String kv : System.getProperty("env", "").split(",")) { // -Denv=MEMORY_MCP_X=1,MEMORY_MCP_Y=2
        if (kv.contains("=")) {
          env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
      }
      p.start(env);
      ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
      AtomicInteger errors = new AtomicInteger();
      List<CompletableFuture<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
      long intervalNs = 1_000_000_000L / rate;
      int total = rate * (seconds + warmup);
      long start = System.nanoTime();
      for (int i = 0; i < total; i++) {
        long due = start + i * intervalNs;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        String content = String.format(FACTS[i % FACTS.length], THINGS[(i / FACTS.length) % THINGS.length], i)
            + (i % 3 == 0 ? " Thanks!" : "");
        JsonObject body = new JsonObject().put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", content))).put("session_id", "load-" + (i / 20));
        HttpRequest req = HttpRequest.newBuilder(p.uri("/api/v1/ingest")).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").header("X-Persona", "load")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        boolean measured = i >= rate * warmup;
        long t0 = System.nanoTime();
        inFlight.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, err) -> {
          double ms = (System.nanoTime() - t0) / 1e6;
          if (err != null || r.statusCode() != 202) {
            errors.incrementAndGet();
          } else if (measured) {
            latencies.add(ms);
          }
        }));
      }
      double sentSeconds = (System.nanoTime() - start) / 1e9;
      CompletableFuture.allOf(inFlight.toArray(new CompletableFuture[0])).join();
      JsonObject jobsAtEnd = health(http, p).getJsonObject("ingest_jobs");
      List<Double> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf("%d messages in %.1f s (%.0f msg/s offered), %d measured after %d s warm-up, %d errors%n",
          total, sentSeconds, total / sentSeconds, sorted.size(), warmup, errors.get());
      System.out.printf("ack latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n", pct(sorted, 50),
          pct(sorted, 95), pct(sorted, 99), sorted.get(sorted.size() - 1));
      System.out.printf("ingest jobs when the load ended: %s%n", jobsAtEnd.encode());
      long t0 = System.nanoTime();
      JsonObject jobs;
      do {
        Thread.sleep(1000);
        jobs = health(http, p).getJsonObject("ingest_jobs");
      } while (jobs.getLong("queued") + jobs.getLong("running") > 0 && System.nanoTime() - t0 < 600_000_000_000L
          && !(jobs.getLong("done") == 0 && System.nanoTime() - t0 > 10_000_000_000L)); // no worker running
      System.out.printf("backlog drained %.1f s after the load: %s, %d memories%n", (System.nanoTime() - t0) / 1e9,
          jobs.encode(), health(http, p).getLong("memories"));
    }
  }

  static JsonObject health(HttpClient http, ServerProcess p) throws Exception {
    return new JsonObject(http.send(HttpRequest.newBuilder(p.uri("/health")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
