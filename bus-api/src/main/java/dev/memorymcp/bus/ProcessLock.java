package dev.memorymcp.bus;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * An OS file lock that makes a second process (or a second holder in this one) refuse to use a
 * file the first one owns. The OS drops it with the process, even on kill -9.
 */
public final class ProcessLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private ProcessLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock on {@code lockFile} or throws IllegalStateException with {@code busy}'s message. */
  public static ProcessLock acquire(Path lockFile, Supplier<String> busy) throws IOException {
    Files.createDirectories(lockFile.toAbsolutePath().getParent());
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IllegalStateException(busy.get());
    }
    return new ProcessLock(ch, lock);
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
