package dev.memorymcp.storage;

import dev.memorymcp.bus.ProcessLock;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One process per SQLite store: each keeps its own in-memory index and write queue, so a second
 * process on the same file would serve stale recalls and race the dedupe. A lock next to the
 * database makes the second one refuse to start (and the harness's offline recall scenario refuse
 * a store the service holds).
 */
public final class DataDirLock {
  private DataDirLock() {}

  /** Takes the lock of {@code dbFile} or throws IllegalStateException saying who to ask instead. */
  public static ProcessLock acquire(Path dbFile) throws IOException {
    Path file = dbFile.resolveSibling(dbFile.getFileName() + ".lock");
    return ProcessLock.acquire(file, () -> "the data directory " + dbFile.toAbsolutePath().getParent()
        + " is in use by another memory service process (lock " + file + "). Stop that process, or "
        + "set MEMORY_MCP_DATA_DIR to another directory; an IDE can share the running server's "
        + "memories through its /mcp URL instead of starting mcp-stdio on the same data.");
  }
}
