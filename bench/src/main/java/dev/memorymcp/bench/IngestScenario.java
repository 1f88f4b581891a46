package dev.memorymcp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chat ingestion acknowledgement under load: one user message per {@code POST /api/v1/ingest} at a
 * fixed rate, open loop (requests leave on schedule whatever the earlier ones do), while the
 * service's worker extracts, embeds and dedupes in the background. Every message is a unique
 * first-person fact, so extraction has real work. Reports the ack latency after a warm-up and how
 * long the backlog took to drain.
 */
final class IngestScenario {
  static final String[] FACTS = {
      "I prefer %s for side project %d.", "We decided to move %s to cluster %d.",
      "My manager for %s ticket %d is Keiko.", "I'm going to rewrite %s module %d next month.",
      "私は%sのバージョン%dが好きです。", "%sの締め切りは%d日にすることに決めた。"};
  static final String[] THINGS = {"Rust", "the billing service", "Kotlin", "the search page", "Terraform",
      "the mobile app", "GraphQL", "the data pipeline"};

  private final Http http;
  private final String persona;

  IngestScenario(Http http, String persona) {
    this.http = http;
    this.persona = persona;
  }

  JsonObject run(int rate, int seconds, int warmup, int drainTimeoutSeconds) throws IOException, InterruptedException {
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Double> serverTimes = new ConcurrentLinkedQueue<>(); // the service's own share (Server-Timing)
    AtomicInteger errors = new AtomicInteger();
    ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
    JsonObject before = jobs();
    long intervalNs = 1_000_000_000L / rate;
    int total = rate * (seconds + warmup);
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long wait = start + i * intervalNs - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      String content = String.format(FACTS[i % FACTS.length], THINGS[(i / FACTS.length) % THINGS.length], i)
          + (i % 3 == 0 ? " Thanks!" : "");
      JsonObject body = new JsonObject().put("messages", new JsonArray()
          .add(new JsonObject().put("role", "user").put("content", content))).put("session_id", persona + "-" + (i / 20));
      boolean measured = i >= rate * warmup;
      long t0 = System.nanoTime();
      inFlight.add(http.postAsync("/api/v1/ingest", persona, body).whenComplete((HttpResponse<String> r, Throwable err) -> {
        double ms = (System.nanoTime() - t0) / 1e6;
        if (err != null || r.statusCode() != 202) {
          errors.incrementAndGet();
          if (errorSamples.size() < 3) {
            errorSamples.add(err != null ? err.toString() : r.statusCode() + " " + r.body());
          }
        } else if (measured) {
          latencies.add(ms);
          Http.serverMillis(r).ifPresent(serverTimes::add);
        }
      }));
    }
    double sentSeconds = (System.nanoTime() - start) / 1e9;
    CompletableFuture.allOf(inFlight.toArray(new CompletableFuture[0])).join();
    JsonObject atEnd = jobs();

    long t0 = System.nanoTime();
    JsonObject now = atEnd;
    boolean drained = false;
    while (System.nanoTime() - t0 < drainTimeoutSeconds * 1_000_000_000L) {
      if (now.getLong("queued", 0L) + now.getLong("running", 0L) == 0) {
        drained = true;
        break;
      }
      Thread.sleep(500);
      now = jobs();
    }
    double drainSeconds = (System.nanoTime() - t0) / 1e9;
    JsonObject out = new JsonObject().put("rate_per_second", rate).put("seconds", seconds).put("warmup_seconds", warmup)
        .put("sent", total).put("offered_per_second", Stats.round(total / sentSeconds)).put("errors", errors.get())
        .put("error_samples", new JsonArray(new ArrayList<>(errorSamples)))
        .put("ack_ms", Stats.summary(latencies)).put("server_ack_ms", Stats.summary(serverTimes))
        .put("jobs_before", before).put("jobs_when_load_ended", atEnd).put("jobs_after_drain", now)
        .put("backlog_drained", drained).put("drain_seconds", Stats.round(drainSeconds));
    print(out);
    return out;
  }

  private JsonObject jobs() throws IOException, InterruptedException {
    return http.get("/health").getJsonObject("ingest_jobs", new JsonObject());
  }

  private static void print(JsonObject o) {
    JsonObject ack = o.getJsonObject("ack_ms");
    System.out.printf("%n== ingest acknowledgement at %d messages/s (open loop, %d s measured after %d s warm-up) ==%n",
        o.getInteger("rate_per_second"), o.getInteger("seconds"), o.getInteger("warmup_seconds"));
    System.out.printf("sent %,d (%.0f/s offered), %d errors%s%n", o.getInteger("sent"), o.getDouble("offered_per_second"),
        o.getInteger("errors"), o.getJsonArray("error_samples").isEmpty() ? "" : " e.g. " + o.getJsonArray("error_samples").getString(0));
    if (ack.getInteger("n") > 0) {
      System.out.printf("ack ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n", ack.getDouble("p50"), ack.getDouble("p95"),
          ack.getDouble("p99"), ack.getDouble("max"));
      JsonObject server = o.getJsonObject("server_ack_ms");
      if (server.getInteger("n") > 0) {
        System.out.printf("  of which in the service (Server-Timing)  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n",
            server.getDouble("p50"), server.getDouble("p95"), server.getDouble("p99"), server.getDouble("max"));
      }
    }
    System.out.printf("jobs when the load ended %s; backlog %s %.1f s later: %s%n", o.getJsonObject("jobs_when_load_ended").encode(),
        o.getBoolean("backlog_drained") ? "drained" : "NOT drained", o.getDouble("drain_seconds"),
        o.getJsonObject("jobs_after_drain").encode());
  }
}
