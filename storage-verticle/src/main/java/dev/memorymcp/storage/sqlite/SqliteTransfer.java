package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.StoreTransfer.Item;
import dev.memorymcp.storage.StoreTransfer.ItemPage;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Migration between backends on SQLite: a namespace's items (memory, vector, history, relations), read and written whole. */
final class SqliteTransfer {
  private final SqliteMemoryStore store;
  private final SqliteDatabase db;
  private final Supplier<VectorIndex> index;

  SqliteTransfer(SqliteMemoryStore store, SqliteDatabase db, Supplier<VectorIndex> index) {
    this.store = store;
    this.db = db;
    this.index = index;
  }

  public Future<List<String>> namespaces() {
    return db.read(pool -> pool.query(SqlQueries.TRANSFER_NAMESPACES).execute().map(rows -> {
      List<String> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getString(0)));
      return out;
    }));
  }

  public Future<Long> itemCount(String namespace) {
    return db.read(pool -> pool.preparedQuery(SqlQueries.TRANSFER_COUNT).execute(Tuple.of(namespace, namespace))
        .map(rows -> rows.iterator().next().getLong("n")));
  }

  public Future<ItemPage> readItems(String namespace, String cursor, int limit) {
    String after = cursor == null ? "" : cursor; // the cursor is the last id read
    return db.read(pool -> pool.preparedQuery(SqlQueries.TRANSFER_IDS).execute(Tuple.of(namespace, after, limit, namespace, after, limit, limit))
        .compose(rows -> {
          List<String> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.getString("id")));
          if (ids.isEmpty()) {
            return Future.succeededFuture(new ItemPage(List.of(), null));
          }
          Future<List<Memory>> memories = store.getMany(namespace, ids);
          Future<Map<String, float[]>> vectors = store.vectors(namespace, ids);
          Future<List<Relation>> relations = store.relations(namespace, ids);
          Future<Map<String, List<MemoryEvent>>> histories = pool.preparedQuery(SqlQueries.TRANSFER_HISTORIES)
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

  public Future<Void> writeItems(String namespace, List<Item> items) {
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Item> copy = List.copyOf(items);
    return db.write(c -> replaceItems(c, namespace, copy), v -> {
      VectorIndex current = index.get();
      for (Item item : copy) {
        current.remove(namespace, item.id());
        if (item.memory() != null && item.vector() != null) {
          current.put(item.memory(), item.vector());
        } else if (item.memory() != null) {
          current.refresh(item.memory());
        }
      }
    });
  }

  /**
   * Replaces each item's memory row (with its keyword indexes and vector), history and outgoing
   * relations in a namespace. An id held by another namespace is a conflict, never overwritten.
   */
  private static Void replaceItems(Connection c, String namespace, List<Item> items) throws SQLException {
    String idsJson = RowMapper.idsJson(items.stream().map(Item::id).toList());
    List<Row> rows = JdbcRows.query(c, SqlQueries.TRANSFER_ROWS, Tuple.of(idsJson));
    for (Row r : rows) {
      if (!namespace.equals(r.getString("namespace"))) {
        throw new MemoryException(ErrorCode.CONFLICT, "MEMORY_EXISTS", "memory "
            + r.getString("id") + " exists in namespace " + r.getString("namespace") + ", not " + namespace);
      }
    }
    for (Row r : rows) {
      JdbcTransactions.removeRow(c, r.getLong("seq"));
    }
    JdbcRows.exec(c, SqlQueries.TRANSFER_DELETE_EVENTS, Tuple.of(namespace, idsJson));
    JdbcRows.exec(c, SqlQueries.TRANSFER_DELETE_RELATIONS, Tuple.of(namespace, idsJson));
    for (Item item : items) {
      Memory m = item.memory();
      if (m != null) {
        JdbcRows.exec(c, SqlQueries.INSERT_MEMORY, RowMapper.insertParams(m));
        JdbcTransactions.indexText(c, m);
        if (item.vector() != null) {
          JdbcRows.exec(c, SqlQueries.UPSERT_VECTOR, RowMapper.vectorParams(m.id(), item.vector()));
        }
      }
    }
    JdbcRows.batch(c, SqlQueries.INSERT_EVENT,
        items.stream().flatMap(i -> i.history().stream()).map(RowMapper::eventParams).toList());
    JdbcRows.batch(c, SqlQueries.INSERT_RELATION,
        items.stream().flatMap(i -> i.relations().stream()).map(RowMapper::relationParams).toList());
    return null;
  }
}
