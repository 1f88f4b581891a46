package dev.memorymcp.gateway;

import dev.memorymcp.bus.Version;
import dev.memorymcp.gateway.auth.Authenticator;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.auth.Guard;
import dev.memorymcp.gateway.auth.RateLimiter;
import dev.memorymcp.gateway.mcp.ContextPacker;
import dev.memorymcp.gateway.mcp.McpToolbox;
import dev.memorymcp.gateway.mcp.MemoryTools;
import dev.memorymcp.gateway.mcp.http.McpHttpEndpoint;
import dev.memorymcp.gateway.mcp.http.McpSecurity;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP front door: REST under /api/v1, /health, and MCP Streamable HTTP at /mcp and /mcp/{persona}.
 * It talks to the other verticles only over the bus.
 */
public class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private HttpServer server;
  private Router router;
  private McpHttpEndpoint mcp;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    String host = cfg.getString("server.host", "127.0.0.1");
    int port = cfg.getInteger("server.port", 26262);
    long bodyLimit = cfg.getInteger("server.body_limit", 1_048_576);
    boolean requireAuth = cfg.getBoolean("require_auth", false);
    try {
      refuseInsecureBind(host, requireAuth, cfg.getBoolean("allow_insecure", false));
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    // the cl100k tokenizer of context packing loads in 0.5–7 s on a busy 2-core machine: on a worker,
    // while the server starts listening (a context request in the first seconds waits for it)
    vertx.executeBlocking(() -> {
      ContextPacker.preload();
      return null;
    }).onFailure(err -> LOG.error("cannot load the cl100k tokenizer: context packing will fail", err));
    GatedBus bus = new GatedBus(vertx);
    McpSecurity security = new McpSecurity(cfg);
    // a loopback server for one person has no limit; a shared one (auth on) limits every key and address
    RateLimiter limiter = new RateLimiter(requireAuth ? cfg.getInteger("rate_limit.requests", 600) : 0,
        cfg.getInteger("rate_limit.window", 60));
    router = Router.router(vertx);
    router.route().handler(ctx -> {
      ServerTiming.start(ctx);
      ctx.put("bodyLimit", bodyLimit);
      ctx.next();
    });
    Cors.handler(cfg).ifPresent(h -> router.route().handler(h));
    DashboardRoutes.mount(router); // public files, before the key check
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(bodyLimit);
    router.route().handler(ctx -> { // an import is read as a stream by its handler, a page at a time
      if (TransferRoutes.streamed(ctx)) {
        ctx.put(Guard.STREAMED, true);
        ctx.request().pause();
        ctx.next();
      } else {
        bodies.handle(ctx);
      }
    });
    router.route().handler(new Guard(new Authenticator(vertx, requireAuth), limiter, security, bus));
    McpToolbox toolbox = new MemoryTools(vertx, cfg, bus);
    mcp = new McpHttpEndpoint(vertx, cfg, toolbox, new McpSchema.Implementation("memory-service", Version.get()),
        MemoryTools.INSTRUCTIONS);
    mcp.mount(router);
    new RestApi(vertx, cfg, bus).mount(router);
    new MigrateApi(vertx, bus).mount(router);
    new AdminApi(bus).mount(router);
    new CatalogueRoutes(vertx, bus).mount(router);
    new CurationRoutes(bus, new GraphExport()).mount(router);
    MetricsRoute.mount(router);
    new TransferRoutes(vertx, bus).mount(router);
    router.route().failureHandler(HttpErrors::handle);
    router.errorHandler(404, HttpErrors::handle);
    router.errorHandler(405, HttpErrors::handle);
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
        .setCompressionSupported(true));
    return server.requestHandler(router).listen()
        .onSuccess(s -> LOG.info("listening on http://{}:{} (auth {})", host, s.actualPort(),
            requireAuth ? "required" : "off: loopback only"));
  }

  /**
   * Without auth the server must listen on a loopback address only: anyone who reaches the port
   * could read and delete every memory. {@code allow_insecure} overrides, loudly.
   */
  public static void refuseInsecureBind(String host, boolean requireAuth, boolean allowInsecure) {
    if (requireAuth || loopback(host)) {
      return;
    }
    if (!allowInsecure) {
      throw new IllegalStateException("refusing to listen on " + host + " without authentication: anyone who "
          + "reaches the port could read and delete every memory. Set MEMORY_MCP_REQUIRE_AUTH=true and "
          + "MEMORY_MCP_ADMIN_API_KEY (see README, Security), or bind MEMORY_MCP_SERVER_HOST=127.0.0.1, or set "
          + "MEMORY_MCP_ALLOW_INSECURE=true if something in front of this server authenticates every request");
    }
    LOG.warn("INSECURE: listening on {} WITHOUT AUTHENTICATION (MEMORY_MCP_ALLOW_INSECURE=true): anyone who "
        + "reaches this port can read, change and delete every memory", host);
  }

  static boolean loopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // a literal address is parsed, never looked up
      return h.matches("[0-9.]+|[0-9a-fA-F:]+") && java.net.InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The bound port (useful when configured with port 0). */
  /**
   * Every route this gateway serves as "METHOD /path" (path parameters as {name}, a wildcard as
   * {file}); the OpenAPI test compares them with /openapi.json.
   */
  public java.util.List<String> routes() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (io.vertx.ext.web.Route r : router.getRoutes()) {
      // a regex route (POST /api/v1/memories:batch, where a plain path would read ":batch" as a parameter) by its pattern
      String path = r.getPath() != null ? r.getPath() : r.isRegexPath() ? r.getName() : null;
      if (path == null) {
        continue; // handlers for every path (the key check, body limits, CORS)
      }
      String template = path.replaceAll("/:([A-Za-z_]+)", "/{$1}");
      if (template.length() > 1 && template.endsWith("/")) { // a prefix route (/ui/*) serving files
        template += "{file}";
      }
      var methods = r.methods();
      if (methods == null || methods.isEmpty()) {
        out.add("GET " + template);
      } else {
        for (var m : methods) {
          out.add(m.name() + " " + template);
        }
      }
    }
    return java.util.List.copyOf(out);
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    Future<Void> mcpClosed = mcp == null ? Future.succeededFuture()
        : mcp.close().recover(err -> {
          LOG.warn("closing the MCP server failed: {}", err.toString());
          return Future.succeededFuture();
        });
    return mcpClosed.compose(v -> server == null ? Future.succeededFuture() : server.shutdown(10, TimeUnit.SECONDS));
  }
}
