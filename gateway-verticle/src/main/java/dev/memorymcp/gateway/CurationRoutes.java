package dev.memorymcp.gateway;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.auth.Guard;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Tending the memory: duplicate detection and the knowledge graph (viewer and up), restore from
 * history (member and up), merging chosen memories and cleaning exact duplicates (admin). The
 * namespace is the request's persona, as everywhere.
 */
final class CurationRoutes {
  static final int GRAPH_TIMEOUT_MS = 60_000;

  private final GatedBus bus;
  private final GraphExport graphExport;

  CurationRoutes(GatedBus bus, GraphExport graphExport) {
    this.bus = bus;
    this.graphExport = graphExport;
  }

  void mount(Router r) {
    r.get("/api/v1/duplicates").handler(this::duplicates);
    r.postWithRegex("/api/v1/memories:merge").handler(ctx -> send(ctx, Addresses.STORE_MERGE, RestApi.body(ctx), 200));
    r.post("/api/v1/memories/:id/restore").handler(ctx -> send(ctx, Addresses.STORE_RESTORE,
        (ctx.body().length() > 0 ? RestApi.body(ctx) : new JsonObject()).put("id", ctx.pathParam("id")), 200));
    r.post("/api/v1/admin/clean").handler(ctx -> send(ctx, Addresses.STORE_CLEAN,
        ctx.body().length() > 0 ? RestApi.body(ctx) : new JsonObject(), 200));
    r.get("/api/v1/graph").handler(this::graph);
  }

  private void duplicates(RoutingContext ctx) {
    var p = ctx.queryParams();
    JsonObject req = new JsonObject();
    QueryParams.number(p, "threshold", req);
    QueryParams.integer(p, "limit", req);
    QueryParams.integer(p, "max_scan", req);
    QueryParams.text(p, "scope_id", req);
    send(ctx, Addresses.STORE_DUPLICATES, req, 200);
  }

  /** JSON, or with {@code format=html} one self-contained page that draws it (no network needed). */
  private void graph(RoutingContext ctx) {
    var p = ctx.queryParams();
    String format = p.get("format") == null ? "json" : p.get("format");
    if (!format.equals("json") && !format.equals("html")) {
      throw dev.memorymcp.bus.MemoryException.invalidField("format", "must be json or html");
    }
    JsonObject req = new JsonObject().put("namespace", Personas.namespace(ctx));
    QueryParams.integer(p, "limit", req);
    QueryParams.text(p, "scope_id", req);
    bus.request(Guard.caller(ctx), Addresses.STORE_GRAPH, req, GRAPH_TIMEOUT_MS).onSuccess(g -> {
      if (format.equals("json")) {
        HttpErrors.send(ctx, 200, g);
        return;
      }
      ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Content-Disposition", "attachment; filename=\"memory-graph-" + g.getString("namespace") + ".html\"")
          .end(graphExport.html(g));
    }).onFailure(ctx::fail);
  }

  private void send(RoutingContext ctx, String address, JsonObject req, int status) {
    req.put("namespace", Personas.namespace(ctx));
    bus.request(Guard.caller(ctx), address, req, GRAPH_TIMEOUT_MS)
        .onSuccess(j -> HttpErrors.send(ctx, status, j)).onFailure(ctx::fail);
  }
}
