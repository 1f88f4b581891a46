package dev.memorymcp.auth.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One holder of auth.db at a time: the running service, or the {@code keys} command while the
 * service is stopped. A key made behind a running service's back would work, but a revocation
 * would not reach the principals its gateways cache, so the command refuses instead.
 */
public final class AuthLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private AuthLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock or throws IllegalStateException saying what to do instead. */
  public static AuthLock acquire(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(AuthStore.FILE + ".lock");
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IllegalStateException("the API keys in " + dataDir.toAbsolutePath() + " are in use by a running "
          + "memory service (lock " + file + "). Stop it first, or manage keys through its admin API "
          + "(POST/GET/DELETE /api/v1/admin/keys with an admin key)");
    }
    return new AuthLock(ch, lock);
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
