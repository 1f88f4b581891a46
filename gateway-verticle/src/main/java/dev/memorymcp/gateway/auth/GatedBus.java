package dev.memorymcp.gateway.auth;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The gateway's only way to the service on a caller's behalf: checks the caller against
 * {@link AccessPolicy}, sends the principal along (so storage can name the actor and apply
 * member rules), and audits every call that changes something, succeeded or not.
 */
public final class GatedBus {
  private final Vertx vertx;

  public GatedBus(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<JsonObject> request(Caller caller, String address, JsonObject body) {
    return request(caller, address, body, Bus.DEFAULT_TIMEOUT_MS);
  }

  public Future<JsonObject> request(Caller caller, String address, JsonObject body, long timeoutMs) {
    AccessPolicy.Rule rule;
    try {
      rule = AccessPolicy.check(caller.principal(), address, body);
    } catch (MemoryException e) {
      audit(caller, "auth.forbidden", body, null, e);
      return Future.failedFuture(e);
    }
    // whatever a client put under these names is replaced: only the gateway speaks for a caller;
    // reads carry the principal too, since storage hides memories outside a key's scope ids
    body.remove("principal");
    body.remove("actor");
    JsonObject sent = body.put("principal", caller.principal().toJson()).put("actor", caller.principal().actor());
    Future<JsonObject> reply = Bus.request(vertx, address, sent, timeoutMs);
    if (rule.action() != null) {
      reply.onComplete(ar -> audit(caller, rule.action(), body, ar.result(),
          ar.failed() ? MemoryException.from(ar.cause()) : null));
    }
    return reply;
  }

  /** Sends one audit line (fire and forget): who, what, which ids, the outcome; never contents. */
  public void audit(Caller caller, String action, JsonObject request, JsonObject reply, MemoryException failure) {
    JsonObject line = new JsonObject().put("at", System.currentTimeMillis())
        .put("actor", caller.principal().actor()).put("actor_name", caller.principal().name())
        .put("role", caller.principal().role().label()).put("action", action).put("client", caller.client())
        .put("outcome", failure == null ? "ok" : failure.error());
    if (request != null) {
      line.put("namespace", request.getValue("namespace") instanceof String ns ? ns : null);
      Set<String> ids = new LinkedHashSet<>();
      collectIds(request, ids);
      if (reply != null) {
        collectIds(reply, ids);
      }
      line.put("ids", new JsonArray(ids.stream().limit(100).toList()));
      JsonObject detail = new JsonObject();
      for (String k : new String[] {"action", "dry_run", "count", "job_id", "source", "target", "purged",
          "written", "role", "name"}) {
        Object v = reply != null && reply.containsKey(k) ? reply.getValue(k) : request.getValue(k);
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
          detail.put(k, v);
        }
      }
      if (reply != null && reply.getJsonObject("key_info") != null) {
        detail.put("key_id", reply.getJsonObject("key_info").getString("id"))
            .put("key_name", reply.getJsonObject("key_info").getString("name"));
      }
      if (failure != null) {
        detail.put("error", failure.getMessage());
      }
      line.put("detail", detail);
    }
    vertx.eventBus().send(Addresses.AUDIT_APPEND, line);
  }

  /** Memory, job and key ids a request or reply names (ids only: no contents ever reach the log). */
  private static void collectIds(JsonObject j, Set<String> ids) {
    for (String k : new String[] {"id", "source_id", "target_id", "job_id"}) {
      if (j.getValue(k) instanceof String s) {
        ids.add(s);
      }
    }
    for (String k : new String[] {"deleted", "ids"}) {
      if (j.getValue(k) instanceof JsonArray a) {
        a.forEach(v -> {
          if (v instanceof String s) {
            ids.add(s);
          }
        });
      }
    }
    if (j.getValue("results") instanceof JsonArray a) {
      a.forEach(v -> {
        if (v instanceof JsonObject o && o.getValue("id") instanceof String s) {
          ids.add(s);
        }
      });
    }
  }
}
