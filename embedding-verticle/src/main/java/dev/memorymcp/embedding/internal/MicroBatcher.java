package dev.memorymcp.embedding.internal;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups the texts of concurrent requests into one model call. A flush happens when the queued
 * texts reach {@code maxBatch}, or {@code windowMs} after the first queued request (with a window
 * of 0: once the context has handled the messages already waiting). Each flush makes exactly one
 * model call, with duplicate texts sent once; every request of the flush then completes with its
 * own vectors, or fails with {@link ErrorCode#INTERNAL} if the model failed. The model call runs
 * where the {@link Runner} puts it: inline on the batcher's context, or on another thread (the
 * background lane), in which case the next flush may start before it ends. Owned by one context:
 * call {@link #submit} and {@link #close} only from it.
 */
public final class MicroBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

  /** The model behind the batcher: one vector per text, in input order. */
  @FunctionalInterface
  public interface Model {
    float[][] embed(List<String> texts) throws Exception;
  }

  /** Runs a flush's model call; the future completes on the batcher's context. */
  @FunctionalInterface
  public interface Runner {
    Future<float[][]> run(Callable<float[][]> call);
  }

  /** The model call inline, on the batcher's own context (a worker verticle's thread). */
  public static final Runner INLINE = call -> {
    try {
      return Future.succeededFuture(call.call());
    } catch (Throwable err) {
      return Future.failedFuture(err);
    }
  };

  private record Pending(List<String> texts, Promise<float[][]> promise) {}

  private final Context context;
  private final Model model;
  private final Runner runner;
  private final int maxBatch;
  private final long windowMs;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final io.micrometer.core.instrument.Timer modelCall;
  private final io.micrometer.core.instrument.DistributionSummary batchTexts;
  private final AtomicLong modelCalls = new AtomicLong();
  private final AtomicLong textsEmbedded = new AtomicLong();
  private int queuedTexts;
  private boolean flushScheduled;
  private long timerId = -1;

  /** A batcher running {@code model} inline on {@code context}, the caller's own context. */
  public MicroBatcher(Context context, Model model, int maxBatch, long windowMs) {
    this(context, model, INLINE, "foreground", maxBatch, windowMs);
  }

  /**
   * A batcher on {@code context} whose model calls {@code runner} runs; {@code lane} labels its
   * metrics (foreground | background).
   */
  public MicroBatcher(Context context, Model model, Runner runner, String lane, int maxBatch, long windowMs) {
    this.context = context;
    this.model = model;
    this.runner = runner;
    this.maxBatch = maxBatch;
    this.windowMs = windowMs;
    var registry = io.micrometer.core.instrument.Metrics.globalRegistry;
    this.modelCall = io.micrometer.core.instrument.Timer.builder("memory_embedding_model_call")
        .description("One ONNX model call (a flush of the micro-batcher)").tag("lane", lane)
        .publishPercentileHistogram().register(registry);
    this.batchTexts = io.micrometer.core.instrument.DistributionSummary.builder("memory_embedding_batch_texts")
        .description("Distinct texts per model call").tag("lane", lane)
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
  }

  /** Queues texts; the future completes with one vector per text, in order. */
  public Future<float[][]> submit(List<String> texts) {
    Promise<float[][]> promise = Promise.promise();
    queue.add(new Pending(texts, promise));
    queuedTexts += texts.size();
    if (queuedTexts >= maxBatch) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      if (windowMs > 0) {
        timerId = context.owner().setTimer(windowMs, id -> flush());
      } else {
        context.runOnContext(v -> {
          if (flushScheduled) {
            flush();
          }
        });
      }
    }
    return promise.future();
  }

  /** Model calls made so far: one per flush. */
  public long modelCalls() {
    return modelCalls.get();
  }

  /** Distinct texts sent to the model so far. */
  public long textsEmbedded() {
    return textsEmbedded.get();
  }

  /** Fails every queued request with UNAVAILABLE; later submits are not expected. */
  public void close() {
    cancelTimer();
    MemoryException stopping = new MemoryException(ErrorCode.UNAVAILABLE, "SERVICE_UNAVAILABLE",
        "the embedding service is stopping");
    queue.forEach(p -> p.promise().tryFail(stopping));
    queue.clear();
    queuedTexts = 0;
  }

  private void flush() {
    cancelTimer();
    if (queue.isEmpty()) {
      return;
    }
    List<Pending> batch = new ArrayList<>(queue);
    queue.clear();
    queuedTexts = 0;
    Map<String, Integer> index = new LinkedHashMap<>();
    batch.forEach(p -> p.texts().forEach(t -> index.putIfAbsent(t, index.size())));
    List<String> distinct = new ArrayList<>(index.keySet());
    long t0 = System.nanoTime();
    modelCalls.incrementAndGet();
    runner.run(() -> model.embed(distinct)).onComplete(ar -> {
      float[][] vectors = ar.result();
      Throwable err = ar.cause();
      if (err == null && (vectors == null || vectors.length != distinct.size())) {
        err = new IllegalStateException("model returned " + (vectors == null ? "no" : vectors.length)
            + " vectors for " + distinct.size() + " texts");
      }
      if (err != null) {
        LOG.error("embedding {} texts failed", distinct.size(), err);
        MemoryException failure = new MemoryException(ErrorCode.INTERNAL, "EMBEDDING_FAILED",
            "the embedding model failed: " + err);
        batch.forEach(p -> p.promise().tryFail(failure));
        return;
      }
      modelCall.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
      batchTexts.record(distinct.size());
      textsEmbedded.addAndGet(distinct.size());
      for (Pending p : batch) {
        float[][] own = new float[p.texts().size()][];
        for (int i = 0; i < own.length; i++) {
          own[i] = vectors[index.get(p.texts().get(i))];
        }
        p.promise().tryComplete(own);
      }
    });
  }

  private void cancelTimer() {
    flushScheduled = false;
    if (timerId >= 0) {
      context.owner().cancelTimer(timerId);
      timerId = -1;
    }
  }
}
