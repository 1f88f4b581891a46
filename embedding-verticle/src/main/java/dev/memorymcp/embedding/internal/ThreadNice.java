package dev.memorymcp.embedding.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calling thread's nice value on Linux. Java cannot set a thread's CPU priority
 * ({@code Thread.setPriority} is ignored on Linux), but Linux schedules threads as tasks with their
 * own nice value, which {@code renice -p <thread id>} sets. An unprivileged process may raise a
 * nice value (lower its priority), not lower it again, so a thread lowered here stays lowered.
 */
public final class ThreadNice {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadNice.class);
  private static final Path SELF = Path.of("/proc/thread-self");

  private ThreadNice() {}

  /**
   * Sets the calling thread's nice value to {@code nice} (0 to 19); returns the value it then has,
   * or -1 where this is not Linux or {@code renice} is missing or refused (logged, not thrown: the
   * work still runs, at the priority it had).
   */
  public static int lowerCurrentThread(int nice) {
    try {
      String tid = threadId();
      Process p = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        LOG.warn("could not lower thread {}'s CPU priority with renice: {}", tid, out);
      }
      return current();
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not lower this thread's CPU priority (renice, /proc/thread-self): {}", e.toString());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The calling thread's nice value, or -1 where /proc does not say (not Linux). */
  public static int current() {
    try {
      // /proc/thread-self/stat: "tid (name) state ..."; nice is the 19th field, the 17th after the name
      String stat = Files.readString(SELF.resolve("stat"), StandardCharsets.UTF_8);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(fields[16]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static String threadId() throws IOException {
    return Files.readSymbolicLink(SELF).getFileName().toString(); // "<pid>/task/<tid>"
  }
}
