package dev.memorymcp.storage.ingest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Group commit: what arrives while a write runs goes together into the next write (one fsync, or
 * one upsert, for many chat posts). Used from one Vert.x context.
 */
final class GroupCommit<T> {
  private final Function<List<T>, Future<?>> write;
  private final List<T> pending = new ArrayList<>();
  private boolean writing;
  private Promise<Void> idle;

  /** {@code write} writes a batch and answers each of its items; the next batch waits for it. */
  GroupCommit(Function<List<T>, Future<?>> write) {
    this.write = write;
  }

  /** Items accepted and not written yet. */
  int waiting() {
    return pending.size();
  }

  void add(T item) {
    pending.add(item);
    if (!writing) {
      next();
    }
  }

  /** Completes once every item added so far is written (at once when nothing is). */
  Future<Void> drain() {
    if (!writing) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }

  private void next() {
    if (pending.isEmpty()) {
      writing = false;
      if (idle != null) {
        idle.tryComplete();
      }
      return;
    }
    writing = true;
    List<T> batch = List.copyOf(pending);
    pending.clear();
    Future<?> written;
    try {
      written = write.apply(batch);
    } catch (RuntimeException e) {
      written = Future.failedFuture(e);
    }
    written.onComplete(ar -> next());
  }
}
