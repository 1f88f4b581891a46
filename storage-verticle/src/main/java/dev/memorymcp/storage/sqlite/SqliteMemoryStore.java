package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.internal.KeywordTerms;
import dev.memorymcp.storage.internal.ListCursor;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.StoreTransfer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded store: one SQLite file in WAL mode, written through a single connection and read
 * through a small pool, with FTS5 keyword indexes and an in-memory vector index per namespace.
 * Every write is one transaction; its future completes after the commit and the index update.
 */
public final class SqliteMemoryStore implements MemoryStore, StoreTransfer {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteMemoryStore.class);

  public static final int BUSY_TIMEOUT_MS = 5000;
  static final int READERS = 2;
  /** Above this many vectors in a namespace, a search runs on a worker thread. */
  static final int BLOCKING_SCAN_THRESHOLD = 2000;
  private static final int LOAD_PAGE = 2000;

  private final Vertx vertx;
  private final Path dbFile;
  private final String synchronous;
  private final VectorIndexOptions vectorOptions;
  /** Completes when every vector is in the in-memory index (see startLoad). */
  private volatile Future<Void> loaded = Future.succeededFuture();
  private volatile long loadTotal;
  private volatile Throwable loadError;
  /** Null with vector_index.kind=exact. */
  private LuceneIndex ann;
  /** Replaced whole when an online rebuild switches models; a search keeps the one it started on. */
  private volatile VectorIndex index = new VectorIndex();
  private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile Pool writer;
  private volatile Pool reader;
  private volatile boolean closed;
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
  }

  @Override
  public Future<Void> open() {
    Path dir = dbFile.getParent();
    Future<Void> dirs = dir == null ? Future.succeededFuture()
        : vertx.fileSystem().mkdirs(dir.toString());
    return dirs.compose(v -> {
      writer = JDBCPool.pool(vertx, connectOptions(true), new PoolOptions().setMaxSize(1));
      return Migrations.apply(vertx, writer);
    }).compose(applied -> {
      reader = JDBCPool.pool(vertx, connectOptions(false), new PoolOptions().setMaxSize(READERS));
      if (vectorOptions.hnsw()) {
        ann = new LuceneIndex(dbFile.resolveSibling("vector-index"));
        ann.open();
        index = new VectorIndex(ann, vectorOptions);
      }
      return reader.query(SqlQueries.COUNT_VECTORS).execute();
    }).map(rows -> {
      loadTotal = rows.iterator().next().getLong(0);
      startLoad();
      return null;
    });
  }

  /**
   * Loads every vector into the in-memory index in the background (a million take tens of seconds),
   * so the store answers at once: what does not need the in-memory index (listing, history, counts,
   * the model stamp) is served meanwhile, and reads by id, searches and writes wait for the load
   * ({@link #loadingStatus} tells health how far it is).
   */
  private void startLoad() {
    Promise<Void> done = Promise.promise();
    loaded = done.future();
    long t0 = System.nanoTime();
    VectorIndex target = index;
    RebuildVectors.load(reader, target, 0L, LOAD_PAGE, 0)
        .compose(n -> syncLucene(target).map(n))
        .onSuccess(n -> LOG.info("opened {} (synchronous={}, {} vectors loaded in {} ms)", dbFile, synchronous, n,
            (System.nanoTime() - t0) / 1_000_000))
        .onFailure(err -> {
          loadError = err;
          LOG.error("loading the vectors of {} failed; searches and writes are refused", dbFile, err);
        })
        .onComplete(ar -> done.handle(ar.mapEmpty()));
  }

  /** Null once loaded, else {state: loading, loaded, total} or {state: failed, error}. */
  public Map<String, Object> loadingStatus() {
    if (loadError != null) {
      return Map.of("state", "failed", "error", String.valueOf(loadError.getMessage()));
    }
    return loaded.isComplete() ? null
        : Map.of("state", "loading", "loaded", (long) index.total(), "total", loadTotal);
  }

  /** Whether the in-memory index holds every vector (false while loading, and after a failed load). */
  private boolean isLoaded() {
    Future<Void> l = loaded;
    return l.isComplete() && l.succeeded();
  }

  /** Runs {@code op} once the in-memory index is loaded (at once when it is; fails as the load did). */
  private <T> Future<T> whenLoaded(java.util.function.Supplier<Future<T>> op) {
    return isLoaded() ? op.get() : loaded.compose(v -> op.get());
  }

  /** Queues the Lucene index's sync with {@code loaded} plus the memories stored without a vector. */
  private Future<Void> syncLucene(VectorIndex loaded) {
    if (ann == null) {
      return Future.succeededFuture();
    }
    return reader.query(SqlQueries.WITHOUT_VECTORS).execute().map(rows -> {
      List<Memory> bare = new ArrayList<>();
      rows.forEach(r -> bare.add(RowMapper.memory(r)));
      ann.sync(loaded, bare);
      return null;
    });
  }

  /** The JDBC URL; sqlite-jdbc applies the query parameters as pragmas on every connection. */
  String jdbcUrl(boolean forWriter) {
    String common = "busy_timeout=" + BUSY_TIMEOUT_MS + "&foreign_keys=true";
    return "jdbc:sqlite:" + dbFile + "?" + (forWriter
        ? "journal_mode=WAL&synchronous=" + synchronous + "&transaction_mode=IMMEDIATE&" + common
        : "open_mode=1&" + common); // 1 = SQLITE_OPEN_READONLY
  }

  private JDBCConnectOptions connectOptions(boolean forWriter) {
    return new JDBCConnectOptions().setJdbcUrl(jdbcUrl(forWriter))
        .setExtraConfig(new JsonObject().put("decoderCls", SqliteDecoder.class.getName())
            .put("encoderCls", SqliteEncoder.class.getName()));
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closed = true;
      List<Future<?>> pending = new ArrayList<>(inFlight);
      closing = Future.join(pending).transform(ar -> {
        List<Future<Void>> pools = new ArrayList<>();
        if (reader != null) {
          pools.add(reader.close());
        }
        if (writer != null) {
          pools.add(writer.close());
        }
        if (ann != null) {
          pools.add(vertx.executeBlocking(() -> {
            ann.close();
            return null;
          }, false));
        }
        return Future.all(pools).<Void>mapEmpty();
      }).onSuccess(v -> LOG.info("closed {}", dbFile));
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
    return write(conn -> Transactions.stampModel(conn, stamp), v -> {});
  }

  @Override
  public Future<Memory> get(String namespace, String id) {
    if (!isLoaded()) {
      return whenLoaded(() -> get(namespace, id));
    }
    VectorIndex.Entry hit = index.get(namespace, id);
    if (hit != null) {
      return Future.succeededFuture(hit.memory());
    }
    return read(db -> db.preparedQuery(SqlQueries.GET_MEMORY).execute(Tuple.of(namespace, id))
        .map(rows -> rows.size() == 0 ? null : RowMapper.memory(rows.iterator().next())));
  }

  @Override
  public Future<List<Memory>> getMany(String namespace, List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (!isLoaded()) {
      return whenLoaded(() -> getMany(namespace, ids));
    }
    List<Memory> indexed = new ArrayList<>(ids.size());
    for (String id : ids) {
      VectorIndex.Entry hit = index.get(namespace, id);
      if (hit == null) {
        break;
      }
      indexed.add(hit.memory());
    }
    if (indexed.size() == ids.size()) {
      return Future.succeededFuture(indexed); // the recall path: no SQL
    }
    return read(db -> db.preparedQuery(SqlQueries.GET_MEMORIES)
        .execute(Tuple.of(namespace, RowMapper.idsJson(ids)))
        .map(rows -> {
          Map<String, Memory> byId = new HashMap<>();
          rows.forEach(r -> byId.put(r.getString("id"), RowMapper.memory(r)));
          return ids.stream().filter(byId::containsKey).map(byId::get).toList();
        }));
  }

  @Override
  public Future<Map<String, float[]>> vectors(String namespace, Collection<String> ids) {
    if (!isLoaded()) {
      return whenLoaded(() -> vectors(namespace, ids));
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String id : ids) {
      VectorIndex.Entry e = index.get(namespace, id);
      if (e != null) {
        out.put(id, e.vector().clone());
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<Void> create(Memory memory, float[] vector, MemoryEvent event,
      List<Relation> relations) {
    return write(conn -> Transactions.create(conn, memory, vector, event,
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
    return write(conn -> Transactions.update(conn, updated, vector, event), v -> {
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
    return write(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (Write w : writes) {
        chain = chain.compose(v -> w.create()
            ? Transactions.create(conn, w.memory(), w.vector(), w.event(), w.relations())
            : Transactions.update(conn, w.memory(), w.vector(), w.event())
                .compose(u -> w.relations().isEmpty() ? Future.succeededFuture()
                    : Transactions.relate(conn, w.relations()).mapEmpty()));
      }
      return chain;
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
    return write(conn -> Transactions.delete(conn, namespace, ids, actor, sessionId, now),
        deleted -> deleted.forEach(m -> index.remove(namespace, m.id())))
        .map(deleted -> deleted.stream().map(Memory::id).toList());
  }

  @Override
  public Future<Page> list(String namespace, Filters filters, int limit, String cursor) {
    int pageSize = Math.max(1, limit);
    return read(db -> {
      ListCursor after = cursor == null || cursor.isBlank() ? null : ListCursor.decode(cursor);
      FilterSql.Clause where = FilterSql.of(orNone(filters), System.currentTimeMillis());
      Tuple params = RowMapper.flat(namespace, where.params(),
          after == null ? List.of() : List.of(after.createdAt(), after.seq()), pageSize + 1);
      return db.preparedQuery(SqlQueries.listPage(where.sql(), after != null)).execute(params)
          .map(rows -> page(rows, pageSize));
    });
  }

  /** The first {@code limit} rows; a cursor after the last of them when there are more. */
  private static Page page(RowSet<Row> rows, int limit) {
    List<Memory> memories = new ArrayList<>();
    ListCursor next = null;
    long lastSeq = 0;
    for (Row r : rows) {
      if (memories.size() == limit) {
        next = new ListCursor(memories.get(limit - 1).createdAt(), lastSeq);
        break;
      }
      memories.add(RowMapper.memory(r));
      lastSeq = r.getLong("seq");
    }
    return new Page(memories, next == null ? null : next.encode());
  }

  @Override
  public Future<List<MemoryEvent>> history(String namespace, String id) {
    return read(db -> db.preparedQuery(SqlQueries.HISTORY).execute(Tuple.of(id, namespace))
        .map(rows -> {
          List<MemoryEvent> out = new ArrayList<>();
          rows.forEach(r -> out.add(RowMapper.event(r)));
          return out;
        }));
  }

  @Override
  public Future<MemoryEvent> eventByWriteKey(String namespace, String writeKey) {
    return read(db -> db.preparedQuery(SqlQueries.EVENT_BY_WRITE_KEY).execute(Tuple.of(namespace, writeKey))
        .map(rows -> rows.size() == 0 ? null : RowMapper.event(rows.iterator().next())));
  }

  @Override
  public Future<List<Relation>> relate(List<Relation> relations) {
    if (relations.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return write(conn -> Transactions.relate(conn, relations), r -> {});
  }

  @Override
  public Future<List<Relation>> relations(String namespace, Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    String idsJson = RowMapper.idsJson(ids);
    return read(db -> db.preparedQuery(SqlQueries.RELATIONS_OF)
        .execute(Tuple.of(namespace, idsJson, namespace, idsJson))
        .map(rows -> {
          List<Relation> out = new ArrayList<>();
          rows.forEach(r -> out.add(RowMapper.relation(r)));
          return out;
        }));
  }

  @Override
  public Future<List<Scored>> vectorSearch(String namespace, float[] query, int k,
      Filters filters) {
    if (k <= 0 || query == null || query.length == 0) {
      return Future.succeededFuture(List.of());
    }
    if (!isLoaded()) {
      return whenLoaded(() -> vectorSearch(namespace, query, k, filters));
    }
    long now = System.currentTimeMillis();
    VectorIndex idx = index; // the vectors of the model the caller's query vector was made with
    if (idx.size(namespace) > BLOCKING_SCAN_THRESHOLD) {
      return vertx.executeBlocking(() -> idx.search(namespace, query, k, orNone(filters), now),
          false);
    }
    return Future.succeededFuture(idx.search(namespace, query, k, orNone(filters), now));
  }

  @Override
  public Future<List<Scored>> keywordSearch(String namespace, KeywordQuery query, int k,
      Filters filters) {
    KeywordTerms t = KeywordTerms.of(query);
    if (t.isEmpty() || k <= 0) {
      return Future.succeededFuture(List.of());
    }
    if (!isLoaded()) {
      return whenLoaded(() -> keywordSearch(namespace, query, k, filters));
    }
    long now = System.currentTimeMillis();
    VectorIndex idx = index;
    if (ann != null && !t.latin().isEmpty() && idx.size(namespace) >= vectorOptions.exactBelow()) {
      // Latin-script terms from Lucene (top k without scoring every match), the CJK ones from FTS5
      return vertx.executeBlocking(() -> idx.keyword(namespace, t.latin(), k, orNone(filters), now), false)
          .compose(latin -> read(db -> latin == null ? KeywordSearch.run(db, namespace, t, k, orNone(filters), now)
              : KeywordSearch.run(db, namespace, t.withoutLatin(), k, orNone(filters), now, latin)));
    }
    return read(db -> KeywordSearch.run(db, namespace, t, k, orNone(filters), now));
  }

  @Override
  public Future<Map<String, List<String>>> sessionNeighbours(String namespace, List<String> ids, int window,
      Filters filters) {
    if (ids.isEmpty() || window <= 0) {
      return Future.succeededFuture(Map.of());
    }
    FilterSql.Clause where = FilterSql.of(orNone(filters), System.currentTimeMillis());
    String targets = new JsonArray(ids).encode();
    return read(db -> db.preparedQuery(SqlQueries.sessionNeighbours(where.sql()))
        .execute(RowMapper.flat(namespace, namespace, targets, where.params(), window, window, targets))
        .map(rows -> {
          Map<String, List<String>> out = new LinkedHashMap<>();
          for (Row r : rows) {
            out.computeIfAbsent(r.getString("target"), k -> new ArrayList<>()).add(r.getString("neighbour"));
          }
          return out;
        }));
  }

  @Override
  public Future<Void> recordAccess(String namespace, List<String> ids, String sessionId, long at) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return write(conn -> Transactions.recordAccess(conn, namespace, ids, sessionId, at),
        hit -> hit.forEach(id -> index.touch(namespace, id, at))).mapEmpty();
  }

  @Override
  public Future<Long> count(String namespace) {
    return read(db -> (namespace == null
        ? db.query(SqlQueries.COUNT_ALL).execute()
        : db.preparedQuery(SqlQueries.COUNT_NAMESPACE).execute(Tuple.of(namespace)))
        .map(rows -> rows.iterator().next().getLong("n")));
  }

  @Override
  public Future<List<Memory>> scan(String afterId, int limit) {
    return read(db -> db.preparedQuery(SqlQueries.SCAN)
        .execute(Tuple.of(afterId == null ? "" : afterId, limit))
        .map(rows -> {
          List<Memory> out = new ArrayList<>();
          rows.forEach(r -> out.add(RowMapper.memory(r)));
          return out;
        }));
  }

  @Override
  public Future<Void> replaceVectors(Map<String, float[]> vectorsById, String embeddingModel) {
    if (vectorsById.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, float[]> copy = new LinkedHashMap<>(vectorsById);
    return write(conn -> Transactions.replaceVectors(conn, copy, embeddingModel),
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
    return write(conn -> RebuildVectors.begin(conn, target), v -> {});
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
    return write(conn -> RebuildVectors.put(conn, List.copyOf(memories), List.copyOf(vectors)), v -> {});
  }

  @Override
  public Future<Boolean> finishRebuild(ModelStamp target) {
    VectorIndex fresh = ann == null ? new VectorIndex() : new VectorIndex(ann, vectorOptions);
    // the new index is read inside the swapping transaction, so it holds exactly what was committed
    return write(conn -> RebuildVectors.finish(conn, target).compose(done -> !done ? Future.succeededFuture(false)
            : RebuildVectors.load(conn, fresh, 0L, LOAD_PAGE, 0).map(true)),
        done -> {
          if (done) {
            index = fresh;
            if (ann != null) {
              syncLucene(fresh); // every vector changed: exact search serves until the index holds the new ones
            }
          }
        });
  }

  // ---- StoreTransfer ----

  @Override
  public Future<List<String>> namespaces() {
    return read(db -> db.query(SqlQueries.TRANSFER_NAMESPACES).execute().map(rows -> {
      List<String> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getString(0)));
      return out;
    }));
  }

  @Override
  public Future<Long> itemCount(String namespace) {
    return read(db -> db.preparedQuery(SqlQueries.TRANSFER_COUNT).execute(Tuple.of(namespace, namespace))
        .map(rows -> rows.iterator().next().getLong("n")));
  }

  @Override
  public Future<ItemPage> readItems(String namespace, String cursor, int limit) {
    String after = cursor == null ? "" : cursor; // the cursor is the last id read
    return read(db -> db.preparedQuery(SqlQueries.TRANSFER_IDS).execute(Tuple.of(namespace, after, limit, namespace, after, limit, limit))
        .compose(rows -> {
          List<String> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.getString("id")));
          if (ids.isEmpty()) {
            return Future.succeededFuture(new ItemPage(List.of(), null));
          }
          Future<List<Memory>> memories = getMany(namespace, ids);
          Future<Map<String, float[]>> vectors = vectors(namespace, ids);
          Future<List<Relation>> relations = relations(namespace, ids);
          Future<Map<String, List<MemoryEvent>>> histories = db.preparedQuery(SqlQueries.TRANSFER_HISTORIES)
              .execute(Tuple.of(namespace, RowMapper.idsJson(ids))).map(evs -> {
                Map<String, List<MemoryEvent>> byId = new HashMap<>();
                evs.forEach(r -> byId.computeIfAbsent(r.getString("memory_id"), k -> new ArrayList<>()).add(RowMapper.event(r)));
                return byId;
              });
          return Future.all(memories, vectors, relations, histories).map(cf -> {
            Map<String, Memory> byId = new HashMap<>();
            memories.result().forEach(m -> byId.put(m.id(), m));
            List<Item> out = new ArrayList<>();
            for (String id : ids) {
              out.add(new Item(id, byId.get(id), vectors.result().get(id),
                  histories.result().getOrDefault(id, List.of()),
                  relations.result().stream().filter(r -> r.sourceId().equals(id)).toList()));
            }
            return new ItemPage(out, ids.size() < limit ? null : ids.get(ids.size() - 1));
          });
        }));
  }

  @Override
  public Future<Void> writeItems(String namespace, List<Item> items) {
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Item> copy = List.copyOf(items);
    return write(conn -> Transactions.writeItems(conn, namespace, copy), v -> {
      for (Item item : copy) {
        index.remove(namespace, item.id());
        if (item.memory() != null && item.vector() != null) {
          index.put(item.memory(), item.vector());
        } else if (item.memory() != null) {
          index.refresh(item.memory());
        }
      }
    });
  }

  /** The writer pool (tests check its pragmas). */
  Pool writerPool() {
    return writer;
  }

  /** The reader pool. */
  Pool readerPool() {
    return reader;
  }

  /** The ANN index's state for health ({state, …}), or null when search is exact. */
  public Map<String, Object> vectorIndexStatus() {
    return ann == null ? null : ann.status();
  }

  /** Waits until the load and the Lucene index hold every change made so far (tests). */
  void flushVectorIndex() {
    loaded.await(); // the sync is queued at the end of the load
    if (ann != null) {
      ann.flush();
    }
  }

  /** Vector searches the ANN index answered (tests). */
  long annAnswered() {
    return ann == null ? 0 : ann.answered();
  }

  /** Keyword searches the Lucene index answered (tests). */
  long annAnsweredKeyword() {
    return ann == null ? 0 : ann.answeredKeyword();
  }

  /** Number of vectors indexed for a namespace (waits for the load; tests). */
  int indexedVectors(String namespace) {
    loaded.await();
    return index.size(namespace);
  }

  /**
   * Runs {@code tx} in one transaction on the writer; after the commit runs {@code afterCommit}
   * (index updates), then completes. Tracked so that close() waits for it.
   */
  private <T> Future<T> write(Function<SqlConnection, Future<T>> tx, Consumer<T> afterCommit) {
    Future<T> f;
    synchronized (this) { // against close(): every write it does not refuse, it waits for
      if (writer == null || closed) {
        return Future.failedFuture(notOpen());
      }
      // a write waits for the load: the load must not put a row it read before this write over its entry
      f = whenLoaded(() -> commit(tx, afterCommit));
      inFlight.add(f);
    }
    f.onComplete(ar -> inFlight.remove(f));
    return f;
  }

  private <T> Future<T> commit(Function<SqlConnection, Future<T>> tx, Consumer<T> afterCommit) {
    return writer.withTransaction(tx)
        .recover(err -> Future.failedFuture(translate(err)))
        .map(r -> {
          try {
            afterCommit.accept(r);
          } catch (RuntimeException e) { // committed: report success, keep the index going
            LOG.error("vector index update after commit failed", e);
          }
          return r;
        });
  }

  private <T> Future<T> read(Function<Pool, Future<T>> op) {
    Pool db = reader;
    if (db == null || closed) {
      return Future.failedFuture(notOpen());
    }
    try {
      return op.apply(db);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static Filters orNone(Filters filters) {
    return filters == null ? Filters.NONE : filters;
  }

  private static MemoryException notOpen() {
    return new MemoryException(ErrorCode.UNAVAILABLE, "STORE_UNAVAILABLE", "the store is not open");
  }

  /** A duplicate memory id becomes 409 MEMORY_EXISTS; other failures pass unchanged. */
  private static Throwable translate(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException se
          && (se.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
          || se.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)
          && String.valueOf(se.getMessage()).contains("memories.id")) {
        return new MemoryException(ErrorCode.CONFLICT, "MEMORY_EXISTS",
            "a memory with this id already exists");
      }
    }
    if (!(err instanceof MemoryException)) {
      LOG.warn("write transaction failed", err);
    }
    return err;
  }
}
