package dev.memorymcp.gateway;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.gateway.auth.AccessPolicy;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.auth.Guard;
import dev.memorymcp.gateway.transfer.Exporter;
import dev.memorymcp.gateway.transfer.Importer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /api/v1/export} streams JSON Lines; {@code POST /api/v1/import} reads them back as a
 * stream (no body limit: it is read a page at a time). Admin only: an export holds every
 * persona's memories and history, and an import can rewrite any of them.
 */
final class TransferRoutes {
  static final String EXPORT = "/api/v1/export";
  static final String IMPORT = "/api/v1/import";

  private final GatedBus bus;
  private final Exporter exporter;
  private final Importer importer;

  TransferRoutes(Vertx vertx, GatedBus bus) {
    this.bus = bus;
    this.exporter = new Exporter(vertx, bus);
    this.importer = new Importer(bus);
  }

  /** Whether the request's body is streamed by its handler instead of read whole by the BodyHandler. */
  static boolean streamed(RoutingContext ctx) {
    return ctx.normalizedPath().equals(IMPORT);
  }

  void mount(Router r) {
    r.get(EXPORT).handler(this::export);
    r.post(IMPORT).handler(this::importLines);
  }

  private void export(RoutingContext ctx) {
    Caller caller = Guard.caller(ctx);
    if (!AccessPolicy.allowed(caller.principal(), Addresses.STORE_EXPORT_PAGE)) {
      throw new MemoryException(dev.memorymcp.bus.ErrorCode.FORBIDDEN, "FORBIDDEN",
          "export needs an admin key (it holds every persona's memories)");
    }
    var p = ctx.queryParams();
    List<String> namespaces = p.get("namespace") == null ? null : List.of(Namespaces.check("namespace", p.get("namespace")));
    String scopeId = p.get("scope_id");
    JsonObject flags = new JsonObject();
    QueryParams.bool(p, "with_vectors", flags);
    boolean withVectors = flags.getBoolean("with_vectors", false);
    HttpServerResponse res = ctx.response().setChunked(true)
        .putHeader("Content-Type", "application/x-ndjson; charset=utf-8")
        .putHeader("Content-Disposition", "attachment; filename=\"memory-export.jsonl\"")
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
    exporter.export(caller, namespaces, scopeId, withVectors, text -> write(res, text), (done, total) -> { })
        .onComplete(ar -> {
          JsonObject req = new JsonObject().put("namespace", namespaces == null ? null : namespaces.get(0));
          bus.audit(caller, "export", req, ar.succeeded() ? new JsonObject().put("count", ar.result()) : null,
              ar.failed() ? MemoryException.from(ar.cause()) : null);
          if (ar.failed()) { // the status is sent already: the last line says what went wrong
            res.end(MemoryException.from(ar.cause()).toErrorBody().encode() + "\n");
          } else {
            res.end();
          }
        });
  }

  private static Future<Void> write(HttpServerResponse res, String text) {
    if (text.isEmpty()) {
      return Future.succeededFuture();
    }
    return res.write(text);
  }

  private void importLines(RoutingContext ctx) {
    Caller caller = Guard.caller(ctx);
    String target;
    try {
      if (!AccessPolicy.allowed(caller.principal(), Addresses.STORE_IMPORT_PAGE)) {
        throw new MemoryException(dev.memorymcp.bus.ErrorCode.FORBIDDEN, "FORBIDDEN", "import needs an admin key");
      }
      String ns = ctx.queryParams().get("namespace");
      target = ns == null ? null : Namespaces.check("namespace", ns);
    } catch (MemoryException e) {
      ctx.request().resume(); // the body is not read: let it drain so the connection can be reused
      throw e;
    }
    Future<JsonObject> result = importer.importFrom(caller, ctx.request(), target, (done, total) -> { });
    ctx.request().resume();
    result.onSuccess(j -> HttpErrors.send(ctx, 200, j)).onFailure(ctx::fail);
  }
}
