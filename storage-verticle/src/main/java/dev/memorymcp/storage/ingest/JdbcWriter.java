package dev.memorymcp.storage.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * One plain JDBC connection, written only from ordered blocking tasks of the context that opened
 * it: a whole transaction is one hop to a worker thread (through the pooled client it was one hop
 * per statement, which under CPU load was most of an acknowledgement's time).
 */
final class JdbcWriter {
  /** A unit of work run inside one transaction. */
  interface Tx<T> {
    T run(Connection conn) throws SQLException;
  }

  private final Vertx vertx;
  private final Connection conn;

  private JdbcWriter(Vertx vertx, Connection conn) {
    this.vertx = vertx;
    this.conn = conn;
  }

  /** Connects to {@code url} with auto-commit off. */
  static Future<JdbcWriter> open(Vertx vertx, String url) {
    return vertx.executeBlocking(() -> {
      Connection c = DriverManager.getConnection(url);
      c.setAutoCommit(false);
      return new JdbcWriter(vertx, c);
    }, true);
  }

  /** Runs {@code tx} in one transaction, after every earlier one; commits, or rolls back on failure. */
  <T> Future<T> write(Tx<T> tx) {
    return vertx.executeBlocking(() -> {
      try {
        T result = tx.run(conn);
        conn.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          conn.rollback();
        } catch (SQLException rollbackFailed) {
          e.addSuppressed(rollbackFailed);
        }
        throw e;
      }
    }, true);
  }

  /** Closes the connection after every write already submitted (the tasks are ordered). */
  Future<Void> close() {
    return vertx.executeBlocking(() -> {
      conn.close();
      return null;
    }, true);
  }

  /** Runs an update with {@code params} in order; the number of rows it changed. */
  static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    }
  }

  /** The current row of {@code rs} as JSON keyed by column name. */
  static JsonObject row(ResultSet rs) throws SQLException {
    JsonObject row = new JsonObject();
    ResultSetMetaData md = rs.getMetaData();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      row.put(md.getColumnLabel(i), rs.getObject(i));
    }
    return row;
  }
}
