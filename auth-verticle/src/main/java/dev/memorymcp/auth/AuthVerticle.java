package dev.memorymcp.auth;

import dev.memorymcp.auth.internal.AuthLock;
import dev.memorymcp.auth.internal.AuthStore;
import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.JsonHandler;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.bus.ProcessLock;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys and the audit log, on the bus: resolves keys to principals (the stored keys and the
 * bootstrap {@code admin_api_key}), creates, lists and revokes keys, appends audit lines in group
 * commits and answers audit queries. Runs with the storage role, once per data directory.
 */
public class AuthVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);
  /** The principal of the bootstrap key from {@code MEMORY_MCP_ADMIN_API_KEY}. */
  public static final Principal BOOTSTRAP = new Principal(null, "bootstrap-admin", Principal.Role.ADMIN,
      List.of(Principal.ALL_NAMESPACES));
  /** Shortest bootstrap key accepted: anything shorter is guessable. */
  public static final int MIN_BOOTSTRAP_KEY = 32;
  static final long AUDIT_FLUSH_MS = 200;
  static final long LAST_USED_FLUSH_MS = 30_000;

  private ProcessLock lock;
  private AuthStore store;
  private String bootstrapKey;
  private final List<JsonObject> pendingAudit = new ArrayList<>();
  private boolean flushScheduled;

  @Override
  public Future<?> start() {
    Path dataDir = Path.of(config().getString("data_dir", "./data"));
    bootstrapKey = config().getString("admin_api_key", "");
    if (!bootstrapKey.isEmpty() && bootstrapKey.length() < MIN_BOOTSTRAP_KEY) {
      return Future.failedFuture(new IllegalArgumentException("MEMORY_MCP_ADMIN_API_KEY must be at least "
          + MIN_BOOTSTRAP_KEY + " characters (e.g. the output of: openssl rand -base64 32)"));
    }
    return vertx.executeBlocking(() -> {
      lock = AuthLock.acquire(dataDir);
      try {
        store = AuthStore.open(dataDir, config().getString("storage.synchronous", "FULL"));
      } catch (Exception e) {
        lock.close();
        throw e;
      }
      return null;
    }).compose(v -> Future.all(List.of(
        reg(Addresses.AUTH_RESOLVE, this::resolve),
        reg(Addresses.AUTH_KEY_CREATE, this::create),
        reg(Addresses.AUTH_KEY_LIST, this::list),
        reg(Addresses.AUTH_KEY_REVOKE, this::revoke),
        reg(Addresses.AUDIT_QUERY, this::query),
        vertx.eventBus().<JsonObject>consumer(Addresses.AUDIT_APPEND, m -> audit(m.body())).completion())))
        .onSuccess(v -> vertx.setPeriodic(LAST_USED_FLUSH_MS, t -> blocking(() -> {
          store.flushLastUsed();
          return null;
        }).onFailure(err -> LOG.warn("recording key use failed: {}", err.getMessage()))))
        .onSuccess(v -> LOG.info("auth ready: {} keys in {}", "API", dataDir.resolve(AuthStore.FILE)));
  }

  private Future<Void> reg(String address, JsonHandler h) {
    return Bus.register(vertx, address, h);
  }

  /** Ordered, so that a revoke is never overtaken by a resolve sent after it. */
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, true);
  }

  private Future<JsonObject> resolve(JsonObject body) {
    String key = body.getString("key");
    if (key == null || key.isEmpty()) {
      return Future.failedFuture(unauthorized("no API key"));
    }
    if (!bootstrapKey.isEmpty() && ApiKeys.sameSecret(key, bootstrapKey)) {
      return Future.succeededFuture(new JsonObject().put("principal", BOOTSTRAP.toJson()));
    }
    long now = System.currentTimeMillis();
    return blocking(() -> {
      Principal p = store.resolve(key, now);
      if (p == null) {
        String why = store.whyUnusable(key, now);
        throw unauthorized(why == null ? "unknown API key" : "API key " + why);
      }
      return new JsonObject().put("principal", p.toJson());
    });
  }

  static MemoryException unauthorized(String message) {
    return new MemoryException(ErrorCode.UNAUTHORIZED, "UNAUTHORIZED", message);
  }

  private Future<JsonObject> create(JsonObject body) {
    long now = System.currentTimeMillis();
    String actor = body.getString("actor", "?");
    JsonObject in = body.copy();
    in.remove("actor");
    in.remove("principal");
    KeyRequest req = KeyRequest.parse(in, now);
    return blocking(() -> {
      AuthStore.Created c = store.create(req.name(), req.role(), req.namespaces(), req.scopeIds(), req.expiresAt(), actor, now);
      return new JsonObject().put("key", c.key()).put("key_info", c.info())
          .put("note", "store this key now: it is shown only once and cannot be recovered");
    });
  }

  private Future<JsonObject> list(JsonObject body) {
    boolean all = Boolean.TRUE.equals(Fields.optBool(body, "include_revoked"));
    return blocking(() -> new JsonObject().put("keys", new JsonArray(new ArrayList<>(store.list(all)))));
  }

  private Future<JsonObject> revoke(JsonObject body) {
    String id = Fields.requireString(body, "id", 64);
    long now = System.currentTimeMillis();
    return blocking(() -> new JsonObject().put("key_info", store.revoke(id, now)))
        .onSuccess(r -> vertx.eventBus().publish(Addresses.AUTH_CHANGED, new JsonObject().put("revoked", id)));
  }

  private Future<JsonObject> query(JsonObject body) {
    Integer limit = Fields.optInt(body, "limit", 1, AuthStore.MAX_AUDIT_PAGE);
    String cursor = Fields.optString(body, "cursor", 32);
    Long before;
    try {
      before = cursor == null ? null : Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw MemoryException.invalidField("cursor", "is not a cursor this endpoint returned");
    }
    AuthStore.AuditQuery q = new AuthStore.AuditQuery(Fields.optInstant(body, "since"), Fields.optInstant(body, "until"),
        Fields.optString(body, "actor_filter", 200), Fields.optString(body, "action", 64), Fields.optString(body, "namespace", 256),
        limit == null ? 100 : limit, before);
    return blocking(() -> store.query(q));
  }

  /** Buffers a line; lines that arrive within {@link #AUDIT_FLUSH_MS} are committed together. */
  private void audit(JsonObject line) {
    if (line == null || store == null) {
      return;
    }
    pendingAudit.add(line.copy().put("at", line.getLong("at", System.currentTimeMillis())));
    if (!flushScheduled) {
      flushScheduled = true;
      vertx.setTimer(AUDIT_FLUSH_MS, t -> flushAudit());
    }
  }

  private Future<Void> flushAudit() {
    flushScheduled = false;
    if (pendingAudit.isEmpty()) {
      return Future.succeededFuture();
    }
    List<JsonObject> batch = new ArrayList<>(pendingAudit);
    pendingAudit.clear();
    return blocking(() -> {
      store.append(batch);
      return (Void) null;
    }).onFailure(err -> LOG.error("writing {} audit lines failed: {}", batch.size(), err.getMessage()));
  }

  @Override
  public Future<?> stop() {
    if (store == null) {
      return Future.succeededFuture();
    }
    return flushAudit().recover(err -> Future.succeededFuture()).compose(v -> blocking(() -> {
      try {
        store.close();
      } finally {
        lock.close();
      }
      return null;
    }));
  }
}
