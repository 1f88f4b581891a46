package dev.memorymcp.gateway;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Namespaces;
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
    names.compose(all -> {
      List<String> list = all.stream().limit(Namespaces.MAX_LISTED).toList();
      // a key limited to scope ids does not learn how much the other scopes hold: nothing is counted for it
      Future<JsonObject> counts = p.scopeLimited() ? Future.succeededFuture(new JsonObject())
          : Bus.request(vertx, Addresses.STORE_COUNTS, new JsonObject().put("namespaces", new JsonArray(list)), 30_000)
              .map(r -> r.getJsonObject("counts"));
      return counts.map(c -> new JsonObject().put("truncated", all.size() > list.size()).put("namespaces", new JsonArray(
          list.stream().map(ns -> new JsonObject().put("namespace", ns).put("memories", c.getLong(ns))).toList())));
    }).onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, String kind) {
    JsonObject req = new JsonObject().put("namespace", Personas.namespace(ctx)).put("kind", kind);
    QueryParams.text(ctx.queryParams(), "scope_id", req);
    bus.request(Guard.caller(ctx), Addresses.STORE_CATALOGUE, req)
        .onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }
}
