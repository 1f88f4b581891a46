package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.storage.MemoryStore.Page;
import dev.memorymcp.storage.MemoryStore.Scored;
import dev.memorymcp.storage.internal.KeywordTerms;
import dev.memorymcp.storage.internal.ListCursor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** The reads and searches of the SQLite store: from the in-memory index where it holds the answer, else SQL (and Lucene for large namespaces). */
final class SqliteReads {
  /** Above this many vectors in a namespace, a search runs on a worker thread. */
  static final int BLOCKING_SCAN_THRESHOLD = 2000;

  private final Vertx vertx;
  private final SqliteDatabase db;
  private final VectorLoad load;
  private final Supplier<VectorIndex> currentIndex;
  private final Supplier<LuceneIndex> lucene;
  private final VectorIndexOptions vectorOptions;

  SqliteReads(Vertx vertx, SqliteDatabase db, VectorLoad load, Supplier<VectorIndex> currentIndex,
      Supplier<LuceneIndex> lucene, VectorIndexOptions vectorOptions) {
    this.vertx = vertx;
    this.db = db;
    this.load = load;
    this.currentIndex = currentIndex;
    this.lucene = lucene;
    this.vectorOptions = vectorOptions;
  }

  private boolean isLoaded() {
    return load.isLoaded();
  }

  private <T> Future<T> whenLoaded(Supplier<Future<T>> op) {
    return load.whenLoaded(op);
  }

  private <T> Future<T> read(java.util.function.Function<Pool, Future<T>> op) {
    return db.read(op);
  }

  private static Filters orNone(Filters filters) {
    return filters == null ? Filters.NONE : filters;
  }

  public Future<Memory> get(String namespace, String id) {
    if (!isLoaded()) {
      return whenLoaded(() -> get(namespace, id));
    }
    VectorIndex.Entry hit = currentIndex.get().get(namespace, id);
    if (hit != null) {
      return Future.succeededFuture(hit.memory());
    }
    return read(db -> db.preparedQuery(SqlQueries.GET_MEMORY).execute(Tuple.of(namespace, id))
        .map(rows -> rows.size() == 0 ? null : RowMapper.memory(rows.iterator().next())));
  }

  public Future<List<Memory>> getMany(String namespace, List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (!isLoaded()) {
      return whenLoaded(() -> getMany(namespace, ids));
    }
    List<Memory> indexed = new ArrayList<>(ids.size());
    for (String id : ids) {
      VectorIndex.Entry hit = currentIndex.get().get(namespace, id);
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

  public Future<Map<String, float[]>> vectors(String namespace, Collection<String> ids) {
    if (!isLoaded()) {
      return whenLoaded(() -> vectors(namespace, ids));
    }
    try {
      return Future.succeededFuture(currentIndex.get().vectors(namespace, ids));
    } catch (IllegalStateException unreadable) {
      return Future.failedFuture(unreadable);
    }
  }

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

  public Future<List<MemoryEvent>> history(String namespace, String id) {
    return read(db -> db.preparedQuery(SqlQueries.HISTORY).execute(Tuple.of(id, namespace))
        .map(rows -> {
          List<MemoryEvent> out = new ArrayList<>();
          rows.forEach(r -> out.add(RowMapper.event(r)));
          return out;
        }));
  }

  public Future<MemoryEvent> eventByWriteKey(String namespace, String writeKey) {
    return read(db -> db.preparedQuery(SqlQueries.EVENT_BY_WRITE_KEY).execute(Tuple.of(namespace, writeKey))
        .map(rows -> rows.size() == 0 ? null : RowMapper.event(rows.iterator().next())));
  }

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

  public Future<List<Scored>> vectorSearch(String namespace, float[] query, int k,
      Filters filters) {
    if (k <= 0 || query == null || query.length == 0) {
      return Future.succeededFuture(List.of());
    }
    if (!isLoaded()) {
      return whenLoaded(() -> vectorSearch(namespace, query, k, filters));
    }
    long now = System.currentTimeMillis();
    VectorIndex idx = currentIndex.get(); // the vectors of the model the caller's query vector was made with
    if (idx.size(namespace) > BLOCKING_SCAN_THRESHOLD) {
      return vertx.executeBlocking(() -> idx.search(namespace, query, k, orNone(filters), now),
          false);
    }
    return Future.succeededFuture(idx.search(namespace, query, k, orNone(filters), now));
  }

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
    VectorIndex idx = currentIndex.get();
    if (lucene.get() != null && !t.latin().isEmpty() && idx.size(namespace) >= vectorOptions.exactBelow()) {
      // Latin-script terms from Lucene (top k without scoring every match), the CJK ones from FTS5
      return vertx.executeBlocking(() -> idx.keyword(namespace, t.latin(), k, orNone(filters), now), false)
          .compose(latin -> read(db -> latin == null ? KeywordSearch.run(db, namespace, t, k, orNone(filters), now)
              : KeywordSearch.run(db, namespace, t.withoutLatin(), k, orNone(filters), now, latin)));
    }
    return read(db -> KeywordSearch.run(db, namespace, t, k, orNone(filters), now));
  }

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

  public Future<Long> count(String namespace) {
    return read(db -> (namespace == null
        ? db.query(SqlQueries.COUNT_ALL).execute()
        : db.preparedQuery(SqlQueries.COUNT_NAMESPACE).execute(Tuple.of(namespace)))
        .map(rows -> rows.iterator().next().getLong("n")));
  }

  public Future<List<Memory>> scan(String afterId, int limit) {
    return read(db -> db.preparedQuery(SqlQueries.SCAN)
        .execute(Tuple.of(afterId == null ? "" : afterId, limit))
        .map(rows -> {
          List<Memory> out = new ArrayList<>();
          rows.forEach(r -> out.add(RowMapper.memory(r)));
          return out;
        }));
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
}
