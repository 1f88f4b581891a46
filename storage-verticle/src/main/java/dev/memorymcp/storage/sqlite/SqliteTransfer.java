package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.StoreTransfer.Item;
import dev.memorymcp.storage.StoreTransfer.ItemPage;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
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
    return db.write(conn -> Transactions.writeItems(conn, namespace, copy), v -> {
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
}
