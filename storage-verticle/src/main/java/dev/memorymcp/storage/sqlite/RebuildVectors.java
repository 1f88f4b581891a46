package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of an online rebuild on SQLite: vectors of the target model collect in
 * {@code rebuild_vectors} while the old ones answer recall, and one transaction swaps them in.
 */
final class RebuildVectors {
  private RebuildVectors() {}

  private static final String PENDING_WHERE = " FROM memories m LEFT JOIN rebuild_vectors r ON r.memory_seq = m.seq"
      + " WHERE (r.memory_seq IS NULL OR r.updated_at <> m.updated_at)";
  static final String PENDING = "SELECT " + SqlQueries.MEMORY_COLUMNS + PENDING_WHERE
      + " AND m.id > ? ORDER BY m.id LIMIT ?";
  static final String PENDING_COUNT = "SELECT count(*)" + PENDING_WHERE;
  static final String GET_TARGET = "SELECT key, value FROM meta WHERE key IN ('rebuild_model', 'rebuild_dimension')";
  static final String DROP_TARGET = "DELETE FROM meta WHERE key IN ('rebuild_model', 'rebuild_dimension')";
  static final String CLEAR = "DELETE FROM rebuild_vectors";
  // the WHERE keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT
  static final String PUT = "INSERT INTO rebuild_vectors(memory_seq, updated_at, dim, vector) "
      + "SELECT seq, ?, ?, ? FROM memories WHERE id = ? ON CONFLICT(memory_seq) DO UPDATE SET "
      + "updated_at = excluded.updated_at, dim = excluded.dim, vector = excluded.vector";
  static final String MOVE = "INSERT INTO vectors(memory_seq, memory_id, namespace, dim, vector) "
      + "SELECT m.seq, m.id, m.namespace, r.dim, r.vector FROM rebuild_vectors r JOIN memories m ON m.seq = r.memory_seq "
      + "WHERE true ON CONFLICT(memory_seq) DO UPDATE SET dim = excluded.dim, vector = excluded.vector";
  static final String RESTAMP_ROWS = "UPDATE memories SET embedding_model = ? "
      + "WHERE seq IN (SELECT memory_seq FROM rebuild_vectors)";

  static Future<ModelStamp> target(SqlClient db) {
    return db.query(GET_TARGET).execute().map(rows -> stamp(rows, "rebuild_model", "rebuild_dimension"));
  }

  /** A model stamp kept in meta as two keys (model name, dimension), or null when either is missing. */
  static ModelStamp stamp(Iterable<Row> metaRows, String modelKey, String dimensionKey) {
    java.util.Map<String, String> meta = new java.util.HashMap<>();
    metaRows.forEach(r -> meta.put(r.getString("key"), r.getString("value")));
    String model = meta.get(modelKey);
    String dim = meta.get(dimensionKey);
    return model == null || dim == null ? null : new ModelStamp(model, Integer.parseInt(dim));
  }

  /** Sets the target; vectors collected for another target are dropped. */
  static Void begin(Connection c, ModelStamp target) throws SQLException {
    if (!target.equals(stamp(JdbcRows.query(c, GET_TARGET, Tuple.tuple()), "rebuild_model", "rebuild_dimension"))) {
      JdbcRows.exec(c, CLEAR, Tuple.tuple());
      JdbcTransactions.putStamp(c, "rebuild_model", "rebuild_dimension", target);
    }
    return null;
  }

  static Void abandon(Connection c) throws SQLException {
    JdbcRows.exec(c, CLEAR, Tuple.tuple());
    JdbcRows.exec(c, DROP_TARGET, Tuple.tuple());
    return null;
  }

  static Future<List<Memory>> pending(SqlClient db, String afterId, int limit) {
    return db.preparedQuery(PENDING).execute(Tuple.of(afterId == null ? "" : afterId, limit)).map(rows -> {
      List<Memory> out = new ArrayList<>();
      rows.forEach(r -> out.add(RowMapper.memory(r)));
      return out;
    });
  }

  static Future<Long> pendingCount(SqlClient db) {
    return db.query(PENDING_COUNT).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** Each vector stamped with the {@code updated_at} of the memory it was made from. */
  static Void put(Connection c, List<Memory> memories, List<float[]> vectors) throws SQLException {
    List<Tuple> params = new ArrayList<>();
    for (int i = 0; i < memories.size(); i++) {
      float[] v = vectors.get(i);
      params.add(Tuple.of(memories.get(i).updatedAt(), v.length, Vectors.toBytes(v), memories.get(i).id()));
    }
    JdbcRows.batch(c, PUT, params);
    return null;
  }

  /**
   * Moves the target vectors in and stamps the store with the target, in the caller's transaction,
   * then reads every vector into {@code fresh} (so it holds exactly what is committed); false
   * (nothing changed) while some memory still lacks an up-to-date target vector.
   */
  static boolean finish(Connection c, ModelStamp target, VectorIndex fresh) throws SQLException {
    long left = JdbcRows.query(c, PENDING_COUNT, Tuple.tuple()).get(0).getLong(0);
    if (left > 0) {
      return false;
    }
    JdbcRows.exec(c, MOVE, Tuple.tuple());
    JdbcRows.exec(c, RESTAMP_ROWS, Tuple.of(target.model()));
    JdbcRows.exec(c, CLEAR, Tuple.tuple());
    JdbcRows.exec(c, DROP_TARGET, Tuple.tuple());
    JdbcTransactions.stampModel(c, target);
    long after = 0L;
    List<Row> page;
    do {
      page = JdbcRows.query(c, SqlQueries.LOAD_VECTORS, Tuple.of(after, VectorLoad.PAGE));
      after = putPage(page, fresh, IndexedHashes.NONE, after);
    } while (page.size() == VectorLoad.PAGE);
    return true;
  }

  /** As above; a vector {@code indexed} holds stays off the heap ({@link VectorIndex#putLoaded(Memory, float[], IndexedHashes)}). */
  static Future<Integer> load(SqlClient db, VectorIndex index, IndexedHashes indexed, long afterSeq, int pageSize, int loaded) {
    return db.preparedQuery(SqlQueries.LOAD_VECTORS).execute(Tuple.of(afterSeq, pageSize)).compose(rows -> {
      long last = putPage(rows, index, indexed, afterSeq);
      int total = loaded + rows.size();
      return rows.size() < pageSize ? Future.succeededFuture(total) : load(db, index, indexed, last, pageSize, total);
    });
  }

  /** Puts a page of {@link SqlQueries#LOAD_VECTORS} rows into {@code index}; the last row's seq. */
  private static long putPage(Iterable<Row> rows, VectorIndex index, IndexedHashes indexed, long afterSeq) {
    long last = afterSeq;
    for (Row r : rows) {
      index.putLoaded(RowMapper.memory(r), RowMapper.vector(r, "vector"), indexed);
      last = r.getLong("seq");
    }
    return last;
  }
}
