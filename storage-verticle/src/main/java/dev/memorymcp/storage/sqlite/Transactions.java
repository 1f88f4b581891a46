package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.MemoryStore;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import dev.memorymcp.storage.StoreTransfer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bodies of the less frequent write transactions (delete, relate, access, vectors, transfer),
 * through the pooled writer: each runs inside the transaction the store opened, and a failed step
 * fails the returned future and so rolls everything back. A memory's create and update are in
 * {@link JdbcTransactions}.
 */
final class Transactions {
  private Transactions() {}

  /** Deletes the memories of {@code ids} that exist; returns them (in the order of ids). */
  static Future<List<Memory>> delete(SqlConnection conn, String namespace, List<String> ids,
      String actor, String sessionId, long now) {
    String idsJson = RowMapper.idsJson(new LinkedHashSet<>(ids));
    return conn.preparedQuery(SqlQueries.GET_MEMORIES).execute(Tuple.of(namespace, idsJson))
        .compose(rows -> {
          Map<String, Row> byId = new HashMap<>();
          rows.forEach(r -> byId.put(r.getString("id"), r));
          List<Memory> deleted = new ArrayList<>();
          List<Tuple> seqs = new ArrayList<>();
          List<Tuple> events = new ArrayList<>();
          for (String id : new LinkedHashSet<>(ids)) {
            Row row = byId.get(id);
            if (row != null) {
              Memory m = RowMapper.memory(row);
              deleted.add(m);
              seqs.add(Tuple.of(row.getLong("seq")));
              events.add(RowMapper.eventParams(MemoryEvent.of(id, namespace, MemoryEvent.DELETE,
                  actor, sessionId, new JsonObject().put("memory", m.toJson()), now)));
            }
          }
          return batch(conn, SqlQueries.INSERT_EVENT, events)
              .compose(v -> unindexText(conn, seqs))
              .compose(v -> batch(conn, SqlQueries.DELETE_VECTOR, seqs))
              .compose(v -> batch(conn, SqlQueries.DELETE_MEMORY, seqs))
              .compose(v -> deleted.isEmpty() ? Future.succeededFuture()
                  : exec(conn, SqlQueries.DELETE_RELATIONS_OF,
                      Tuple.of(namespace, idsJson, namespace, idsJson)))
              .map(v -> deleted);
        });
  }

  /**
   * Inserts relations (existing triples are left as they are) and reads each back as stored. Both
   * ends must be memories of the relation's namespace, else the whole call fails with NOT_FOUND.
   */
  static Future<List<Relation>> relate(SqlConnection conn, List<Relation> relations) {
    Future<Void> checked = Future.succeededFuture();
    for (Map.Entry<String, Set<String>> e : endsByNamespace(relations).entrySet()) {
      checked = checked.compose(v -> requireExisting(conn, e.getKey(), e.getValue()));
    }
    List<Tuple> rows = relations.stream().map(RowMapper::relationParams).toList();
    return checked
        .compose(v -> batch(conn, SqlQueries.INSERT_RELATION, rows))
        .compose(v -> readRelations(conn, relations));
  }

