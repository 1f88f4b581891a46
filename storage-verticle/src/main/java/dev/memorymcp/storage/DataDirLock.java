package dev.memorymcp.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per SQLite store: each keeps its own in-memory index and write queue, so a second
 * process on the same file would serve stale recalls and race the dedupe. An OS file lock next to
 * the database makes the second one refuse to start (the lock dies with the process, even on kill -9).
 */
final class DataDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock of {@code dbFile} or throws IllegalStateException saying who to ask instead. */
  static DataDirLock acquire(Path dbFile) throws IOException {
    Path file = dbFile.resolveSibling(dbFile.getFileName() + ".lock");
    Files.createDirectories(file.toAbsolutePath().getParent());
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IllegalStateException("the data directory " + dbFile.toAbsolutePath().getParent()
          + " is in use by another memory service process (lock " + file + "). Stop that process, or "
          + "set MEMORY_MCP_DATA_DIR to another directory; an IDE can share the running server's "
          + "memories through its /mcp URL instead of starting mcp-stdio on the same data.");
    }
    return new DataDirLock(ch, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // the OS drops the lock with the process anyway
    }
  }
}
