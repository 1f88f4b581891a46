package dev.memorymcp.gateway.mcp.http;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.ProtocolVersions;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The SDK's Streamable HTTP server transport (protocol 2025-03-26 .. 2025-11-25) on Vert.x Web,
 * modelled on the SDK's HttpServletStreamableServerTransportProvider: POST initialize creates a
 * session through the session factory and returns {@code Mcp-Session-Id}; later POSTs need that id
 * (400 without, 404 when unknown or ended); GET opens the session's SSE listening stream; DELETE
 * ends the session. Sessions idle longer than the configured time are closed.
 */
public final class VertxStreamableServerTransportProvider implements McpStreamableServerTransportProvider {
  /** The session-era versions this transport speaks (the newest last: the SDK's fallback). */
  public static final List<String> VERSIONS = List.of(ProtocolVersions.MCP_2025_03_26,
      ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);
  private static final Logger LOG = LoggerFactory.getLogger(VertxStreamableServerTransportProvider.class);

  private final Vertx vertx;
  private final McpJsonMapper mapper;
  private final McpTransportContextExtractor<RoutingContext> contextExtractor;
  private final java.util.function.BiFunction<RoutingContext, McpSchema.JSONRPCMessage, McpSchema.JSONRPCMessage> outgoing;
  private final long idleMillis;
  private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
  private final long sweeper;
  private volatile McpStreamableServerSession.Factory factory;
  private volatile boolean closing;

  private static final class Entry {
    final McpStreamableServerSession session;
    final AtomicInteger streams = new AtomicInteger();
    volatile long lastUsed = System.currentTimeMillis();

    Entry(McpStreamableServerSession session) {
      this.session = session;
    }
  }

  public VertxStreamableServerTransportProvider(Vertx vertx, McpJsonMapper mapper, Duration idle,
      McpTransportContextExtractor<RoutingContext> contextExtractor) {
    this(vertx, mapper, idle, contextExtractor, (ctx, message) -> message);
  }

  /**
   * {@code outgoing} may rewrite what the SDK answers a request before it is written (the gateway
   * narrows {@code tools/list} to the caller's role: the SDK has one tool list for every session).
   */
  public VertxStreamableServerTransportProvider(Vertx vertx, McpJsonMapper mapper, Duration idle,
      McpTransportContextExtractor<RoutingContext> contextExtractor,
      java.util.function.BiFunction<RoutingContext, McpSchema.JSONRPCMessage, McpSchema.JSONRPCMessage> outgoing) {
    this.outgoing = outgoing;
    this.vertx = vertx;
    this.mapper = mapper;
    this.contextExtractor = contextExtractor;
    this.idleMillis = Math.max(1, idle.toMillis());
    this.sweeper = vertx.setPeriodic(Math.max(100, Math.min(idleMillis / 2, 30_000)), id -> sweep());
  }

  @Override
  public void setSessionFactory(McpStreamableServerSession.Factory sessionFactory) {
    this.factory = sessionFactory;
  }

  @Override
  public List<String> protocolVersions() {
    return VERSIONS;
  }

  /** POST: one JSON-RPC message, already parsed. */
  void handlePost(RoutingContext ctx, McpSchema.JSONRPCMessage message) {
    if (unavailable(ctx)) {
      return;
    }
    if (message instanceof McpSchema.JSONRPCRequest req && McpSchema.METHOD_INITIALIZE.equals(req.method())) {
      initialize(ctx, req);
      return;
    }
    Entry entry = session(ctx);
    if (entry == null) {
      return;
    }
    McpTransportContext tc = contextExtractor.extract(ctx);
    if (message instanceof McpSchema.JSONRPCRequest req) {
      busy(ctx, entry);
      VertxStreamTransport transport = new VertxStreamTransport(ctx.response(), mapper, entry.session.getId(),
          m -> outgoing.apply(ctx, m));
      entry.session.responseStream(req, transport).contextWrite(c -> c.put(McpTransportContext.KEY, tc))
          .subscribe(null, err -> failed(ctx, req.id(), err));
      return;
    }
    // a notification or response is accepted once it is well-formed and its session known (202);
    // what the server does with it (e.g. roots/list_changed asking the client back) is not the client's concern
    Mono<Void> accepted = message instanceof McpSchema.JSONRPCResponse resp ? entry.session.accept(resp)
        : entry.session.accept((McpSchema.JSONRPCNotification) message);
    JsonRpc.accepted(ctx);
    accepted.contextWrite(c -> c.put(McpTransportContext.KEY, tc))
        .subscribe(null, err -> LOG.warn("session {}: handling {} failed: {}", entry.session.getId(), message, err.toString()));
  }

