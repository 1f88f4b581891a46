package dev.memorymcp.gateway.auth;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed-window request counts per identity (an API key's id, or the client address for requests
 * without a valid key). Each gateway member counts on its own, so behind N members a client gets
 * up to N times the limit; the limit protects the service, it is not a quota.
 */
public final class RateLimiter {
  private static final class Window {
    long start;
    int count;

    Window(long start) {
      this.start = start;
    }
  }

  private final int limit;
  private final long windowMs;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  /** {@code limit} requests per {@code windowSeconds}; a limit of 0 turns limiting off. */
  public RateLimiter(int limit, int windowSeconds) {
    if (limit < 0 || windowSeconds < 1) {
      throw new IllegalArgumentException("rate_limit.requests must be >= 0 and rate_limit.window >= 1, got "
          + limit + " and " + windowSeconds);
    }
    this.limit = limit;
    this.windowMs = windowSeconds * 1000L;
  }

  public boolean enabled() {
    return limit > 0;
  }

  /** Counts one request; 0 when it may go on, else the seconds until the window ends (Retry-After). */
  public long acquire(String identity, long now) {
    if (limit == 0) {
      return 0;
    }
    sweep(now);
    Window w = windows.computeIfAbsent(identity, k -> new Window(now));
    synchronized (w) {
      if (now - w.start >= windowMs) {
        w.start = now;
        w.count = 0;
      }
      if (w.count >= limit) {
        return Math.max(1, (w.start + windowMs - now + 999) / 1000);
      }
      w.count++;
      return 0;
    }
  }

  /** Forgets identities whose window ended, at most once a window, so the map stays small. */
  private void sweep(long now) {
    if (now - lastSweep < windowMs) {
      return;
    }
    lastSweep = now;
    for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
      if (now - it.next().start >= windowMs) {
        it.remove();
      }
    }
  }
}
