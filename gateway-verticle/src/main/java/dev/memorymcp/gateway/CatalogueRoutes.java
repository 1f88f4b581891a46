package dev.memorymcp.gateway;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Principal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.util.List;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.auth.Guard;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What a namespace holds, counted: {@code GET /api/v1/categories}, {@code /tags}, {@code /projects}
 * and {@code /stats}, each with an optional {@code scope_id}; and {@code /namespaces}, the ones the key may use. Any key that may read the namespace
 * (viewer and up); a key limited to scope ids counts only those.
 */
final class CatalogueRoutes {
  static final int MAX_NAMESPACES = 500;

  private final io.vertx.core.Vertx vertx;
  private final GatedBus bus;

  CatalogueRoutes(io.vertx.core.Vertx vertx, GatedBus bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  void mount(Router r) {
    r.get("/api/v1/namespaces").handler(this::namespaces);
    for (String kind : new String[] {"categories", "tags", "projects", "stats"}) {
      r.get("/api/v1/" + kind).handler(ctx -> answer(ctx, kind));
    }
  }

  /**
   * GET /api/v1/namespaces: {namespaces: [{namespace, memories}]}, the namespaces this key may use
   * (every stored one for a key of all namespaces), each with its count.
   */
  private void namespaces(RoutingContext ctx) {
    Principal p = Guard.caller(ctx).principal();
    Future<List<String>> names = p.namespaces().contains(Principal.ALL_NAMESPACES)
        ? Bus.request(vertx, Addresses.STORE_NAMESPACES, new JsonObject(), 30_000)
            .map(j -> j.getJsonArray("namespaces").stream().map(String::valueOf).toList())
        : Future.succeededFuture(p.namespaces());
    names.compose(list -> {
      List<Future<JsonObject>> counts = list.stream().limit(MAX_NAMESPACES).map(ns -> Bus.request(vertx, Addresses.STORE_STATS,
          new JsonObject().put("namespace", ns), 30_000).map(s -> new JsonObject().put("namespace", ns)
          // a key limited to scope ids does not learn how much the other scopes hold
          .put("memories", p.scopeLimited() ? null : s.getLong("memories")))).toList();
      return Future.all(counts).map(cf -> new JsonObject().put("namespaces", new JsonArray(counts.stream().map(Future::result).toList()))
          .put("truncated", list.size() > MAX_NAMESPACES));
    }).onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, String kind) {
    JsonObject req = new JsonObject().put("namespace", Personas.namespace(ctx)).put("kind", kind);
    String scopeId = ctx.queryParams().get("scope_id");
    if (scopeId != null) {
      req.put("scope_id", scopeId);
    }
    bus.request(Guard.caller(ctx), Addresses.STORE_CATALOGUE, req)
        .onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }
}
