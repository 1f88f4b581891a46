package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.StoreTransfer;
import dev.memorymcp.storage.internal.JdbcWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one SQLite file in WAL mode, written through a single connection and read
 * through a small pool, with FTS5 keyword indexes and an in-memory vector index per namespace.
 * Every write is one transaction; its future completes after the commit and the index update.
 */
public final class SqliteMemoryStore implements MemoryStore, StoreTransfer {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteMemoryStore.class);

  public static final int BUSY_TIMEOUT_MS = 5000;

  private final Vertx vertx;
  private final Path dbFile;
  private final String synchronous;
  private final VectorIndexOptions vectorOptions;
  private final VectorLoad load = new VectorLoad();
  private final SqliteDatabase db;
  private final SqliteTransfer transfer;
  private final SqliteReads reads;
  /** Null with vector_index.kind=exact. */
  private LuceneIndex ann;
  private Runnable beforeIndexSync = () -> {};
  /** Replaced whole when an online rebuild switches models; a search keeps the one it started on. */
  private volatile VectorIndex index = new VectorIndex();
  private Future<Void> closing;

  /**
   * A store on {@code dbFile} (its parent directories are created on open) with SQLite's
   * {@code synchronous} mode FULL (an acknowledged write survives power loss) or NORMAL.
   */
  public SqliteMemoryStore(Vertx vertx, Path dbFile, String synchronous) {
    this(vertx, dbFile, synchronous, VectorIndexOptions.EXACT);
  }

  /** With vector search as {@code vectorOptions} says (an HNSW index in the file's directory, or exact). */
  public SqliteMemoryStore(Vertx vertx, Path dbFile, String synchronous, VectorIndexOptions vectorOptions) {
    String sync = synchronous == null ? "" : synchronous.toUpperCase(Locale.ROOT);
    if (!sync.equals("FULL") && !sync.equals("NORMAL")) {
      throw new IllegalArgumentException("synchronous must be FULL or NORMAL, got " + synchronous);
    }
    if (dbFile.toString().contains("?")) {
      throw new IllegalArgumentException("the database path must not contain '?': " + dbFile);
    }
    this.vertx = vertx;
    this.dbFile = dbFile.toAbsolutePath();
    this.synchronous = sync;
    this.vectorOptions = vectorOptions;
    this.db = new SqliteDatabase(vertx, this.dbFile, sync, load);
    this.transfer = new SqliteTransfer(this, db, () -> index);
    this.reads = new SqliteReads(vertx, db, load, () -> index, () -> ann, vectorOptions);
  }

  /** Opens the file (migrating it) and returns; the vectors load in the background (see {@link VectorLoad}). */
  @Override
  public Future<Void> open() {
    return db.open().compose(v -> {
      if (vectorOptions.hnsw()) {
        ann = new LuceneIndex(dbFile.resolveSibling("vector-index"), vectorOptions);
        ann.beforeSyncRun(beforeIndexSync);
        ann.open();
        index = new VectorIndex(ann, vectorOptions);
      }
      return db.reader().query(SqlQueries.COUNT_VECTORS).execute();
    }).map(rows -> {
      load.start(db.reader(), index, ann, rows.iterator().next().getLong(0), dbFile + ", synchronous=" + synchronous);
      return null;
    });
  }

  /** Null once loaded, else {state: loading, loaded, total} or {state: failed, error}. */
  public Map<String, Object> loadingStatus() {
    return load.status(index);
  }

  /** The JDBC URL of the writer or the readers (tests). */
  String jdbcUrl(boolean forWriter) {
    return db.jdbcUrl(forWriter);
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closing = db.close().compose(v -> ann == null ? Future.<Void>succeededFuture() : vertx.executeBlocking(() -> {
        ann.close();
        return null;
      }, false)).onSuccess(v -> LOG.info("closed {}", dbFile));
    }
    return closing;
  }

  @Override
  public String backend() {
    return "sqlite";
  }

  @Override
  public Future<ModelStamp> modelStamp() {
    return read(db -> db.query(SqlQueries.GET_META).execute()
        .map(rows -> RebuildVectors.stamp(rows, "embedding_model", "embedding_dimension")));
  }

  @Override
  public Future<Void> stampModel(ModelStamp stamp) {
    return write(c -> JdbcTransactions.stampModel(c, stamp), v -> {});
  }

  @Override
  public Future<Memory> get(String namespace, String id) {
    return reads.get(namespace, id);
  }

  @Override
  public Future<List<Memory>> getMany(String namespace, List<String> ids) {
    return reads.getMany(namespace, ids);
  }

  @Override
  public Future<Map<String, float[]>> vectors(String namespace, Collection<String> ids) {
    return reads.vectors(namespace, ids);
  }

  @Override
  public Future<Void> create(Memory memory, float[] vector, MemoryEvent event,
      List<Relation> relations) {
    return db.write(c -> JdbcTransactions.create(c, memory, vector, event,
        relations == null ? List.of() : relations), v -> {
      if (vector != null) {
        index.put(memory, vector);
      } else {
        index.refresh(memory); // no vector: the Lucene index still holds its text
      }
    });
  }

  @Override
  public Future<Void> update(Memory updated, float[] vector, MemoryEvent event) {
    return db.write(c -> JdbcTransactions.update(c, updated, vector, event), v -> {
      if (vector != null) {
        index.put(updated, vector);
      } else {
        index.refresh(updated);
      }
    });
  }

  @Override
  public Future<Void> writeAll(List<Write> writes) {
    if (writes.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.write(c -> {
      for (Write w : writes) {
        if (w.create()) {
          JdbcTransactions.create(c, w.memory(), w.vector(), w.event(), w.relations());
        } else {
          JdbcTransactions.update(c, w.memory(), w.vector(), w.event());
          JdbcTransactions.relate(c, w.relations());
        }
      }
      return null;
    }, v -> {
      for (Write w : writes) {
        if (w.vector() != null) {
          index.put(w.memory(), w.vector());
        } else {
          index.refresh(w.memory());
        }
      }
    });
  }

  @Override
  public Future<List<String>> delete(String namespace, List<String> ids, String actor,
      String sessionId) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    long now = System.currentTimeMillis();
    return write(c -> JdbcTransactions.delete(c, namespace, ids, actor, sessionId, now),
        deleted -> deleted.forEach(m -> index.remove(namespace, m.id())))
        .map(deleted -> deleted.stream().map(Memory::id).toList());
  }

  @Override
  public Future<Page> list(String namespace, Filters filters, int limit, String cursor) {
    return reads.list(namespace, filters, limit, cursor);
  }

  @Override
  public Future<List<MemoryEvent>> history(String namespace, String id) {
    return reads.history(namespace, id);
  }

  @Override
  public Future<MemoryEvent> eventByWriteKey(String namespace, String writeKey) {
    return reads.eventByWriteKey(namespace, writeKey);
  }

  @Override
  public Future<List<Relation>> relate(List<Relation> relations) {
    if (relations.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return write(c -> JdbcTransactions.relate(c, relations), r -> {});
  }

  @Override
  public Future<List<Relation>> relations(String namespace, Collection<String> ids) {
    return reads.relations(namespace, ids);
  }

  @Override
  public Future<List<Scored>> vectorSearch(String namespace, float[] query, int k,
      Filters filters) {
    return reads.vectorSearch(namespace, query, k, filters);
  }

  @Override
  public Future<List<Scored>> keywordSearch(String namespace, KeywordQuery query, int k,
      Filters filters) {
    return reads.keywordSearch(namespace, query, k, filters);
  }

  @Override
  public Future<Map<String, List<String>>> sessionNeighbours(String namespace, List<String> ids, int window,
      Filters filters) {
    return reads.sessionNeighbours(namespace, ids, window, filters);
  }

  @Override
  public Future<Void> recordAccess(String namespace, List<String> ids, String sessionId, long at) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return write(c -> JdbcTransactions.recordAccess(c, namespace, ids, sessionId, at),
        hit -> hit.forEach(id -> index.touch(namespace, id, at))).mapEmpty();
  }

  @Override
  public Future<Long> count(String namespace) {
    return reads.count(namespace);
  }

  @Override
  public Future<List<Memory>> scan(String afterId, int limit) {
    return reads.scan(afterId, limit);
  }

  @Override
  public Future<Void> replaceVectors(Map<String, float[]> vectorsById, String embeddingModel) {
    if (vectorsById.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, float[]> copy = new LinkedHashMap<>(vectorsById);
    return write(c -> JdbcTransactions.replaceVectors(c, copy, embeddingModel),
        views -> views.forEach(m -> index.put(m, copy.get(m.id())))).mapEmpty();
  }

  // ---- online rebuild ----

  @Override
  public boolean rebuildsOnline() {
    return true;
  }

  @Override
  public Future<ModelStamp> rebuildTarget() {
    return read(RebuildVectors::target);
  }

  @Override
  public Future<Void> beginRebuild(ModelStamp target) {
    return write(c -> RebuildVectors.begin(c, target), v -> {});
  }

  @Override
  public Future<Void> abandonRebuild() {
    return write(RebuildVectors::abandon, v -> {});
  }

  @Override
  public Future<List<Memory>> rebuildPending(String afterId, int limit) {
    return read(db -> RebuildVectors.pending(db, afterId, limit));
  }

  @Override
  public Future<Long> rebuildPendingCount() {
    return read(RebuildVectors::pendingCount);
  }

  @Override
  public Future<Void> putRebuildVectors(List<Memory> memories, List<float[]> vectors) {
    return write(c -> RebuildVectors.put(c, List.copyOf(memories), List.copyOf(vectors)), v -> {});
  }

  @Override
  public Future<Boolean> finishRebuild(ModelStamp target) {
    VectorIndex fresh = ann == null ? new VectorIndex() : new VectorIndex(ann, vectorOptions);
    // the new index is read inside the swapping transaction, so it holds exactly what was committed
    return write(c -> RebuildVectors.finish(c, target, fresh),
        done -> {
          if (done) {
            index = fresh;
            if (ann != null) {
              VectorLoad.syncLucene(db.reader(), ann, fresh); // every vector changed: exact search serves until the index holds the new ones
            }
          }
        });
  }

  // ---- StoreTransfer ----

  @Override
  public Future<List<String>> namespaces() {
    return transfer.namespaces();
  }

  @Override
  public Future<Long> itemCount(String namespace) {
    return transfer.itemCount(namespace);
  }

  @Override
  public Future<ItemPage> readItems(String namespace, String cursor, int limit) {
    return transfer.readItems(namespace, cursor, limit);
  }

  @Override
  public Future<Void> writeItems(String namespace, List<Item> items) {
    return transfer.writeItems(namespace, items);
  }

  /** A pragma's value on the writer (tests check its pragmas). */
  Future<Object> writerPragma(String name) {
    return db.writerPragma(name);
  }

  /** The reader pool. */
  Pool readerPool() {
    return db.reader();
  }

  /** The ANN index's state for health ({state, …}), or null when search is exact. */
  public Map<String, Object> vectorIndexStatus() {
    return ann == null ? null : ann.status();
  }

  /** What runs on the index thread as the start's sync begins comparing; set before {@link #open} (tests). */
  void beforeIndexSync(Runnable hook) {
    beforeIndexSync = hook;
  }

  /** Waits until the load and the Lucene index hold every change made so far (tests). */
  void flushVectorIndex() {
    load.await(); // the sync is queued at the end of the load
    if (ann != null) {
      ann.flush();
    }
  }

  /** Vector searches the ANN index answered (tests). */
  long annAnswered() {
    return ann == null ? 0 : ann.searches().answered();
  }

  /** Keyword searches the Lucene index answered (tests). */
  long annAnsweredKeyword() {
    return ann == null ? 0 : ann.searches().answeredKeyword();
  }

  /** Number of vectors indexed for a namespace (waits for the load; tests). */
  int indexedVectors(String namespace) {
    load.await();
    return index.size(namespace);
  }

  /** Memories the load put in without their vector, as the Lucene index held it (tests). */
  long loadedOffloaded() {
    load.await();
    return index.loadedOffloaded();
  }

  /** Vectors of a namespace still on the heap, the others offloaded to the Lucene index (waits for the load; tests). */
  int heapVectors(String namespace) {
    load.await();
    return index.heapVectors(namespace);
  }

  private <T> Future<T> write(JdbcWriter.Tx<T> tx, Consumer<T> afterCommit) {
    return db.write(tx, afterCommit);
  }

  private <T> Future<T> read(Function<Pool, Future<T>> op) {
    return db.read(op);
  }
}
