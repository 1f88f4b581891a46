package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.MemoryStoreContract;

import dev.memorymcp.storage.MemoryStore;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MemoryStore contract: SQLite (a real file)")
class SqliteContractTest extends MemoryStoreContract {
  @TempDir
  Path dir;

  @Override
  protected MemoryStore newStore(Vertx vertx) {
    return new SqliteMemoryStore(vertx, dir.resolve("memory.db"), "NORMAL");
  }
}
