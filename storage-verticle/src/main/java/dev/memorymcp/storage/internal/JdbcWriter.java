package dev.memorymcp.storage.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One plain JDBC connection, written by one transaction at a time: a whole transaction is one hop
 * to a worker thread. Through the pooled client it was one hop per statement, which under CPU load
 * was most of an ingest acknowledgement's time, and 3.7 of the 4.4 ms of a memory's create
 * transaction at 100k memories, whose SQL takes 0.6 ms (bench/RESULTS.md).
 *
 * <p>Each writer has a worker thread of its own, and its transactions run on it one at a time in
 * the order they were submitted. The ordered blocking tasks of a Vert.x context would also keep
 * that order, but they are one queue per context: the ingest queue's writer and the memory store's
 * sit in the storage verticle's context, and an ingest acknowledgement waited behind whichever
 * memory transaction (an extraction's, say) was running.
 */
public final class JdbcWriter {
  private static final AtomicInteger WRITERS = new AtomicInteger();

  /** A unit of work run inside one transaction. */
  public interface Tx<T> {
    T run(Connection conn) throws SQLException;
  }

  private final WorkerExecutor thread;
  private final Connection conn;

  private JdbcWriter(WorkerExecutor thread, Connection conn) {
    this.thread = thread;
    this.conn = conn;
  }

  /**
   * Connects to {@code url}. The connection stays in auto-commit mode and each write opens its own
   * transaction: with auto-commit off the driver begins the next transaction as soon as one
   * commits, and an IMMEDIATE one would hold the write lock between writes, against every other
   * writer of the file.
   */
  public static Future<JdbcWriter> open(Vertx vertx, String url, String name) {
    // one thread, so the pool's FIFO queue runs the tasks in submission order; the number keeps
    // two writers of one name (two stores in one Vert.x, as in tests) from sharing the thread
    WorkerExecutor thread = vertx.createSharedWorkerExecutor(
        "sqlite-writer-" + name + "-" + WRITERS.incrementAndGet(), 1);
    return thread.executeBlocking(() -> new JdbcWriter(thread, DriverManager.getConnection(url)), false)
        .onFailure(e -> thread.close());
  }

  /** Runs {@code tx} in one transaction, after every earlier one; commits, or rolls back on failure. */
  public <T> Future<T> write(Tx<T> tx) {
    return thread.executeBlocking(() -> {
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
    }, false);
  }

  /** Closes the connection after every write already submitted, then the thread. */
  public Future<Void> close() {
    return thread.<Void>executeBlocking(() -> {
      conn.close();
      return null;
    }, false).eventually(thread::close);
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
      bind(ps, params);
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /** Binds {@code params} to {@code ps} in order, each as it is. */
  public static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
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
