package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.internal.JdbcWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite file's connections: the writer, through which every write is one transaction in order,
 * and a small read-only pool. A write transaction runs as plain JDBC on the writer's own connection
 * and thread, one hop per transaction ({@link JdbcWriter}, {@link JdbcTransactions}). The migrations
 * run before it opens, through a one-connection Vert.x pool closed when they are done. Writes are
 * tracked so that close waits for the ones it did not refuse; each waits for the vector load first
 * (see {@link VectorLoad}).
 */
final class SqliteDatabase {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);
  static final int READERS = 2;

  private final Vertx vertx;
  private final Path dbFile;
  private final String synchronous;
  private final VectorLoad load;
  private volatile JdbcWriter writer;
  /**
   * The last write submitted: the next one starts when it has completed, so close() waits for it
   * alone. Guarded by this.
   */
  private Future<?> lastWrite = Future.succeededFuture();
  private volatile Pool reader;
  private volatile boolean closed;

  SqliteDatabase(Vertx vertx, Path dbFile, String synchronous, VectorLoad load) {
    this.vertx = vertx;
    this.dbFile = dbFile;
    this.synchronous = synchronous;
    this.load = load;
  }

  /** Creates the directory, applies the migrations, then opens the writer and the readers. */
  Future<Void> open() {
    Path dir = dbFile.getParent();
    Future<Void> dirs = dir == null ? Future.succeededFuture() : vertx.fileSystem().mkdirs(dir.toString());
    return dirs.compose(v -> {
      Pool migrations = JDBCPool.pool(vertx, connectOptions(true), new PoolOptions().setMaxSize(1));
      return Migrations.apply(vertx, migrations).eventually(migrations::close);
    }).compose(applied -> JdbcWriter.open(vertx, jdbcUrl(true), "memories")).map(w -> {
      writer = w;
      reader = JDBCPool.pool(vertx, connectOptions(false), new PoolOptions().setMaxSize(READERS));
      return null;
    });
  }

  /** The JDBC URL; sqlite-jdbc applies the query parameters as pragmas on every connection. */
  String jdbcUrl(boolean forWriter) {
    String common = "busy_timeout=" + SqliteMemoryStore.BUSY_TIMEOUT_MS + "&foreign_keys=true";
    return "jdbc:sqlite:" + dbFile + "?" + (forWriter
        ? "journal_mode=WAL&synchronous=" + synchronous + "&" + common
        : "open_mode=1&" + common); // 1 = SQLITE_OPEN_READONLY
  }

  private JDBCConnectOptions connectOptions(boolean forWriter) {
    return new JDBCConnectOptions().setJdbcUrl(jdbcUrl(forWriter))
        .setExtraConfig(new JsonObject().put("decoderCls", SqliteDecoder.class.getName())
            .put("encoderCls", SqliteEncoder.class.getName()));
  }

  Pool reader() {
    return reader;
  }

  /**
   * Runs {@code tx} in one transaction on the writer, after every write submitted before it; after
   * the commit runs {@code afterCommit} (index updates), then completes. Tracked so that close()
   * waits for it.
   */
  <T> Future<T> write(JdbcWriter.Tx<T> tx, Consumer<T> afterCommit) {
    Future<T> f;
    synchronized (this) { // against close(): every write it does not refuse, it waits for
      if (writer == null || closed) {
        return Future.failedFuture(notOpen());
      }
      // a write waits for the load: the load must not put a row it read before this write over its entry
      f = lastWrite.transform(before -> load.whenLoaded(() -> commit(tx, afterCommit)));
      lastWrite = f;
    }
    return f;
  }

  private <T> Future<T> commit(JdbcWriter.Tx<T> tx, Consumer<T> afterCommit) {
    return writer.write(tx)
        .recover(err -> Future.failedFuture(translate(err)))
        .map(r -> {
          try {
            afterCommit.accept(r);
          } catch (RuntimeException e) { // committed: report success, keep the index going
            LOG.error("vector index update after commit failed", e);
          }
          return r;
        });
  }

  /** A pragma's value on the writer (tests). */
  Future<Object> writerPragma(String name) {
    return write(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
        return rs.next() ? rs.getObject(1) : null;
      }
    }, v -> {});
  }

  <T> Future<T> read(Function<Pool, Future<T>> op) {
    Pool db = reader;
    if (db == null || closed) {
      return Future.failedFuture(notOpen());
    }
    try {
      return op.apply(db);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Refuses new writes, waits for the running ones, closes the pools. */
  synchronized Future<Void> close() {
    closed = true;
    return lastWrite.transform(ar -> {
      List<Future<Void>> pools = new ArrayList<>();
      if (reader != null) {
        pools.add(reader.close());
      }
      if (writer != null) {
        pools.add(writer.close());
      }
      return Future.all(pools).mapEmpty();
    });
  }

  static MemoryException notOpen() {
    return new MemoryException(ErrorCode.UNAVAILABLE, "STORE_UNAVAILABLE", "the store is not open");
  }

  /** A duplicate memory id becomes 409 MEMORY_EXISTS; other failures pass unchanged. */
  private static Throwable translate(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException se
          && (se.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
          || se.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)
          && String.valueOf(se.getMessage()).contains("memories.id")) {
        return new MemoryException(ErrorCode.CONFLICT, "MEMORY_EXISTS",
            "a memory with this id already exists");
      }
    }
    if (!(err instanceof MemoryException)) {
      LOG.warn("write transaction failed", err);
    }
    return err;
  }
}
