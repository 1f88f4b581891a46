package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;

import dev.memorymcp.bus.Memory;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real store on a SQLite file under a temporary directory, opened before each test and closed
 * after it. Tests call {@code await()} from the JUnit thread, never from a Vert.x thread.
 */
@ExtendWith(VertxExtension.class)
abstract class StoreTestBase {
  @TempDir
  Path dir;
  Vertx vertx;
  SqliteMemoryStore store;

  @BeforeEach
  void openStore(Vertx vertx) {
    this.vertx = vertx;
    store = open("NORMAL");
  }

  @AfterEach
  void closeStore() {
    store.close().await();
  }

  Path dbFile() {
    return dir.resolve("nested/dir/memory.db");
  }

  SqliteMemoryStore open(String synchronous) {
    SqliteMemoryStore s = new SqliteMemoryStore(vertx, dbFile(), synchronous);
    s.open().await();
    return s;
  }

  /** Closes the store and opens a new one on the same file. */
  void reopen() {
    store.close().await();
    store = open("NORMAL");
  }

  Memory create(Memory m, float[] vector) {
    store.create(m, vector, Fixtures.createEvent(m), List.of()).await();
    return m;
  }

  Memory create(Memory m) {
    return create(m, null);
  }

  /** Rows of a raw query on a pool (first column of each row, as an Object). */
  static List<Object> column(Pool pool, String sql, Object... params) {
    List<Object> out = new ArrayList<>();
    for (Row r : pool.preparedQuery(sql).execute(Tuple.from(List.of(params))).await()) {
      out.add(r.getValue(0));
    }
    return out;
  }

  long countRows(String sql, Object... params) {
    return ((Number) column(store.readerPool(), sql, params).get(0)).longValue();
  }
}
