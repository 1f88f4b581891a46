package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads every vector into the in-memory index in the background (a million take tens of seconds),
 * so the store answers at once: what does not need the in-memory index (listing, history, counts,
 * the model stamp) is served meanwhile, and reads by id, searches and writes wait for the load
 * ({@link #status} tells health how far it is). A failed load fails them all.
 */
final class VectorLoad {
  private static final Logger LOG = LoggerFactory.getLogger(VectorLoad.class);
  static final int PAGE = 2000;

  /** Completes when every vector is in the in-memory index. */
  private volatile Future<Void> loaded = Future.succeededFuture();
  private volatile long total;
  private volatile Throwable error;

  /**
   * Starts loading the {@code total} stored vectors into {@code target} from {@code reader}, then
   * queues the Lucene index's sync ({@code ann}, null for exact search); {@code label} names the
   * store in the log.
   */
  void start(Pool reader, VectorIndex target, LuceneIndex ann, long total, String label) {
    this.total = total;
    Promise<Void> done = Promise.promise();
    loaded = done.future();
    long t0 = System.nanoTime();
    indexedHashes(ann, target)
        .compose(indexed -> RebuildVectors.load(reader, target, indexed, 0L, PAGE, 0))
        .compose(n -> syncLucene(reader, ann, target).map(n))
        .onSuccess(n -> LOG.info("opened {} ({} vectors loaded in {} ms)", label, n, (System.nanoTime() - t0) / 1_000_000))
        .onFailure(err -> {
          error = err;
          LOG.error("loading the vectors of {} failed; searches and writes are refused", label, err);
        })
        .onComplete(ar -> done.handle(ar.mapEmpty()));
  }

  /**
   * What the Lucene index holds, read on its thread before the load when the vectors it serves leave
   * the heap; {@link IndexedHashes#NONE} otherwise.
   */
  private static Future<IndexedHashes> indexedHashes(LuceneIndex ann, VectorIndex target) {
    if (ann == null || !target.offloads()) {
      return Future.succeededFuture(IndexedHashes.NONE);
    }
    io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    var read = ann.indexedHashes();
    return context == null ? Future.fromCompletionStage(read) : Future.fromCompletionStage(read, context);
  }

  /** Memories loaded above which the end of the sync collects the heap once. */
  static final long COLLECT_AFTER_LOAD = 100_000;

  /**
   * One full collection after a load of {@code loaded} memories, when large (at start, after a
   * model switch; called at the end of the sync): the load's garbage (rows, strings, and vectors
   * that then left the heap) grew the heap, and G1 keeps a grown heap until a marking cycle, which
   * a steady service may not start for hours. At 1M resident memory after recall was 4.5 GiB in a
   * run without it, 2.0–3.4 GiB with it (bench/RESULTS.md).
   */
  static void collectAfter(long loaded) {
    if (loaded < COLLECT_AFTER_LOAD) {
      return;
    }
    long t0 = System.nanoTime();
    System.gc();
    LOG.info("heap collected after loading {} memories in {} ms", loaded, (System.nanoTime() - t0) / 1_000_000);
  }

  /** Null once loaded, else {state: loading, loaded, total} or {state: failed, error}. */
  Map<String, Object> status(VectorIndex index) {
    if (error != null) {
      return Map.of("state", "failed", "error", String.valueOf(error.getMessage()));
    }
    return loaded.isComplete() ? null : Map.of("state", "loading", "loaded", (long) index.total(), "total", total);
  }

  /** Whether the in-memory index holds every vector (false while loading, and after a failed load). */
  boolean isLoaded() {
    Future<Void> l = loaded;
    return l.isComplete() && l.succeeded();
  }

  /** Runs {@code op} once the in-memory index is loaded (at once when it is; fails as the load did). */
  <T> Future<T> whenLoaded(Supplier<Future<T>> op) {
    return isLoaded() ? op.get() : loaded.compose(v -> op.get());
  }

  /** Blocks until the load has ended (tests). */
  void await() {
    loaded.await();
  }

  /**
   * Queues the Lucene index's sync with {@code loaded} plus the memories stored without a vector.
   * Those are looked for only when there are fewer vectors than memories (a vector's key is its
   * memory's): at a million memories the search is a million index lookups, the counts are not.
   */
  static Future<Void> syncLucene(Pool reader, LuceneIndex ann, VectorIndex loaded) {
    if (ann == null) {
      return Future.succeededFuture();
    }
    return reader.query(SqlQueries.COUNT_ALL_AND_VECTORS).execute().compose(counts -> {
      var row = counts.iterator().next();
      if (row.getLong("memories").equals(row.getLong("vectors"))) {
        return Future.succeededFuture(List.<Memory>of());
      }
      return reader.query(SqlQueries.WITHOUT_VECTORS).execute().map(rows -> {
        List<Memory> bare = new ArrayList<>();
        rows.forEach(r -> bare.add(RowMapper.memory(r)));
        return bare;
      });
    }).map(bare -> {
      ann.sync(loaded, bare);
      return null;
    });
  }
}