  private void initialize(RoutingContext ctx, McpSchema.JSONRPCRequest req) {
    McpSchema.InitializeRequest init = mapper.convertValue(req.params(), new TypeRef<McpSchema.InitializeRequest>() {});
    McpStreamableServerSession.McpStreamableServerSessionInit started = factory.startSession(init);
    String id = started.session().getId();
    sessions.put(id, new Entry(started.session()));
    started.initResult().subscribe(result -> {
      try {
        ctx.response().putHeader(HttpHeaders.MCP_SESSION_ID, id);
        JsonRpc.sendText(ctx, 200, mapper.writeValueAsString(McpSchema.JSONRPCResponse.result(req.id(), result)));
      } catch (IOException e) {
        failed(ctx, req.id(), e);
      }
    }, err -> {
      sessions.remove(id);
      failed(ctx, req.id(), err);
    });
  }

  /** GET: the session's server-to-client SSE stream. */
  void handleGet(RoutingContext ctx) {
    if (unavailable(ctx)) {
      return;
    }
    String accept = ctx.request().getHeader("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      JsonRpc.sendError(ctx, 406, null, JsonRpc.INVALID_REQUEST, "Accept must include text/event-stream");
      return;
    }
    Entry entry = session(ctx);
    if (entry == null) {
      return;
    }
    VertxStreamTransport transport = new VertxStreamTransport(ctx.response(), mapper, entry.session.getId()).openSse();
    var stream = entry.session.listeningStream(transport);
    busy(ctx, entry);
    ctx.addEndHandler(v -> stream.close());
  }

  /** A session with an open response or stream is not idle; the end of it counts as use. */
  private static void busy(RoutingContext ctx, Entry entry) {
    entry.streams.incrementAndGet();
    ctx.addEndHandler(v -> {
      entry.streams.decrementAndGet();
      entry.lastUsed = System.currentTimeMillis();
    });
  }

  /** DELETE: ends the session; later requests with its id get 404. */
  void handleDelete(RoutingContext ctx) {
    if (unavailable(ctx)) {
      return;
    }
    Entry entry = session(ctx);
    if (entry == null) {
      return;
    }
    sessions.remove(entry.session.getId());
    McpTransportContext tc = contextExtractor.extract(ctx);
    entry.session.delete().contextWrite(c -> c.put(McpTransportContext.KEY, tc))
        .subscribe(null, err -> failed(ctx, null, err), () -> ctx.response().setStatusCode(200).end());
  }

  /** The request's session, or null after answering 400 (no id) or 404 (unknown or ended). */
  private Entry session(RoutingContext ctx) {
    String id = ctx.request().getHeader(HttpHeaders.MCP_SESSION_ID);
    if (id == null || id.isBlank()) {
      JsonRpc.sendError(ctx, 400, null, JsonRpc.INVALID_REQUEST, "Bad Request: Mcp-Session-Id header is required");
      return null;
    }
    Entry entry = sessions.get(id);
    if (entry == null) {
      JsonRpc.sendError(ctx, 404, null, JsonRpc.INVALID_REQUEST, "Session not found: " + id);
      return null;
    }
    entry.lastUsed = System.currentTimeMillis();
    return entry;
  }

  private boolean unavailable(RoutingContext ctx) {
    if (closing || factory == null) {
      JsonRpc.sendError(ctx, 503, null, JsonRpc.INTERNAL_ERROR, "MCP server is not available");
      return true;
    }
    return false;
  }

  private void failed(RoutingContext ctx, Object id, Throwable err) {
    LOG.error("MCP request failed: {}", err.toString(), err);
    JsonRpc.sendError(ctx, 500, id, JsonRpc.INTERNAL_ERROR, "Internal error: " + err.getMessage());
  }

  private void sweep() {
    long cutoff = System.currentTimeMillis() - idleMillis;
    sessions.values().removeIf(e -> {
      if (e.streams.get() > 0 || e.lastUsed >= cutoff) {
        return false;
      }
      LOG.info("closing MCP session {} after {} ms idle", e.session.getId(), idleMillis);
      e.session.closeGracefully().onErrorComplete().subscribe();
      return true;
    });
  }

  @Override
  public Mono<Void> notifyClients(String method, Object params) {
    return Flux.fromIterable(sessions.values())
        .flatMap(e -> e.session.sendNotification(method, params).onErrorComplete()).then();
  }

  @Override
  public Mono<Void> notifyClient(String sessionId, String method, Object params) {
    return Mono.defer(() -> {
      Entry e = sessions.get(sessionId);
      return e == null ? Mono.empty() : e.session.sendNotification(method, params);
    });
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.defer(() -> {
      closing = true;
      vertx.cancelTimer(sweeper);
      List<Entry> all = List.copyOf(sessions.values());
      sessions.clear();
      return Flux.fromIterable(all).flatMap(e -> e.session.closeGracefully().onErrorComplete()).then();
    });
  }
}
