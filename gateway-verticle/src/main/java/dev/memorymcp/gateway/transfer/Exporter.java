package dev.memorymcp.gateway.transfer;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Writes an export as JSON Lines: a header line ({@code {"format": "memory-export", "version": 1,
 * "model", "dimension", "with_vectors", "exported_at"}}), then one line per memory id with its
 * memory, whole history and outgoing relations, namespace after namespace, a page at a time. The
 * sink returns a future that completes when it can take more (backpressure). Used by
 * {@code GET /api/v1/export} and the {@code export} command.
 */
public final class Exporter {
  public static final String FORMAT = "memory-export";
  public static final int VERSION = 1;
  static final int PAGE = 200;

  /** Progress: lines written so far and the total expected (memory ids). */
  public interface Progress {
    void update(long done, long total);
  }

  private final Vertx vertx;
  private final GatedBus bus;

  public Exporter(Vertx vertx, GatedBus bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  /**
   * Exports {@code namespaces} (null: every namespace), optionally only memories whose scope_id is
   * {@code scopeId}; completes with the number of memory lines written.
   */
  public Future<Long> export(Caller caller, List<String> namespaces, String scopeId, boolean withVectors,
      Function<String, Future<Void>> sink, Progress progress) {
    Future<List<String>> nss = namespaces != null ? Future.succeededFuture(namespaces)
        : bus.request(caller, Addresses.STORE_NAMESPACES, new JsonObject())
            .map(r -> r.getJsonArray("namespaces", new JsonArray()).stream().map(String::valueOf).toList());
    Future<JsonObject> stats = Bus.request(vertx, Addresses.STORE_STATS, new JsonObject(), 30_000);
    return Future.all(nss, stats).compose(cf -> {
      JsonObject s = stats.result();
      JsonObject header = new JsonObject().put("format", FORMAT).put("version", VERSION)
          .put("model", s.getString("model")).put("dimension", s.getInteger("dimension"))
          .put("with_vectors", withVectors).put("exported_at", Instant.now().toString())
          .put("namespaces", new JsonArray(nss.result()));
      long total = s.getLong("memories", 0L);
      long[] done = {0};
      Future<Void> chain = sink.apply(header.encode() + "\n");
      for (String ns : nss.result()) {
        chain = chain.compose(v -> page(caller, ns, null, scopeId, withVectors, sink, progress, done, total));
      }
      return chain.map(v -> done[0]);
    });
  }

  private Future<Void> page(Caller caller, String ns, String cursor, String scopeId, boolean withVectors,
      Function<String, Future<Void>> sink, Progress progress, long[] done, long total) {
    JsonObject req = new JsonObject().put("namespace", ns).put("limit", PAGE).put("with_vectors", withVectors);
    if (cursor != null) {
      req.put("cursor", cursor);
    }
    return bus.request(caller, Addresses.STORE_EXPORT_PAGE, req, 120_000).compose(r -> {
      StringBuilder lines = new StringBuilder();
      for (Object o : r.getJsonArray("items", new JsonArray())) {
        JsonObject line = (JsonObject) o;
        if (scopeId == null || scopeId.equals(scopeIdOf(line))) {
          lines.append(line.encode()).append('\n');
          done[0]++;
        }
      }
      progress.update(done[0], Math.max(total, done[0]));
      String next = r.getString("cursor");
      return sink.apply(lines.toString()).compose(v -> next == null ? Future.succeededFuture()
          : page(caller, ns, next, scopeId, withVectors, sink, progress, done, total));
    });
  }

  /** The memory's scope_id, or for a deleted memory the one its CREATE event recorded. */
  private static String scopeIdOf(JsonObject line) {
    JsonObject m = line.getJsonObject("memory");
    if (m != null) {
      return m.getString("scope_id");
    }
    for (Object e : line.getJsonArray("history", new JsonArray())) {
      JsonObject data = ((JsonObject) e).getJsonObject("data");
      if (data != null && data.getJsonObject("memory") != null) {
        return data.getJsonObject("memory").getString("scope_id");
      }
    }
    return null;
  }
}
