package dev.memorymcp.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the ACCESS events of recalls and writes them in one transaction per namespace every
 * {@link #FLUSH_MS}, so a burst of recalls costs one commit instead of one each. Runs on the
 * storage verticle's event loop; {@link #flush()} on stop writes whatever is pending. Each write
 * runs in its namespace's write order ({@link MemoryService#serial}): the Qdrant store records an
 * access by reading and rewriting the point, which must not land after a delete (it would bring a
 * forgotten memory back) or over an update (it would put the old content back).
 */
final class AccessRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(AccessRecorder.class);
  static final long FLUSH_MS = 250;

  private record Key(String namespace, String sessionId) {}

  private final Vertx vertx;
  private final MemoryStore store;
  private final MemoryService writes;
  private Map<Key, List<String>> pending = new LinkedHashMap<>();
  private long timer = -1;

  AccessRecorder(Vertx vertx, MemoryStore store, MemoryService writes) {
    this.vertx = vertx;
    this.store = store;
    this.writes = writes;
  }

  void record(String namespace, List<String> ids, String sessionId) {
    pending.computeIfAbsent(new Key(namespace, sessionId), k -> new ArrayList<>()).addAll(ids);
    if (timer < 0) {
      timer = vertx.setTimer(FLUSH_MS, t -> flush());
    }
  }

  Future<Void> flush() {
    timer = -1;
    Map<Key, List<String>> batch = pending;
    pending = new LinkedHashMap<>();
    long now = System.currentTimeMillis();
    List<Future<Void>> done = new ArrayList<>();
    batch.forEach((k, ids) -> done.add(writes.serial(k.namespace(),
            () -> store.recordAccess(k.namespace(), ids, k.sessionId(), now))
        .onFailure(err -> LOG.warn("could not record {} ACCESS events: {}", ids.size(), err.getMessage()))));
    return Future.join(done).mapEmpty();
  }
}
