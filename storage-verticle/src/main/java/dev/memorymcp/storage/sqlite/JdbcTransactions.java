package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import dev.memorymcp.storage.internal.CjkGrams;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bodies of the memory store's write transactions as plain JDBC: each runs whole in one
 * blocking task on the store's writer ({@link SqliteDatabase#write}), one hop to its thread per
 * transaction instead of one per statement. A thrown exception rolls everything back.
 */
final class JdbcTransactions {
  private JdbcTransactions() {}

  /** Memory row, the keyword indexes, vector (when given), event, then relations. Returns null. */
  static Void create(Connection c, Memory m, float[] vector, MemoryEvent event,
      List<Relation> relations) throws SQLException {
    JdbcRows.exec(c, SqlQueries.INSERT_MEMORY, RowMapper.insertParams(m));
    indexText(c, m);
    if (vector != null) {
      JdbcRows.exec(c, SqlQueries.UPSERT_VECTOR, RowMapper.vectorParams(m.id(), vector));
    }
    JdbcRows.exec(c, SqlQueries.INSERT_EVENT, RowMapper.eventParams(event));
    insertRelations(c, relations);
    return null;
  }

  /** Rewrites the row, re-indexes its text, replaces the vector when given, appends the event; null. */
  static Void update(Connection c, Memory m, float[] vector, MemoryEvent event) throws SQLException {
    List<Row> found = JdbcRows.query(c, SqlQueries.SEQ_OF, Tuple.of(m.namespace(), m.id()));
    if (found.isEmpty()) {
      throw MemoryException.notFound(m.id());
    }
    long seq = found.get(0).getLong(0);
    JdbcRows.exec(c, SqlQueries.UPDATE_MEMORY, RowMapper.updateParams(m, seq));
    unindexText(c, seq);
    indexText(c, m);
    if (vector != null) {
      JdbcRows.exec(c, SqlQueries.UPSERT_VECTOR, RowMapper.vectorParams(m.id(), vector));
    }
    JdbcRows.exec(c, SqlQueries.INSERT_EVENT, RowMapper.eventParams(event));
    return null;
  }

  /**
   * Deletes the memories of {@code ids} that exist, each with a DELETE event holding the memory,
   * and the relations of either end; returns them (in the order of ids).
   */
  static List<Memory> delete(Connection c, String namespace, List<String> ids, String actor,
      String sessionId, long now) throws SQLException {
    Set<String> unique = new LinkedHashSet<>(ids);
    String idsJson = RowMapper.idsJson(unique);
    Map<String, Row> byId = new HashMap<>();
    for (Row r : JdbcRows.query(c, SqlQueries.GET_MEMORIES, Tuple.of(namespace, idsJson))) {
      byId.put(r.getString("id"), r);
    }
    List<Memory> deleted = new ArrayList<>();
    for (String id : unique) {
      Row row = byId.get(id);
      if (row == null) {
        continue;
      }
      Memory m = RowMapper.memory(row);
      deleted.add(m);
      JdbcRows.exec(c, SqlQueries.INSERT_EVENT, RowMapper.eventParams(MemoryEvent.of(id, namespace,
          MemoryEvent.DELETE, actor, sessionId, new JsonObject().put("memory", m.toJson()), now)));
      removeRow(c, row.getLong("seq"));
    }
    if (!deleted.isEmpty()) {
      JdbcRows.exec(c, SqlQueries.DELETE_RELATIONS_OF, Tuple.of(namespace, idsJson, namespace, idsJson));
    }
    return deleted;
  }

  /** The memory row {@code seq} with its keyword-index rows and vector. */
  static void removeRow(Connection c, long seq) throws SQLException {
    unindexText(c, seq);
    JdbcRows.exec(c, SqlQueries.DELETE_VECTOR, Tuple.of(seq));
    JdbcRows.exec(c, SqlQueries.DELETE_MEMORY, Tuple.of(seq));
  }

  /** Inserts relations and reads each back as stored (an existing triple is left as it is). */
  static List<Relation> relate(Connection c, List<Relation> relations) throws SQLException {
    insertRelations(c, relations);
    List<Relation> out = new ArrayList<>();
    for (Relation key : relations) {
      for (Row r : JdbcRows.query(c, SqlQueries.GET_RELATION, RowMapper.relationKey(key))) {
        out.add(RowMapper.relation(r));
      }
    }
    return out;
  }

  /**
   * Inserts relations (existing triples are left as they are). Both ends must be memories of the
   * relation's namespace, else NOT_FOUND and the transaction rolls back.
   */
  static void insertRelations(Connection c, List<Relation> relations) throws SQLException {
    if (relations.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Set<String>> e : endsByNamespace(relations).entrySet()) {
      Set<String> found = existing(c, e.getKey(), e.getValue());
      for (String id : e.getValue()) {
        if (!found.contains(id)) {
          throw MemoryException.notFound(id);
        }
      }
    }
    JdbcRows.batch(c, SqlQueries.INSERT_RELATION, relations.stream().map(RowMapper::relationParams).toList());
  }

