package dev.memorymcp.gateway;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.auth.Guard;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Administration, for admin keys only (AccessPolicy): API keys, the audit log, the TTL
 * cleanup and the online rebuild. Each change is audited with the admin's key name and the client address.
 */
final class AdminApi {
  static final String KEYS = "/api/v1/admin/keys";
  static final String REBUILD = "/api/v1/admin/rebuild";

  private final GatedBus bus;

  AdminApi(GatedBus bus) {
    this.bus = bus;
  }

  void mount(Router r) {
    r.post(KEYS).handler(this::createKey);
    r.get(KEYS).handler(this::listKeys);
    r.delete(KEYS + "/:id").handler(this::revokeKey);
    r.get("/api/v1/admin/audit-logs").handler(this::audit);
    r.post("/api/v1/admin/cleanup").handler(ctx -> bus.request(Guard.caller(ctx), Addresses.STORE_CLEANUP,
        new JsonObject(), 600_000).onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail));
    // re-embeds with the configured model in the background, the old vectors serving meanwhile
    r.post(REBUILD).handler(ctx -> bus.request(Guard.caller(ctx), Addresses.STORE_REBUILD_START,
            ctx.body().length() > 0 ? RestApi.body(ctx) : new JsonObject())
        .onSuccess(j -> HttpErrors.send(ctx, 202, j)).onFailure(ctx::fail));
    r.get(REBUILD).handler(ctx -> bus.request(Guard.caller(ctx), Addresses.STORE_REBUILD_STATUS, new JsonObject())
        .onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail));
  }

  /** 201 {key, key_info, note}: the key text is in this reply and nowhere else, ever. */
  private void createKey(RoutingContext ctx) {
    JsonObject in = RestApi.body(ctx);
    bus.request(Guard.caller(ctx), Addresses.AUTH_KEY_CREATE, in).onSuccess(j -> {
      ctx.response().putHeader("Cache-Control", "no-store");
      HttpErrors.send(ctx, 201, j);
    }).onFailure(ctx::fail);
  }

  private void listKeys(RoutingContext ctx) {
    JsonObject req = new JsonObject();
    QueryParams.bool(ctx.queryParams(), "include_revoked", req);
    bus.request(Guard.caller(ctx), Addresses.AUTH_KEY_LIST, req)
        .onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }

  private void revokeKey(RoutingContext ctx) {
    bus.request(Guard.caller(ctx), Addresses.AUTH_KEY_REVOKE, new JsonObject().put("id", ctx.pathParam("id")))
        .onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }

  /** GET /api/v1/admin/audit-logs?since=&until=&actor=&action=&namespace=&limit=&cursor= (newest first). */
  private void audit(RoutingContext ctx) {
    var p = ctx.queryParams();
    JsonObject req = new JsonObject();
    for (String k : new String[] {"since", "until", "actor", "action", "namespace", "cursor"}) {
      if (p.get(k) != null) { // "actor" on the bus is the caller, set by GatedBus: the filter goes as actor_filter
        req.put(k.equals("actor") ? "actor_filter" : k, p.get(k));
      }
    }
    QueryParams.integer(p, "limit", req);
    bus.request(Guard.caller(ctx), Addresses.AUDIT_QUERY, req)
        .onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }
}
