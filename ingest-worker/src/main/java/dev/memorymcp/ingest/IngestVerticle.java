package dev.memorymcp.ingest;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.ingest.llm.LlmClient;
import dev.memorymcp.ingest.llm.LlmOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest worker: claims jobs from the storage verticle's durable queue (up to
 * {@code ingest.concurrency} at a time), runs them, and reports done or failed. It wakes when new
 * jobs are announced and polls every {@code ingest.poll_ms} for due retries. While a job runs, its
 * lease is renewed every third of {@code ingest.lease_ms} (a heartbeat), so a long extraction
 * keeps its job and a dead worker's job is claimed by another after at most one lease. Holds no
 * state a crash could lose: an unfinished job stays in the queue and is taken again.
 */
public class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  /** How long stop waits for running jobs; after that they stay queued for the next start. */
  static final long STOP_GRACE_MS = 20_000;

  private final String worker = "ingest-" + ManagementFactory.getRuntimeMXBean().getName() + "-"
      + UUID.randomUUID().toString().substring(0, 8);
  private JobRunner runner;
  private LlmClient llm;
  private int concurrency;
  private long leaseMs;
  private int maxAttempts;
  private int active;
  private boolean claiming;
  private boolean again;
  private boolean stopping;
  private long pollTimer;
  private long heartbeatTimer;
  /** The ids of the jobs this worker is running, for the heartbeat. */
  private final java.util.Set<String> running = new java.util.LinkedHashSet<>();
  private MessageConsumer<JsonObject> wakeUps;
  private Promise<Void> idle;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    concurrency = Math.max(1, cfg.getInteger("ingest.concurrency", 2));
    leaseMs = Math.max(1000, cfg.getInteger("ingest.lease_ms", 60_000));
    maxAttempts = Math.max(1, cfg.getInteger("ingest.max_attempts", 5));
    String baseUrl = cfg.getString("llm.base_url", "");
    try {
      if (!baseUrl.isBlank()) {
        llm = new LlmClient(vertx, new LlmOptions(baseUrl, cfg.getString("llm.model", ""),
            cfg.getString("llm.api_key", ""), cfg.getInteger("llm.timeout_ms", 60_000),
            cfg.getInteger("llm.max_facts", 20)));
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    runner = new JobRunner(vertx, new ConversationExtractor(vertx, llm), worker, leaseMs);
    wakeUps = vertx.eventBus().consumer(Addresses.INGEST_AVAILABLE, msg -> pump());
    pollTimer = vertx.setPeriodic(Math.max(50, cfg.getInteger("ingest.poll_ms", 1000)), id -> pump());
    heartbeatTimer = vertx.setPeriodic(Math.max(300, leaseMs / 3), id -> renewLeases());
    LOG.info("ingest worker {} ready: {} job(s) at a time, extractor {}", worker, concurrency,
        llm == null ? "heuristic (no llm.base_url set)" : "llm " + cfg.getString("llm.model") + " with heuristic fallback");
    return wakeUps.completion().onSuccess(v -> pump());
  }

  /** Claims as many jobs as there are free slots; runs again when a slot frees or news arrives meanwhile. */
  private void pump() {
    if (stopping) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    int free = concurrency - active;
    if (free <= 0) {
      return;
    }
    claiming = true;
    again = false;
    Bus.request(vertx, Addresses.INGEST_CLAIM, new JsonObject().put("worker", worker).put("limit", Math.min(free, 64))
        .put("lease_ms", leaseMs), 10_000).onComplete(ar -> {
          claiming = false;
          if (ar.failed()) { // storage not up yet or busy: the poll timer tries again
            LOG.debug("claim failed: {}", ar.cause().getMessage());
            return;
          }
          JsonArray jobs = ar.result().getJsonArray("jobs", new JsonArray());
          jobs.forEach(o -> runJob((JsonObject) o));
          if (again || jobs.size() == Math.min(free, 64)) {
            pump();
          }
        });
  }

  /** Renews the lease of every running job; one that is no longer held is left to finish (its report gets a 409). */
  private void renewLeases() {
    for (String id : running) {
      Bus.request(vertx, Addresses.INGEST_RENEW, new JsonObject().put("job_id", id).put("worker", worker)
          .put("lease_ms", leaseMs), 10_000)
          .onFailure(err -> LOG.warn("could not renew the lease of ingest job {}: {}", id, err.getMessage()));
    }
  }

  private void runJob(JsonObject job) {
    active++;
    String id = job.getString("id");
    running.add(id);
    long t0 = System.nanoTime();
    runner.run(job)
        .compose(result -> Bus.request(vertx, Addresses.INGEST_COMPLETE, new JsonObject().put("job_id", id)
            .put("worker", worker).put("result", result)).map(result))
        .onSuccess(result -> LOG.info("ingest job {} done in {} ms: {} fact(s), {}", id,
            (System.nanoTime() - t0) / 1_000_000, result.getInteger("facts"), summary(result)))
        .recover(err -> {
          String message = MemoryException.from(err).getMessage();
          return Bus.request(vertx, Addresses.INGEST_FAIL, new JsonObject().put("job_id", id)
                  .put("worker", worker).put("error", message))
              .onSuccess(r -> LOG.warn("ingest job {} attempt {}/{} failed ({}): {}", id,
                  job.getInteger("attempts"), maxAttempts, r.getString("status"), message))
              .onFailure(e2 -> LOG.warn("ingest job {} failed ({}) and could not be reported: {}; "
                  + "it stays running until its lease ends", id, message, e2.getMessage()))
              .map((JsonObject) null);
        })
        .onComplete(ar -> {
          active--;
          running.remove(id);
          if (stopping && active == 0 && idle != null) {
            idle.tryComplete();
          }
          pump();
        });
  }

  private static String summary(JsonObject result) {
    JsonObject m = result.getJsonObject("memories", new JsonObject());
    StringBuilder sb = new StringBuilder();
    for (String action : JobRunner.ACTIONS) {
      int n = m.getJsonArray(action, new JsonArray()).size();
      if (n > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(action);
      }
    }
    String note = result.getString("note");
    return (sb.length() == 0 ? "no memory written" : sb.toString()) + (note == null ? "" : " (" + note + ")");
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    Future<Void> unregistered = wakeUps == null ? Future.succeededFuture() : wakeUps.unregister();
    if (active == 0) {
      vertx.cancelTimer(heartbeatTimer);
      return unregistered.onComplete(ar -> closeLlm());
    }
    LOG.info("ingest worker stopping: waiting for {} running job(s)", active);
    idle = Promise.promise();
    long timer = vertx.setTimer(STOP_GRACE_MS, t -> {
      LOG.warn("ingest worker stopped with {} job(s) unfinished; they run again at the next start", active);
      idle.tryComplete();
    });
    return idle.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      vertx.cancelTimer(heartbeatTimer); // it kept renewing while the running jobs finished
      closeLlm();
    });
  }

  private void closeLlm() {
    if (llm != null) {
      llm.close();
    }
  }
}
