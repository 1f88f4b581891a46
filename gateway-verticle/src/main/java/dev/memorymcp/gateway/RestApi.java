package dev.memorymcp.gateway;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryBatch;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.MemoryPatch;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Version;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.auth.Guard;
import dev.memorymcp.gateway.chat.RecallGate;
import dev.memorymcp.gateway.mcp.ContextPacker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The REST API, {@code /api/v1}. Each handler turns the request into a bus message and the reply
 * (or the failure) into a response; validation happens in bus-api's parsers so REST, MCP and the
 * store agree on what is valid.
 */
final class RestApi {
  private final Vertx vertx;
  private final GatedBus bus;
  private final ContextPacker context;
  private final RecallGate gate;
  private final IngestRequest.Limits ingestLimits;

  /** {@code cfg}: the service settings (context.max_tokens, the ingest limits). */
  RestApi(Vertx vertx, JsonObject cfg, GatedBus bus) {
    this.vertx = vertx;
    this.bus = bus;
    this.context = new ContextPacker(vertx, cfg);
    this.gate = new RecallGate(bus, cfg);
    this.ingestLimits = IngestRequest.Limits.of(cfg);
  }

  void mount(Router r) {
    r.get("/health").handler(this::health);
    r.get("/health/ready").handler(ctx -> health(ctx, true));
    // liveness: the process answers HTTP; a missing role elsewhere must not get this one restarted
    r.get("/health/live").handler(ctx -> HttpErrors.send(ctx, 200,
        new JsonObject().put("status", "alive").put("version", Version.get())));
    r.post("/api/v1/memories").handler(this::remember);
    r.postWithRegex("/api/v1/memories:batch").handler(this::rememberBatch);
    r.get("/api/v1/memories").handler(this::list);
    r.delete("/api/v1/memories").handler(this::forget);
    r.get("/api/v1/memories/:id").handler(ctx -> byId(ctx, Addresses.STORE_GET, 200));
    r.patch("/api/v1/memories/:id").handler(this::update);
    r.delete("/api/v1/memories/:id").handler(ctx -> byId(ctx, Addresses.STORE_DELETE, 200));
    r.get("/api/v1/memories/:id/history").handler(ctx -> byId(ctx, Addresses.STORE_HISTORY, 200));
    r.post("/api/v1/search").handler(ctx -> search(ctx, body(ctx)));
    r.get("/api/v1/search").handler(this::searchGet);
    r.post("/api/v1/relations").handler(this::relate);
    r.get("/api/v1/context").handler(this::context);
    // the recall gate: a SEARCH for the caller (viewer and up, in its namespaces)
    r.post("/api/v1/chat/context").handler(ctx -> reply(ctx, gate.decide(Guard.caller(ctx), Personas.namespace(ctx), body(ctx)), 200));
    r.post("/api/v1/ingest").handler(this::ingest);
    r.get("/api/v1/ingest/:id").handler(this::ingestStatus);
    r.get("/api/v1/ingest").handler(this::ingestList);
    r.get("/api/v1/memories/:id/relations").handler(ctx -> reply(ctx, bus.request(Guard.caller(ctx), Addresses.STORE_RELATIONS,
        new JsonObject().put("namespace", Personas.namespace(ctx)).put("ids", new JsonArray().add(ctx.pathParam("id")))), 200));
  }

  /** The JSON object body; malformed JSON, an array or an empty body is a 400 naming "body". */
  static JsonObject body(RoutingContext ctx) {
    String text = ctx.body().length() <= 0 ? "" : ctx.body().asString("UTF-8").strip();
    if (text.isEmpty()) {
      throw MemoryException.invalidField("body", "is empty; expected a JSON object");
    }
    if (!text.startsWith("{")) {
      throw MemoryException.invalidField("body", "must be a JSON object");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new MemoryException(dev.memorymcp.bus.ErrorCode.BAD_REQUEST, "INVALID_JSON",
          "body: malformed JSON: " + e.getMessage(), new JsonObject().put("field", "body"));
    }
  }

  private void reply(RoutingContext ctx, Future<JsonObject> result, int status) {
    result.onSuccess(j -> HttpErrors.send(ctx, status, j)).onFailure(ctx::fail);
  }

  /**
   * GET /health and /health/ready: 200 when storage and embedding answer and, on a clustered node,
   * every role has a live member; else 503. The cluster part comes from the node's local
   * CLUSTER_STATUS consumer, which only clustered nodes register.
   */
  private void health(RoutingContext ctx) {
    health(ctx, false);
  }

