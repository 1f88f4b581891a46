package dev.memorymcp.embedding.internal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds work nobody waits for (an ingest job's facts, an online rebuild) apart from requests, so
 * that a recall's or a remember's embedding never queues behind a batch of it, and at a lower CPU
 * priority, so that on a small machine the cores go to requests first (chat acknowledgements
 * included) and to this work when they are free.
 *
 * <p>It has a thread of its own, whose nice value is raised to {@code nice} before its first model
 * call ({@link ThreadNice}; 0 keeps the normal priority), and a model session of its own with one
 * intra-op thread, so the whole inference runs on that thread. The session is loaded on the first
 * background request (about a second, on that thread): a service that never ingests or rebuilds
 * does not pay for its memory (the model's weights once more, 34 MB for the default model).
 * Requests are micro-batched as in the foreground. Owned by one context, like {@link MicroBatcher}.
 */
public final class BackgroundLane {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundLane.class);
  private static final AtomicInteger LANES = new AtomicInteger();

  private final WorkerExecutor thread;
  private final Callable<Embedder> loader;
  private final int nice;
  private final MicroBatcher batcher;
  /** Touched on the lane's thread only. */
  private Embedder embedder;
  private volatile int threadNice = -1;

  /**
   * A lane on {@code context} (the verticle's) whose model {@code loader} loads on first use, with
   * the batching settings of the foreground.
   */
  public BackgroundLane(Context context, Callable<Embedder> loader, int nice, int maxBatch, long windowMs) {
    this.thread = context.owner().createSharedWorkerExecutor("embedding-background-" + LANES.incrementAndGet(), 1);
    this.loader = loader;
    this.nice = nice;
    // one thread, so the executor's queue runs the model calls one after another
    this.batcher = new MicroBatcher(context, this::embedOnLaneThread, call -> thread.executeBlocking(call, false),
        "background", maxBatch, windowMs);
  }

  /** Queues texts; the future completes on the owning context with one vector per text, in order. */
  public Future<float[][]> submit(List<String> texts) {
    return batcher.submit(texts);
  }

  /** The lane thread's nice value once it has run a model call; -1 before that or where /proc does not say. */
  public int threadNice() {
    return threadNice;
  }

  /** Model calls and distinct texts so far. */
  public MicroBatcher batcher() {
    return batcher;
  }

  /** Fails the queued requests, then frees the session and the thread after the call running now. */
  public Future<Void> close() {
    batcher.close();
    return thread.<Void>executeBlocking(() -> {
      if (embedder != null) {
        embedder.close();
        embedder = null;
      }
      return null;
    }, false).eventually(thread::close);
  }

  private float[][] embedOnLaneThread(List<String> texts) throws Exception {
    if (embedder == null) {
      if (nice > 0) {
        threadNice = ThreadNice.lowerCurrentThread(nice);
      } else {
        threadNice = ThreadNice.current();
      }
      long t0 = System.nanoTime();
      embedder = loader.call();
      LOG.info("background embedding lane ready in {} ms (thread nice {}, asked for {})",
          (System.nanoTime() - t0) / 1_000_000, threadNice, nice);
    }
    return embedder.embed(texts);
  }
}
