package dev.memorymcp.server;

import java.io.PrintStream;

/** A one-line text progress bar for long admin commands (redrawn in place on a terminal). */
final class ProgressBar {
  private final String label;
  private final PrintStream out;
  private final long started = System.nanoTime();
  private int lastPercent = -1;
  private long firstDone = -1; // a resumed job starts part done: the rate counts this run's work only

  ProgressBar(String label, PrintStream out) {
    this.label = label;
    this.out = out;
  }

  synchronized void update(long done, long total) {
    int pct = total <= 0 ? 100 : (int) (100 * done / total);
    if (pct == lastPercent) {
      return;
    }
    lastPercent = pct;
    if (firstDone < 0) {
      firstDone = done;
    }
    int filled = pct * 30 / 100;
    double secs = (System.nanoTime() - started) / 1e9;
    double rate = secs > 0 ? (done - firstDone) / secs : 0;
    out.printf("\r%s [%s%s] %3d%% %d/%d (%.0f/s)", label, "#".repeat(filled), ".".repeat(30 - filled),
        pct, done, total, rate);
    out.flush();
  }

  synchronized void finish() {
    out.println();
  }
}