  /**
   * {@code ready}: /health/ready, which also answers 503 while the store is still loading its
   * vectors (it is alive and answers /health, but searches and writes would wait).
   */
  private void health(RoutingContext ctx, boolean ready) {
    Future<JsonObject> stats = Bus.request(vertx, Addresses.STORE_STATS, new JsonObject(), 5_000);
    Future<JsonObject> embed = Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject(), 5_000);
    Future<JsonObject> cluster = vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_STATUS, new JsonObject(),
        new DeliveryOptions().setLocalOnly(true).setSendTimeout(5_000)).map(Message::body)
        .otherwise(err -> err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            ? null : new JsonObject().put("error", MemoryException.from(err).getMessage()));
    // the search member's start-up warm-up; a member without one (or none reachable) does not hold warm back
    Future<JsonObject> searchStatus = Bus.request(vertx, Addresses.SEARCH_STATUS, new JsonObject(), 5_000)
        .map(r -> r.getJsonObject("warmup")).otherwise((JsonObject) null);
    Future.join(stats, embed, cluster, searchStatus).onComplete(ar -> {
      JsonObject c = cluster.result();
      boolean rolesOk = c == null || c.getJsonArray("missing", new JsonArray().add("?")).isEmpty();
      if (stats.succeeded() && embed.succeeded() && rolesOk) {
        JsonObject out = new JsonObject()
            .put("status", "healthy").put("version", Version.get())
            .put("backend", stats.result().getString("backend"))
            // the model whose vectors answer recall: the store's, which differs from the configured one during a rebuild
            .put("model", stats.result().getString("model", embed.result().getString("model")))
            .put("dimension", stats.result().getInteger("dimension", embed.result().getInteger("dimension")))
            .put("memories", stats.result().getLong("memories"))
            .put("ingest_jobs", stats.result().getJsonObject("ingest_jobs"));
        if (stats.result().getJsonObject("rebuild") != null) {
          out.put("rebuild", stats.result().getJsonObject("rebuild"));
        }
        // warm: vector search is on its HNSW index (false while it loads or catches up; exact answers
        // meanwhile) and the search path has been warmed up
        JsonObject vectorIndex = stats.result().getJsonObject("vector_index");
        JsonObject loading = stats.result().getJsonObject("loading");
        JsonObject warmup = searchStatus.result();
        boolean warmingUp = warmup != null
            && ("waiting".equals(warmup.getString("state")) || "running".equals(warmup.getString("state")));
        out.put("warm", loading == null && (vectorIndex == null || "warm".equals(vectorIndex.getString("state")))
            && !warmingUp);
        if (warmup != null) {
          out.put("search_warmup", warmup);
        }
        if (vectorIndex != null) {
          out.put("vector_index", vectorIndex);
        }
        if (loading != null) {
          out.put("loading", loading);
          if (ready || "failed".equals(loading.getString("state"))) {
            HttpErrors.send(ctx, 503, out.put("status", "failed".equals(loading.getString("state")) ? "unhealthy" : "loading"));
            return;
          }
        }
        HttpErrors.send(ctx, 200, c == null ? out : out.put("cluster", c));
        return;
      }
      Throwable err = stats.failed() ? stats.cause() : embed.failed() ? embed.cause() : null;
      JsonObject out = new JsonObject().put("status", "unhealthy").put("version", Version.get())
          .put("error", err != null ? MemoryException.from(err).getMessage()
              : c.containsKey("error") ? "cluster status unavailable: " + c.getString("error")
              : "no live cluster member for role(s) " + c.getJsonArray("missing").encode());
      HttpErrors.send(ctx, 503, c == null ? out : out.put("cluster", c));
    });
  }

  private void remember(RoutingContext ctx) {
    JsonObject in = body(ctx);
    MemoryInput.parse(in); // reject bad input here, before any work; the store parses again
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.STORE_REMEMBER,
        new JsonObject().put("namespace", Personas.namespace(ctx)).put("memory", in)), 201);
  }

  /** POST /api/v1/memories:batch: many memories in one transaction, results in input order. */
  private void rememberBatch(RoutingContext ctx) {
    JsonObject in = body(ctx);
    MemoryBatch.parse(in); // 400/413 naming memories[i].field before any work
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.STORE_REMEMBER_BATCH, in.copy().put("namespace", Personas.namespace(ctx)),
        120_000), 201);
  }

  /**
   * POST /api/v1/ingest: 202 {job_id, status} once the job is durable; learning happens later.
   * An {@code Idempotency-Key} header makes a retried post return the first job.
   */
  private void ingest(RoutingContext ctx) {
    JsonObject in = body(ctx);
    IngestRequest.parse(in, ingestLimits); // 400/413 here, before the queue
    String key = IngestRequest.checkIdempotencyKey("Idempotency-Key", ctx.request().getHeader("Idempotency-Key"));
    JsonObject req = in.copy().put("namespace", Personas.namespace(ctx));
    if (key != null) {
      req.put("idempotency_key", key);
    }
    bus.request(Guard.caller(ctx), Addresses.INGEST_ENQUEUE, req).onSuccess(ack -> {
      String id = ack.getString("job_id");
      ctx.response().putHeader("Location", "/api/v1/ingest/" + id);
      HttpErrors.send(ctx, 202, ack.put("status_url", "/api/v1/ingest/" + id));
    }).onFailure(ctx::fail);
  }

  private void ingestStatus(RoutingContext ctx) {
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.INGEST_GET, new JsonObject().put("namespace", Personas.namespace(ctx))
        .put("job_id", ctx.pathParam("id"))).map(r -> r.getJsonObject("job")), 200);
  }

  /** GET /api/v1/ingest?status=&limit=: the namespace's newest ingest jobs (viewer and up). */
  private void ingestList(RoutingContext ctx) {
    var p = ctx.queryParams();
    JsonObject req = new JsonObject().put("namespace", Personas.namespace(ctx));
    QueryParams.integer(p, "limit", req);
    QueryParams.text(p, "status", req);
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.INGEST_LIST, req), 200);
  }

  private void byId(RoutingContext ctx, String address, int status) {
    reply(ctx, bus.request(Guard.caller(ctx), address, new JsonObject().put("namespace", Personas.namespace(ctx))
        .put("id", ctx.pathParam("id"))), status);
  }

  private void update(RoutingContext ctx) {
    JsonObject patch = MemoryPatch.parse(body(ctx));
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.STORE_UPDATE, new JsonObject().put("namespace", Personas.namespace(ctx))
        .put("id", ctx.pathParam("id")).put("patch", patch)), 200);
  }

  private void list(RoutingContext ctx) {
    var p = ctx.queryParams();
    JsonObject req = new JsonObject().put("namespace", Personas.namespace(ctx)).put("filters", QueryParams.filters(p));
    QueryParams.integer(p, "limit", req);
    if (p.get("cursor") != null) {
      req.put("cursor", p.get("cursor"));
    }
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.STORE_LIST, req), 200);
  }

  /** DELETE /api/v1/memories?query=&type=&before=&confirm=true: a dry run unless confirm=true. */
  private void forget(RoutingContext ctx) {
    var p = ctx.queryParams();
    JsonObject req = new JsonObject().put("namespace", Personas.namespace(ctx));
    for (String k : new String[] {"query", "type", "before"}) {
      if (p.get(k) != null) {
        req.put(k, p.get(k));
      }
    }
    QueryParams.bool(p, "confirm", req);
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.STORE_FORGET, req), 200);
  }

  private void searchGet(RoutingContext ctx) {
    var p = ctx.queryParams();
    JsonObject req = new JsonObject();
    if (p.get("query") != null) {
      req.put("query", p.get("query"));
    }
    if (p.get("search_type") != null) {
      req.put("search_type", p.get("search_type"));
    }
    QueryParams.integer(p, "limit", req);
    QueryParams.bool(p, "include_relations", req);
    JsonObject f = QueryParams.filters(p);
    if (!f.isEmpty()) {
      req.put("filters", f);
    }
    search(ctx, req);
  }

  private void search(RoutingContext ctx, JsonObject req) {
    if (req.getValue("query") == null || req.getValue("query") instanceof String s && s.isBlank()) {
      throw MemoryException.invalidField("query", "is required and must not be empty");
    }
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.SEARCH, req.copy().put("namespace", Personas.namespace(ctx))), 200);
  }

  private void relate(RoutingContext ctx) {
    reply(ctx, bus.request(Guard.caller(ctx), Addresses.STORE_RELATE, body(ctx).copy().put("namespace", Personas.namespace(ctx))), 201);
  }

  /** GET /api/v1/context?query=&max_tokens=&scope_id=&types=a,b: memories packed under a token budget. */
  private void context(RoutingContext ctx) {
    var p = ctx.queryParams();
    JsonObject req = new JsonObject();
    if (p.get("query") != null) {
      req.put("query", p.get("query"));
    }
    QueryParams.text(p, "scope_id", req);
    QueryParams.integer(p, "max_tokens", req);
    QueryParams.list(p, "type", req, "types");
    QueryParams.list(p, "types", req, "types");
    reply(ctx, context.pack(Guard.caller(ctx), Personas.namespace(ctx), req), 200);
  }
}
