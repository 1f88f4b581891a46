package dev.memorymcp.storage;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The order of writes: those to one namespace run one after another (so two concurrent remembers
 * of the same text cannot both create), those to different namespaces side by side, and an
 * exclusive operation (an online rebuild's start and swap) alone. Used from one Vert.x context.
 */
final class NamespaceWriteQueue {
  private final Map<String, Future<?>> tails = new HashMap<>();
  /** Completes when the running {@link #exclusive} operation (if any) has. */
  private Future<?> gate = Future.succeededFuture();

  /** Runs {@code op} after every earlier write of the namespace has finished. */
  <T> Future<T> serial(String ns, Supplier<Future<T>> op) {
    Future<?> tail = tails.get(ns);
    Future<?> prev = tail == null ? gate : Future.join(tail, gate);
    Future<T> result = prev.transform(ignored -> {
      try {
        return op.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    Future<?> next = result.otherwiseEmpty();
    tails.put(ns, next);
    next.onComplete(ar -> tails.remove(ns, next));
    return result;
  }

  /**
   * Runs {@code op} once every write queued before it has finished, with every write queued after it
   * waiting until it completes (an online rebuild's start and swap).
   */
  <T> Future<T> exclusive(Supplier<Future<T>> op) {
    List<Future<?>> before = new ArrayList<>(tails.values());
    before.add(gate);
    Future<T> result = Future.join(before).transform(ignored -> {
      try {
        return op.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    gate = result.otherwiseEmpty();
    return result;
  }

  /** Whether any write is still running (drained on stop). */
  Future<Void> drain() {
    List<Future<?>> all = new ArrayList<>(tails.values());
    all.add(gate);
    return Future.join(all).mapEmpty();
  }
}
