package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.MemoryStoreContract;

import dev.memorymcp.storage.MemoryStore;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/** The contract with every vector search going through the HNSW index (no exact-scan threshold). */
@DisplayName("MemoryStore contract: SQLite with the HNSW vector index from the first memory")
class SqliteHnswContractTest extends MemoryStoreContract {
  @TempDir
  Path dir;

  @Override
  protected MemoryStore newStore(Vertx vertx) {
    return new SqliteMemoryStore(vertx, dir.resolve("memory.db"), "NORMAL", new VectorIndexOptions(true, 0, 50));
  }

  /** Searches use the index from the start (its first sync done), not the exact scan it falls back to. */
  @Override
  protected void opened() {
    ((SqliteMemoryStore) store).flushVectorIndex();
  }
}
