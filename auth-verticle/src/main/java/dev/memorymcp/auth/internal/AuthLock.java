package dev.memorymcp.auth.internal;

import dev.memorymcp.bus.ProcessLock;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One holder of auth.db at a time: the running service, or the {@code keys} command while the
 * service is stopped. A key made behind a running service's back would work, but a revocation
 * would not reach the principals its gateways cache, so the command refuses instead.
 */
public final class AuthLock {
  private AuthLock() {}

  /** Takes the lock or throws IllegalStateException saying what to do instead. */
  public static ProcessLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.resolve(AuthStore.FILE + ".lock");
    return ProcessLock.acquire(file, () -> "the API keys in " + dataDir.toAbsolutePath() + " are in use by a running "
        + "memory service (lock " + file + "). Stop it first, or manage keys through its admin API "
        + "(POST/GET/DELETE /api/v1/admin/keys with an admin key)");
  }
}
