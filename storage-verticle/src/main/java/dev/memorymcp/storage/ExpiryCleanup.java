package dev.memorymcp.storage;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Memory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges expired memories. Expired memories already drop out of recall and lists the moment they
 * expire; this removes them for good, as ordinary deletes by the actor {@value #ACTOR}: each one
 * leaves a DELETE event carrying the whole memory in its history, and each namespace's purge is
 * one audit line. Runs on a timer ({@code ttl.cleanup_interval_minutes}) and on demand; one run at
 * a time (a request during a run waits for that run).
 */
final class ExpiryCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(ExpiryCleanup.class);
  static final String ACTOR = "ttl-cleanup";
  static final int SCAN_PAGE = 500;
  static final int DELETE_CHUNK = 100;

  private final Vertx vertx;
  private final MemoryStore store;
  private final MemoryService service;
  private Future<JsonObject> running;

  ExpiryCleanup(Vertx vertx, MemoryStore store, MemoryService service) {
    this.vertx = vertx;
    this.store = store;
    this.service = service;
  }

  /** Starts the timer; 0 minutes means on demand only. */
  void schedule(int minutes) {
    if (minutes > 0) {
      vertx.setPeriodic(minutes * 60_000L, t -> run(ACTOR, null).onFailure(err ->
          LOG.error("expiry cleanup failed: {}", err.getMessage())));
    }
  }

  /** Purges every memory expired now; replies {purged, namespaces: {ns: count}}. */
  Future<JsonObject> run(String actor, JsonObject requester) {
    if (running == null) {
      running = purge(actor, requester).onComplete(ar -> running = null);
    }
    return running;
  }

  private Future<JsonObject> purge(String actor, JsonObject requester) {
    long now = System.currentTimeMillis();
    Map<String, List<String>> expired = new LinkedHashMap<>();
    return collect(null, now, expired).compose(v -> {
      Future<Void> chain = Future.succeededFuture();
      JsonObject counts = new JsonObject();
      for (Map.Entry<String, List<String>> e : expired.entrySet()) {
        String ns = e.getKey();
        List<String> ids = e.getValue();
        for (int i = 0; i < ids.size(); i += DELETE_CHUNK) {
          List<String> chunk = ids.subList(i, Math.min(ids.size(), i + DELETE_CHUNK));
          chain = chain.compose(x -> service.delete(ns, chunk, ACTOR)).map(deleted -> {
            counts.put(ns, counts.getInteger(ns, 0) + deleted.size());
            audit(actor, requester, ns, deleted);
            return null;
          });
        }
      }
      return chain.map(x -> {
        int total = counts.stream().mapToInt(en -> (Integer) en.getValue()).sum();
        if (total > 0) {
          LOG.info("expiry cleanup purged {} memories in {} namespaces", total, counts.size());
        }
        return new JsonObject().put("purged", total).put("namespaces", counts);
      });
    });
  }

  /** Every expired memory of every namespace, page by page in id order. */
  private Future<Void> collect(String afterId, long now, Map<String, List<String>> out) {
    return store.scan(afterId, SCAN_PAGE).compose(page -> {
      for (Memory m : page) {
        if (m.expired(now)) {
          out.computeIfAbsent(m.namespace(), k -> new ArrayList<>()).add(m.id());
        }
      }
      return page.size() < SCAN_PAGE ? Future.succeededFuture()
          : collect(page.get(page.size() - 1).id(), now, out);
    });
  }

  private void audit(String actor, JsonObject requester, String ns, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    JsonObject line = new JsonObject().put("at", System.currentTimeMillis()).put("actor", actor)
        .put("action", "memory.purge").put("namespace", ns).put("ids", new JsonArray(ids.stream().limit(100).toList()))
        .put("outcome", "ok").put("detail", new JsonObject().put("count", ids.size()).put("reason", "expired"));
    if (requester != null) {
      line.put("actor_name", requester.getString("name")).put("role", requester.getString("role"));
    }
    vertx.eventBus().send(Addresses.AUDIT_APPEND, line);
  }
}
