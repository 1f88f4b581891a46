package dev.memorymcp.storage.qdrant;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Lets writes run until the store closes, and lets close wait for the ones running. */
final class QdrantWriteGuard {
  private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** Runs a write unless closed (close() waits for it), a thrown exception as a failed future. */
  <T> Future<T> guard(Supplier<Future<T>> op) {
    Future<T> f;
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(notOpen());
      }
      try {
        f = op.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      inFlight.add(f);
    }
    f.onComplete(ar -> inFlight.remove(f));
    return f;
  }

  static MemoryException notOpen() {
    return new MemoryException(ErrorCode.UNAVAILABLE, "STORE_UNAVAILABLE", "the store is not open");
  }

  /** Refuses new writes; completes once the running ones have finished (whatever their outcome). */
  synchronized Future<Void> close() {
    closed = true;
    return Future.join(new ArrayList<>(inFlight)).transform(ar -> Future.succeededFuture());
  }
}
