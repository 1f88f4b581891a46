package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
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
  static Future<Void> begin(SqlConnection conn, ModelStamp target) {
    return target(conn).compose(old -> target.equals(old) ? Future.succeededFuture()
        : conn.query(CLEAR).execute()
            .compose(v -> Transactions.putStamp(conn, "rebuild_model", "rebuild_dimension", target)));
  }

  static Future<Void> abandon(SqlConnection conn) {
    return conn.query(CLEAR).execute().compose(v -> conn.query(DROP_TARGET).execute()).mapEmpty();
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
  static Future<Void> put(SqlConnection conn, List<Memory> memories, List<float[]> vectors) {
    List<Tuple> params = new ArrayList<>();
    for (int i = 0; i < memories.size(); i++) {
      float[] v = vectors.get(i);
      params.add(Tuple.of(memories.get(i).updatedAt(), v.length, Vectors.toBytes(v), memories.get(i).id()));
    }
    return params.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(PUT).executeBatch(params).mapEmpty();
  }

  /**
   * Moves the target vectors in and stamps the store with the target, in the caller's transaction;
   * false (nothing changed) while some memory still lacks an up-to-date target vector.
   */
  static Future<Boolean> finish(SqlConnection conn, ModelStamp target) {
    return pendingCount(conn).compose(left -> left > 0 ? Future.succeededFuture(false)
        : conn.query(MOVE).execute()
            .compose(v -> conn.preparedQuery(RESTAMP_ROWS).execute(Tuple.of(target.model())))
            .compose(v -> conn.query(CLEAR).execute())
            .compose(v -> conn.query(DROP_TARGET).execute())
            .compose(v -> Transactions.stampModel(conn, target))
            .map(true));
  }

  /** Every memory with its vector, read in pages into {@code index} (the caller's connection sees its own writes). */
  static Future<Integer> load(SqlClient db, VectorIndex index, long afterSeq, int pageSize, int loaded) {
    return load(db, index, IndexedHashes.NONE, afterSeq, pageSize, loaded);
  }

  /** As above; a vector {@code indexed} holds stays off the heap ({@link VectorIndex#putLoaded(Memory, float[], IndexedHashes)}). */
  static Future<Integer> load(SqlClient db, VectorIndex index, IndexedHashes indexed, long afterSeq, int pageSize, int loaded) {
    return db.preparedQuery(SqlQueries.LOAD_VECTORS).execute(Tuple.of(afterSeq, pageSize)).compose(rows -> {
      long last = afterSeq;
      for (Row r : rows) {
        index.putLoaded(RowMapper.memory(r), RowMapper.vector(r, "vector"), indexed);
        last = r.getLong("seq");
      }
      int total = loaded + rows.size();
      return rows.size() < pageSize ? Future.succeededFuture(total) : load(db, index, indexed, last, pageSize, total);
    });
  }
}
