package dev.memorymcp.storage;

import dev.memorymcp.storage.dedupe.DedupePolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The storage member's figures in the process's metrics: dedupe decisions and ingest job outcomes as
 * counters; the number of memories and the ingest queue's depth as gauges, read from the store on a
 * timer (a gauge must answer at once, a count is a query).
 */
final class StorageMetrics {
  static final long REFRESH_MS = 15_000;

  private final AtomicLong memories = new AtomicLong();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong running = new AtomicLong();
  private long timer = -1;

  static void dedupe(DedupePolicy.Action action) {
    Counter.builder("memory_dedupe_decisions").description("What the write path decided for a new memory")
        .tag("action", action.name().toLowerCase()).register(Metrics.globalRegistry).increment();
  }

  static void ingestJob(String outcome) {
    Counter.builder("memory_ingest_jobs").description("Ingest jobs finished, by outcome (done, failed, retried)")
        .tag("outcome", outcome).register(Metrics.globalRegistry).increment();
  }

  /** Registers the gauges and refreshes them now and every {@link #REFRESH_MS}. */
  void start(Vertx vertx, Supplier<Future<Long>> count, Supplier<Future<JsonObject>> ingestCounts) {
    Gauge.builder("memory_store_memories", memories, AtomicLong::get).description("Memories stored, every namespace")
        .register(Metrics.globalRegistry);
    Gauge.builder("memory_ingest_queue_depth", queued, AtomicLong::get).description("Ingest jobs waiting")
        .tag("state", "queued").register(Metrics.globalRegistry);
    Gauge.builder("memory_ingest_queue_depth", running, AtomicLong::get).description("Ingest jobs waiting")
        .tag("state", "running").register(Metrics.globalRegistry);
    Runnable refresh = () -> {
      count.get().onSuccess(memories::set);
      ingestCounts.get().onSuccess(c -> {
        queued.set(c.getLong("queued", 0L));
        running.set(c.getLong("running", 0L));
      });
    };
    refresh.run();
    timer = vertx.setPeriodic(REFRESH_MS, id -> refresh.run());
  }

  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
