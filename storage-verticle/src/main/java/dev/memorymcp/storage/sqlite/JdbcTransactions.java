package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.internal.CjkGrams;
import dev.memorymcp.storage.internal.JdbcWriter;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The frequent write transactions, a memory's create and update, as plain JDBC: each runs whole in
 * one blocking task on the store's direct writer ({@link SqliteDatabase#writeDirect}) instead of
 * one hop to a worker thread per statement. Same statements and parameters as {@link
 * Transactions}; a thrown exception rolls everything back.
 */
final class JdbcTransactions {
  private JdbcTransactions() {}

  /** Memory row, the keyword indexes, vector (when given), event, then relations. Returns null. */
  static Void create(Connection c, Memory m, float[] vector, MemoryEvent event,
      List<Relation> relations) throws SQLException {
    exec(c, SqlQueries.INSERT_MEMORY, RowMapper.insertParams(m));
    indexText(c, m);
    if (vector != null) {
      exec(c, SqlQueries.UPSERT_VECTOR, RowMapper.vectorParams(m.id(), vector));
    }
    exec(c, SqlQueries.INSERT_EVENT, RowMapper.eventParams(event));
    relate(c, relations);
    return null;
  }

  /** Rewrites the row, re-indexes its text, replaces the vector when given, appends the event; null. */
  static Void update(Connection c, Memory m, float[] vector, MemoryEvent event) throws SQLException {
    long seq;
    try (PreparedStatement ps = JdbcWriter.prepare(c, SqlQueries.SEQ_OF, m.namespace(), m.id());
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw MemoryException.notFound(m.id());
      }
      seq = rs.getLong(1);
    }
    exec(c, SqlQueries.UPDATE_MEMORY, RowMapper.updateParams(m, seq));
    for (String sql : SqlQueries.UNINDEX_TEXT) {
      exec(c, sql, Tuple.of(seq));
    }
    indexText(c, m);
    if (vector != null) {
      exec(c, SqlQueries.UPSERT_VECTOR, RowMapper.vectorParams(m.id(), vector));
    }
    exec(c, SqlQueries.INSERT_EVENT, RowMapper.eventParams(event));
    return null;
  }

  /**
   * Inserts relations (existing triples are left as they are). Both ends must be memories of the
   * relation's namespace, else NOT_FOUND and the transaction rolls back.
   */
  static void relate(Connection c, List<Relation> relations) throws SQLException {
    if (relations.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Set<String>> e : Transactions.endsByNamespace(relations).entrySet()) {
      Set<String> found = new HashSet<>();
      try (PreparedStatement ps = JdbcWriter.prepare(c, SqlQueries.EXISTING_IDS, e.getKey(),
          RowMapper.idsJson(e.getValue()));
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getString(1));
        }
      }
      for (String id : e.getValue()) {
        if (!found.contains(id)) {
          throw MemoryException.notFound(id);
        }
      }
    }
    for (Relation r : relations) {
      exec(c, SqlQueries.INSERT_RELATION, RowMapper.relationParams(r));
    }
  }

  /** The rows of the memory in the four keyword indexes (its row must exist). */
  private static void indexText(Connection c, Memory m) throws SQLException {
    exec(c, SqlQueries.INSERT_FTS, Tuple.of(m.id()));
    exec(c, SqlQueries.INSERT_FTS_TRIGRAM, Tuple.of(m.id()));
    String grams = CjkGrams.of(m.name(), m.content(), m.summary(), m.tags());
    if (!grams.isEmpty()) {
      exec(c, SqlQueries.INSERT_FTS_CJK, Tuple.of(grams, m.id()));
    }
    String words = JapaneseWordIndex.of(m.name(), m.content(), m.summary(), m.tags());
    if (!words.isEmpty()) {
      exec(c, SqlQueries.INSERT_FTS_JA, Tuple.of(words, m.id()));
    }
  }

  /** Binds each parameter as it is, as {@link SqliteEncoder} does for the pooled connections. */
  private static void exec(Connection c, String sql, Tuple params) throws SQLException {
    Object[] values = new Object[params.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = params.getValue(i);
    }
    JdbcWriter.update(c, sql, values);
  }
}