  /** The memory ids each relation's ends name, by namespace (both ends must exist there). */
  private static Map<String, Set<String>> endsByNamespace(List<Relation> relations) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (Relation r : relations) {
      Set<String> ends = out.computeIfAbsent(r.namespace(), n -> new LinkedHashSet<>());
      ends.add(r.sourceId());
      ends.add(r.targetId());
    }
    return out;
  }

  /** Bumps access_count / last_accessed and appends ACCESS events; returns the ids that exist. */
  static List<String> recordAccess(Connection c, String namespace, List<String> ids, String sessionId,
      long at) throws SQLException {
    Set<String> unique = new LinkedHashSet<>(ids);
    Set<String> found = existing(c, namespace, unique);
    List<String> hit = unique.stream().filter(found::contains).toList();
    if (hit.isEmpty()) {
      return hit;
    }
    JdbcRows.exec(c, SqlQueries.RECORD_ACCESS, Tuple.of(at, namespace, RowMapper.idsJson(unique)));
    JdbcRows.batch(c, SqlQueries.INSERT_EVENT, hit.stream().map(id -> RowMapper.eventParams(MemoryEvent.of(id,
        namespace, MemoryEvent.ACCESS, MemoryStore.ACCESS_ACTOR, sessionId, new JsonObject(), at))).toList());
    return hit;
  }

  /** Replaces vectors of existing memories; returns their filter views (for the index). */
  static List<Memory> replaceVectors(Connection c, Map<String, float[]> vectors, String model)
      throws SQLException {
    List<Tuple> upserts = new ArrayList<>();
    List<Tuple> models = new ArrayList<>();
    vectors.forEach((id, v) -> {
      upserts.add(RowMapper.vectorParams(id, v));
      models.add(Tuple.of(model, id));
    });
    JdbcRows.batch(c, SqlQueries.UPSERT_VECTOR, upserts);
    JdbcRows.batch(c, SqlQueries.SET_EMBEDDING_MODEL, models);
    List<Memory> out = new ArrayList<>();
    for (Row r : JdbcRows.query(c, SqlQueries.GET_MEMORIES_ANY_NAMESPACE, Tuple.of(RowMapper.idsJson(vectors.keySet())))) {
      out.add(RowMapper.memory(r));
    }
    return out;
  }

  /** The store's model stamp. */
  static Void stampModel(Connection c, ModelStamp stamp) throws SQLException {
    putStamp(c, "embedding_model", "embedding_dimension", stamp);
    return null;
  }

  /** Keeps a model stamp in meta as two keys (the store's own, or an online rebuild's target). */
  static void putStamp(Connection c, String modelKey, String dimensionKey, ModelStamp stamp) throws SQLException {
    JdbcRows.batch(c, SqlQueries.PUT_META, List.of(Tuple.of(modelKey, stamp.model()),
        Tuple.of(dimensionKey, String.valueOf(stamp.dimension()))));
  }

  private static Set<String> existing(Connection c, String namespace, Set<String> ids) throws SQLException {
    Set<String> found = new HashSet<>();
    for (Row r : JdbcRows.query(c, SqlQueries.EXISTING_IDS, Tuple.of(namespace, RowMapper.idsJson(ids)))) {
      found.add(r.getString(0));
    }
    return found;
  }

  /** The rows of the memory in the four keyword indexes (its row must exist). */
  static void indexText(Connection c, Memory m) throws SQLException {
    JdbcRows.exec(c, SqlQueries.INSERT_FTS, Tuple.of(m.id()));
    JdbcRows.exec(c, SqlQueries.INSERT_FTS_TRIGRAM, Tuple.of(m.id()));
    String grams = CjkGrams.of(m.name(), m.content(), m.summary(), m.tags());
    if (!grams.isEmpty()) {
      JdbcRows.exec(c, SqlQueries.INSERT_FTS_CJK, Tuple.of(grams, m.id()));
    }
    String words = JapaneseWordIndex.of(m.name(), m.content(), m.summary(), m.tags());
    if (!words.isEmpty()) {
      JdbcRows.exec(c, SqlQueries.INSERT_FTS_JA, Tuple.of(words, m.id()));
    }
  }

  private static void unindexText(Connection c, long seq) throws SQLException {
    for (String sql : SqlQueries.UNINDEX_TEXT) {
      JdbcRows.exec(c, sql, Tuple.of(seq));
    }
  }
}
