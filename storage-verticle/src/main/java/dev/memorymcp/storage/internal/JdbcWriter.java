package dev.memorymcp.storage.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One plain JDBC connection, written by one transaction at a time: a whole transaction is one hop
 * to a worker thread. Through the pooled client it was one hop per statement, which under CPU load
 * was most of an ingest acknowledgement's time, and 3.7 of the 4.4 ms of a memory's create
 * transaction at 100k memories, whose SQL takes 0.6 ms (bench/RESULTS.md). Transactions must not
 * overlap: the ingest queue submits them all from one context, whose blocking tasks run in order;
 * the SQLite store starts each after the one before it has completed.
 */
public final class JdbcWriter {
  /** A unit of work run inside one transaction. */
  public interface Tx<T> {
    T run(Connection conn) throws SQLException;
  }

  private final Vertx vertx;
  private final Connection conn;

  private JdbcWriter(Vertx vertx, Connection conn) {
    this.vertx = vertx;
    this.conn = conn;
  }

  /**
   * Connects to {@code url}. The connection stays in auto-commit mode and each write opens its own
   * transaction: with auto-commit off the driver begins the next transaction as soon as one
   * commits, and an IMMEDIATE one would hold the write lock between writes, against every other
   * writer of the file.
   */
  public static Future<JdbcWriter> open(Vertx vertx, String url) {
    return vertx.executeBlocking(() -> new JdbcWriter(vertx, DriverManager.getConnection(url)), true);
  }

  /** Runs {@code tx} in one transaction, after every earlier one; commits, or rolls back on failure. */
  public <T> Future<T> write(Tx<T> tx) {
    return vertx.executeBlocking(() -> {
      try (Statement s = conn.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
        try {
          T result = tx.run(conn);
          s.execute("COMMIT");
          return result;
        } catch (SQLException | RuntimeException e) {
          try {
            s.execute("ROLLBACK");
          } catch (SQLException rollbackFailed) {
            e.addSuppressed(rollbackFailed);
          }
          throw e;
        }
      }
    }, true);
  }

  /** Closes the connection after every write already submitted (the tasks are ordered). */
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      conn.close();
      return null;
    }, true);
  }

  /** Runs an update with {@code params} in order; the number of rows it changed. */
  public static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params)) {
      return ps.executeUpdate();
    }
  }

  /** A statement with {@code params} bound in order, each as it is; the caller closes it. */
  public static PreparedStatement prepare(Connection c, String sql, Object... params)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /** The current row of {@code rs} as JSON keyed by column name. */
  public static JsonObject row(ResultSet rs) throws SQLException {
    JsonObject row = new JsonObject();
    ResultSetMetaData md = rs.getMetaData();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      row.put(md.getColumnLabel(i), rs.getObject(i));
    }
    return row;
  }
}
