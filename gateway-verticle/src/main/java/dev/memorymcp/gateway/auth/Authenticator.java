package dev.memorymcp.gateway.auth;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the principal of an HTTP request from {@code Authorization: Bearer <key>} or
 * {@code X-API-Key: <key>}. A key is resolved by the auth verticle over the bus and the answer is
 * cached for {@link #CACHE_MS} (keyed by the key's SHA-256, never the key itself); a revocation is
 * published on the bus and empties every gateway's cache at once. Without a key: 401 when auth is
 * required, else the anonymous admin (a loopback server for one person).
 */
public final class Authenticator {
  static final long CACHE_MS = 30_000;
  static final int CACHE_MAX = 10_000;
  /** Longest key text read from a header: longer is refused without a look-up. */
  static final int MAX_KEY_LENGTH = 512;

  private record Cached(Principal principal, long until) {}

  private final Vertx vertx;
  private final boolean required;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public Authenticator(Vertx vertx, boolean required) {
    this.vertx = vertx;
    this.required = required;
    vertx.eventBus().consumer(Addresses.AUTH_CHANGED, m -> cache.clear());
  }

  public boolean required() {
    return required;
  }

  /** The request's principal, or a failure with 401 UNAUTHORIZED saying why. */
  public Future<Principal> authenticate(HttpServerRequest req) {
    String key;
    try {
      key = key(req);
    } catch (MemoryException e) {
      return Future.failedFuture(e);
    }
    if (key == null) {
      return required ? Future.failedFuture(unauthorized("an API key is required: send Authorization: Bearer <key> "
          + "or X-API-Key: <key>")) : Future.succeededFuture(Principal.ANONYMOUS);
    }
    String digest = sha256(key);
    long now = System.currentTimeMillis();
    Cached c = cache.get(digest);
    if (c != null && c.until() > now) {
      return Future.succeededFuture(c.principal());
    }
    return Bus.request(vertx, Addresses.AUTH_RESOLVE, new JsonObject().put("key", key), 10_000)
        .map(r -> Principal.of(r))
        .onSuccess(p -> {
          if (cache.size() >= CACHE_MAX) {
            cache.clear();
          }
          cache.put(digest, new Cached(p, now + CACHE_MS));
        });
  }

  /** The key from the headers; both headers with different keys is a 401, not a guess. */
  static String key(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    String bearer = null;
    if (auth != null && !auth.isBlank()) {
      String a = auth.strip();
      if (a.length() < 7 || !a.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw unauthorized("Authorization must be 'Bearer <key>'");
      }
      bearer = a.substring(7).strip();
    }
    String header = req.getHeader("X-API-Key");
    String x = header == null || header.isBlank() ? null : header.strip();
    if (bearer != null && x != null && !bearer.equals(x)) {
      throw unauthorized("Authorization and X-API-Key carry different keys");
    }
    String key = bearer != null ? bearer : x;
    if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH)) {
      throw unauthorized("malformed API key");
    }
    return key;
  }

  static MemoryException unauthorized(String message) {
    return new MemoryException(ErrorCode.UNAUTHORIZED, "UNAUTHORIZED", message);
  }

  private static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
