package dev.memorymcp.gateway;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.auth.Guard;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The migration endpoints between the SQLite and Qdrant backends: start a job, read its state, and
 * follow it as a server-sent event stream. The job itself runs in the storage member; this only
 * relays. The body's {@code namespace} picks what to copy (all by default), not the caller's persona.
 */
final class MigrateApi {
  static final String BASE = "/api/v1/admin/migrate";
  /** How often the event stream looks at the job; an event is sent only when the state changed. */
  static final long POLL_MS = 500;

  private final Vertx vertx;
  private final GatedBus bus;

  MigrateApi(Vertx vertx, GatedBus bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  void mount(Router r) {
    r.post(BASE).handler(this::start);
    r.get(BASE + "/:id").handler(this::status);
    r.get(BASE + "/:id/events").handler(this::events);
  }

  /** 202 {job_id, status, …, status_url, events_url} with a Location header. */
  private void start(RoutingContext ctx) {
    JsonObject in = RestApi.body(ctx);
    bus.request(Guard.caller(ctx), Addresses.STORE_MIGRATE_START, in).onSuccess(state -> {
      String id = state.getString("job_id");
      ctx.response().putHeader("Location", BASE + "/" + id);
      HttpErrors.send(ctx, 202, withLinks(state));
    }).onFailure(ctx::fail);
  }

  private void status(RoutingContext ctx) {
    bus.request(Guard.caller(ctx), Addresses.STORE_MIGRATE_GET, new JsonObject().put("job_id", ctx.pathParam("id")))
        .onSuccess(state -> HttpErrors.send(ctx, 200, withLinks(state))).onFailure(ctx::fail);
  }

  /**
   * text/event-stream: a {@code progress} event with the state whenever it changes, then one
   * {@code done} or {@code failed} event and the end of the stream. An unknown job is a plain 404.
   */
  private void events(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    bus.request(Guard.caller(ctx), Addresses.STORE_MIGRATE_GET, new JsonObject().put("job_id", id)).onSuccess(first -> {
      HttpServerResponse res = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no")
          .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY); // never buffered by compression
      new Stream(res, id).send(first);
    }).onFailure(ctx::fail);
  }

  private static JsonObject withLinks(JsonObject state) {
    String id = state.getString("job_id");
    return state.copy().put("status_url", BASE + "/" + id).put("events_url", BASE + "/" + id + "/events");
  }

  /** One client's event stream: polls the job until it ends or the client goes away. */
  private final class Stream {
    private final HttpServerResponse res;
    private final String id;
    private String lastUpdate;
    private boolean closed;

    Stream(HttpServerResponse res, String id) {
      this.res = res;
      this.id = id;
      res.closeHandler(v -> closed = true);
    }

    void send(JsonObject state) {
      if (closed) {
        return;
      }
      String status = state.getString("status");
      boolean over = "done".equals(status) || "failed".equals(status);
      if (!state.getString("updated_at", "").equals(lastUpdate) || over) {
        lastUpdate = state.getString("updated_at", "");
        res.write("event: " + (over ? status : "progress") + "\ndata: " + withLinks(state).encode() + "\n\n");
      }
      if (over) {
        res.end();
        return;
      }
      vertx.setTimer(POLL_MS, t -> Bus.request(vertx, Addresses.STORE_MIGRATE_GET, new JsonObject().put("job_id", id))
          .onSuccess(this::send)
          .onFailure(err -> {
            if (!closed) {
              res.write("event: error\ndata: " + new JsonObject().put("error", MemoryException.from(err).getMessage()).encode() + "\n\n");
              res.end();
            }
          }));
    }
  }
}