  /** The memory ids each relation's ends name, by namespace (both ends must exist there). */
  static Map<String, Set<String>> endsByNamespace(List<Relation> relations) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (Relation r : relations) {
      Set<String> ends = out.computeIfAbsent(r.namespace(), n -> new LinkedHashSet<>());
      ends.add(r.sourceId());
      ends.add(r.targetId());
    }
    return out;
  }

  /** Bumps access_count / last_accessed and appends ACCESS events; returns the ids that exist. */
  static Future<List<String>> recordAccess(SqlConnection conn, String namespace, List<String> ids,
      String sessionId, long at) {
    String idsJson = RowMapper.idsJson(new LinkedHashSet<>(ids));
    return existing(conn, namespace, idsJson).compose(found -> {
      List<String> hit = new LinkedHashSet<>(ids).stream().filter(found::contains).toList();
      if (hit.isEmpty()) {
        return Future.succeededFuture(hit);
      }
      List<Tuple> events = hit.stream().map(id -> RowMapper.eventParams(MemoryEvent.of(id,
          namespace, MemoryEvent.ACCESS, MemoryStore.ACCESS_ACTOR, sessionId, new JsonObject(), at))).toList();
      return exec(conn, SqlQueries.RECORD_ACCESS, Tuple.of(at, namespace, idsJson))
          .compose(v -> batch(conn, SqlQueries.INSERT_EVENT, events))
          .map(v -> hit);
    });
  }

  /** Replaces vectors of existing memories; returns their filter views (for the index). */
  static Future<List<Memory>> replaceVectors(SqlConnection conn, Map<String, float[]> vectors,
      String model) {
    List<Tuple> upserts = new ArrayList<>();
    List<Tuple> models = new ArrayList<>();
    vectors.forEach((id, v) -> {
      upserts.add(RowMapper.vectorParams(id, v));
      models.add(Tuple.of(model, id));
    });
    return batch(conn, SqlQueries.UPSERT_VECTOR, upserts)
        .compose(v -> batch(conn, SqlQueries.SET_EMBEDDING_MODEL, models))
        .compose(v -> conn.preparedQuery(SqlQueries.GET_MEMORIES_ANY_NAMESPACE)
            .execute(Tuple.of(RowMapper.idsJson(vectors.keySet()))))
        .map(rows -> {
          List<Memory> out = new ArrayList<>();
          rows.forEach(r -> out.add(RowMapper.memory(r)));
          return out;
        });
  }

  /**
   * Replaces each item's memory row (with its keyword indexes and vector), history and outgoing
   * relations in a namespace. An id held by another namespace is a conflict, never overwritten.
   */
  static Future<Void> writeItems(SqlConnection conn, String namespace, List<StoreTransfer.Item> items) {
    List<String> ids = items.stream().map(StoreTransfer.Item::id).toList();
    String idsJson = RowMapper.idsJson(ids);
    return conn.preparedQuery(SqlQueries.TRANSFER_ROWS).execute(Tuple.of(idsJson)).compose(rows -> {
      List<Tuple> seqs = new ArrayList<>();
      for (Row r : rows) {
        if (!namespace.equals(r.getString("namespace"))) {
          return Future.failedFuture(new MemoryException(ErrorCode.CONFLICT, "MEMORY_EXISTS", "memory "
              + r.getString("id") + " exists in namespace " + r.getString("namespace") + ", not " + namespace));
        }
        seqs.add(Tuple.of(r.getLong("seq")));
      }
      return unindexText(conn, seqs)
          .compose(v -> batch(conn, SqlQueries.DELETE_VECTOR, seqs))
          .compose(v -> batch(conn, SqlQueries.DELETE_MEMORY, seqs));
    })
        .compose(v -> exec(conn, SqlQueries.TRANSFER_DELETE_EVENTS, Tuple.of(namespace, idsJson)))
        .compose(v -> exec(conn, SqlQueries.TRANSFER_DELETE_RELATIONS, Tuple.of(namespace, idsJson)))
        .compose(v -> {
          Future<Void> chain = Future.succeededFuture();
          for (StoreTransfer.Item item : items) {
            Memory m = item.memory();
            if (m != null) {
              chain = chain.compose(x -> exec(conn, SqlQueries.INSERT_MEMORY, RowMapper.insertParams(m)))
                  .compose(x -> indexText(conn, m))
                  .compose(x -> item.vector() == null ? Future.succeededFuture()
                      : exec(conn, SqlQueries.UPSERT_VECTOR, RowMapper.vectorParams(m.id(), item.vector())));
            }
          }
          List<Tuple> events = items.stream().flatMap(i -> i.history().stream()).map(RowMapper::eventParams).toList();
          List<Tuple> relations = items.stream().flatMap(i -> i.relations().stream()).map(RowMapper::relationParams).toList();
          return chain.compose(x -> batch(conn, SqlQueries.INSERT_EVENT, events))
              .compose(x -> batch(conn, SqlQueries.INSERT_RELATION, relations));
        });
  }

  static Future<Void> stampModel(SqlConnection conn, ModelStamp stamp) {
    return putStamp(conn, "embedding_model", "embedding_dimension", stamp);
  }

  /** Keeps a model stamp in meta as two keys (the store's own, or an online rebuild's target). */
  static Future<Void> putStamp(SqlConnection conn, String modelKey, String dimensionKey, ModelStamp stamp) {
    return batch(conn, SqlQueries.PUT_META, List.of(Tuple.of(modelKey, stamp.model()),
        Tuple.of(dimensionKey, String.valueOf(stamp.dimension()))));
  }

  private static Future<Void> requireExisting(SqlConnection conn, String namespace,
      Set<String> ids) {
    return existing(conn, namespace, RowMapper.idsJson(ids)).compose(found -> {
      for (String id : ids) {
        if (!found.contains(id)) {
          return Future.failedFuture(MemoryException.notFound(id));
        }
      }
      return Future.succeededFuture();
    });
  }

  private static Future<Set<String>> existing(SqlConnection conn, String namespace,
      String idsJson) {
    return conn.preparedQuery(SqlQueries.EXISTING_IDS).execute(Tuple.of(namespace, idsJson))
        .map(rows -> {
          Set<String> found = new HashSet<>();
          rows.forEach(r -> found.add(r.getString("id")));
          return found;
        });
  }

  private static Future<List<Relation>> readRelations(SqlConnection conn, List<Relation> keys) {
    List<Relation> out = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Relation key : keys) {
      chain = chain.compose(v -> conn.preparedQuery(SqlQueries.GET_RELATION)
          .execute(RowMapper.relationKey(key))
          .map(rows -> {
            rows.forEach(r -> out.add(RowMapper.relation(r)));
            return null;
          }));
    }
    return chain.map(v -> out);
  }

  /** The rows of the memory in the four keyword indexes (its row must exist). */
  private static Future<Void> indexText(SqlConnection conn, Memory m) {
    return exec(conn, SqlQueries.INSERT_FTS, Tuple.of(m.id()))
        .compose(v -> exec(conn, SqlQueries.INSERT_FTS_TRIGRAM, Tuple.of(m.id())))
        .compose(v -> CjkGramIndex.index(conn, m.id(), m.name(), m.content(), m.summary(), m.tags()))
        .compose(v -> JapaneseWordIndex.index(conn, m.id(), m.name(), m.content(), m.summary(), m.tags()));
  }

  private static Future<Void> unindexText(SqlConnection conn, List<Tuple> seqs) {
    Future<Void> chain = Future.succeededFuture();
    for (String sql : SqlQueries.UNINDEX_TEXT) {
      chain = chain.compose(v -> batch(conn, sql, seqs));
    }
    return chain;
  }

  private static Future<Void> exec(SqlConnection conn, String sql, Tuple params) {
    return conn.preparedQuery(sql).execute(params).mapEmpty();
  }

  private static Future<Void> batch(SqlConnection conn, String sql, List<Tuple> params) {
    if (params.isEmpty()) {
      return Future.succeededFuture();
    }
    if (params.size() == 1) {
      return exec(conn, sql, params.get(0));
    }
    return conn.preparedQuery(sql).executeBatch(params).mapEmpty();
  }
}
