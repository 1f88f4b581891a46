package dev.memorymcp.storage.migrate;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.StoreTransfer;
import dev.memorymcp.storage.qdrant.QdrantMemoryStore;
import dev.memorymcp.storage.sqlite.SqliteMemoryStore;
import dev.memorymcp.storage.sqlite.VectorIndexOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * The stores a migration reads and writes: the storage member's live store for its configured
 * backend (shared, never closed by the job), or the other backend opened for the job from the same
 * settings ({@code <data dir>/memory.db}, or {@code qdrant.url} and its collection prefix) and
 * closed after it.
 */
public final class StoreOpeners implements MigrationJobs.StoreOpener {
  private final Vertx vertx;
  private final JsonObject cfg;
  private final MemoryStore live;
  private final Path sqliteFile;

  public StoreOpeners(Vertx vertx, JsonObject cfg, MemoryStore live, Path sqliteFile) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.live = live;
    this.sqliteFile = sqliteFile;
  }

  @Override
  public Future<MigrationJobs.Opened> open(String kind) {
    if (kind.equals(live.backend())) {
      return transferable(live).map(s -> new MigrationJobs.Opened(s, Future::succeededFuture));
    }
    MemoryStore store;
    if ("sqlite".equals(kind)) {
      // this member holds the data dir lock, so no other process has the file open
      store = new SqliteMemoryStore(vertx, sqliteFile, cfg.getString("storage.synchronous", "FULL"),
          VectorIndexOptions.from(cfg));
    } else {
      String url = cfg.getString("qdrant.url", "");
      if (url.isBlank()) {
        return Future.failedFuture(MemoryException.invalidField("target",
            "Qdrant is not configured: set MEMORY_MCP_QDRANT_URL (its gRPC address, e.g. http://127.0.0.1:6334)"));
      }
      try {
        store = new QdrantMemoryStore(vertx, url, cfg.getString("qdrant.api_key", ""),
            cfg.getString("qdrant.collection_prefix", "memory_"));
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(MemoryException.invalidField("qdrant.url", e.getMessage()));
      }
    }
    MemoryStore opened = store;
    return opened.open().compose(v -> transferable(opened))
        .map(s -> new MigrationJobs.Opened(s, opened::close))
        .recover(err -> opened.close().transform(x -> Future.failedFuture(err)));
  }

  private static Future<Migration.Store> transferable(MemoryStore store) {
    if (store instanceof StoreTransfer t) {
      return Future.succeededFuture(new Migration.Store(store, t));
    }
    return Future.failedFuture(new MemoryException(ErrorCode.INTERNAL, "NOT_MIGRATABLE",
        "the " + store.backend() + " store cannot take part in a migration yet"));
  }
}
