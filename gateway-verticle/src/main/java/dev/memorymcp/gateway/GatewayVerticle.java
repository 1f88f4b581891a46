package dev.memorymcp.gateway;

import dev.memorymcp.bus.Version;
import dev.memorymcp.gateway.mcp.McpToolbox;
import dev.memorymcp.gateway.mcp.MemoryTools;
import dev.memorymcp.gateway.mcp.http.McpHttpEndpoint;
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
  private McpHttpEndpoint mcp;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    String host = cfg.getString("server.host", "127.0.0.1");
    int port = cfg.getInteger("server.port", 26262);
    long bodyLimit = cfg.getInteger("server.body_limit", 1_048_576);
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.put("bodyLimit", bodyLimit);
      ctx.next();
    });
    router.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    McpToolbox toolbox = new MemoryTools(vertx, cfg);
    mcp = new McpHttpEndpoint(vertx, cfg, toolbox, new McpSchema.Implementation("memory-service", Version.get()),
        MemoryTools.INSTRUCTIONS);
    mcp.mount(router);
    new RestApi(vertx, cfg).mount(router);
    new MigrateApi(vertx).mount(router);
    router.route().failureHandler(HttpErrors::handle);
    router.errorHandler(404, HttpErrors::handle);
    router.errorHandler(405, HttpErrors::handle);
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
        .setCompressionSupported(true));
    return server.requestHandler(router).listen()
        .onSuccess(s -> LOG.info("listening on http://{}:{}", host, s.actualPort()));
  }

  /** The bound port (useful when configured with port 0). */
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
