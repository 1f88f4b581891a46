package dev.memorymcp.gateway.mcp.http;

import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.gateway.Personas;
import dev.memorymcp.gateway.auth.Guard;
import dev.memorymcp.gateway.mcp.McpToolbox;
import dev.memorymcp.gateway.mcp.SdkPromptsAndResources;
import dev.memorymcp.gateway.mcp.SdkTools;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The MCP Streamable HTTP endpoint, {@code /mcp} and {@code /mcp/{persona}}: requests whose
 * {@code MCP-Protocol-Version} is 2026-07-28 go to the stateless handler, all others to the SDK
 * server through {@link VertxStreamableServerTransportProvider}. The namespace of a request is
 * {@code X-Persona}, else {@code X-Namespace}, else the path's persona, else "default".
 */
public final class McpHttpEndpoint {
  /** Assumed when the header is absent (2025-06-18 basic/transports, "Protocol Version Header"). */
  static final String DEFAULT_VERSION = "2025-03-26";
  private static final String NS_KEY = "mcp.namespace";

  private final McpJsonMapper mapper = McpJsonDefaults.getMapper();
  private final McpSecurity security;
  private final VertxStreamableServerTransportProvider provider;
  private final McpAsyncServer server;
  private final StatelessMcpHandler stateless;
  private final List<String> versions;

  public McpHttpEndpoint(Vertx vertx, JsonObject cfg, McpToolbox toolbox, McpSchema.Implementation info,
      String instructions) {
    security = new McpSecurity(cfg);
    double idleMinutes = ((Number) cfg.getValue("mcp.session_idle_minutes", 60)).doubleValue();
    provider = new VertxStreamableServerTransportProvider(vertx, mapper,
        Duration.ofMillis((long) (idleMinutes * 60_000)),
        ctx -> McpTransportContext.create(Map.of(SdkTools.NAMESPACE, ctx.get(NS_KEY, Namespaces.DEFAULT),
            SdkTools.CALLER, Guard.caller(ctx))),
        (ctx, message) -> onlyCallableTools(toolbox, Guard.caller(ctx), adminProfile(ctx), message));
    server = McpServer.async(provider).serverInfo(info)
        .capabilities(SdkPromptsAndResources.capabilities())
        .instructions(instructions).tools(SdkTools.specifications(toolbox, Namespaces.DEFAULT))
        .prompts(SdkPromptsAndResources.prompts(toolbox, Namespaces.DEFAULT))
        .resourceTemplates(SdkPromptsAndResources.resourceTemplates(toolbox, Namespaces.DEFAULT))
        // MemoryTools checks arguments itself, with the REST API's messages (code and field), as on stdio
        .validateToolInputs(false).build();
    versions = new ArrayList<>(List.of(StatelessMcpHandler.VERSION));
    for (int i = VertxStreamableServerTransportProvider.VERSIONS.size() - 1; i >= 0; i--) {
      versions.add(VertxStreamableServerTransportProvider.VERSIONS.get(i));
    }
    stateless = new StatelessMcpHandler(toolbox, mapper, info, instructions, versions);
  }

  /** Whether the request asked for the admin profile: {@code /mcp?profile=admin}. */
  static boolean adminProfile(io.vertx.ext.web.RoutingContext ctx) {
    return "admin".equalsIgnoreCase(ctx.request().getParam("profile"));
  }

  /** A tools/list answer narrowed to the tools the caller's role may call; anything else unchanged. */
  static McpSchema.JSONRPCMessage onlyCallableTools(McpToolbox toolbox, dev.memorymcp.gateway.auth.Caller caller,
      boolean adminProfile, McpSchema.JSONRPCMessage message) {
    if (message instanceof McpSchema.JSONRPCResponse r && r.result() instanceof McpSchema.ListToolsResult list) {
      java.util.Set<String> callable = new java.util.HashSet<>();
      toolbox.tools(caller, adminProfile).forEach(t -> callable.add(t.name()));
      return new McpSchema.JSONRPCResponse(r.jsonrpc(), r.id(), new McpSchema.ListToolsResult(
          list.tools().stream().filter(t -> callable.contains(t.name())).toList(), list.nextCursor()), r.error());
    }
    return message;
  }

  /** Mounts POST, GET and DELETE on /mcp and /mcp/:persona; call before the REST routes' 404 handling. */
  public void mount(Router router) {
    for (String path : List.of("/mcp", "/mcp/:persona")) {
      router.post(path).handler(this::post);
      router.get(path).handler(ctx -> withVersion(ctx, v -> provider.handleGet(ctx)));
      router.delete(path).handler(ctx -> withVersion(ctx, v -> provider.handleDelete(ctx)));
      router.route(path).failureHandler(this::failure);
    }
  }

  /** Closes the SDK server and its sessions. */
  public Future<Void> close() {
    return Future.fromCompletionStage(server.closeGracefully().toFuture());
  }

  private void post(RoutingContext ctx) {
    String version = admit(ctx);
    if (version == null) {
      return;
    }
    JsonObject body = parse(ctx);
    if (body == null) {
      return;
    }
    if (StatelessMcpHandler.VERSION.equals(version) || StatelessMcpHandler.isModern(body)) {
      stateless.handle(ctx, body, ctx.get(NS_KEY));
      return;
    }
    McpSchema.JSONRPCMessage message;
    try {
      message = McpSchema.deserializeJsonRpcMessage(mapper, body.encode());
    } catch (IOException | IllegalArgumentException e) {
      JsonRpc.send(ctx, 400, JsonRpc.error(body.getValue("id"), JsonRpc.INVALID_REQUEST,
          "Invalid Request: " + e.getMessage(), null));
      return;
    }
    provider.handlePost(ctx, message);
  }

  /** GET and DELETE: 405 in the stateless era (2026-07-28 streamable-http, "Earlier ... Revisions"). */
  private void withVersion(RoutingContext ctx, Consumer<String> sessionEra) {
    String version = admit(ctx);
    if (version == null) {
      return;
    }
    if (StatelessMcpHandler.VERSION.equals(version)) {
      ctx.response().putHeader("Allow", "POST");
      JsonRpc.sendError(ctx, 405, null, JsonRpc.INVALID_REQUEST, "Method Not Allowed in protocol " + version);
      return;
    }
    sessionEra.accept(version);
  }

  /** Origin/Host checks, the namespace and the protocol version; null after an error response. */
  private String admit(RoutingContext ctx) {
    if (!security.admit(ctx)) {
      return null;
    }
    try {
      ctx.put(NS_KEY, Personas.namespace(ctx));
    } catch (MemoryException e) { // 400 for a malformed persona, 403 for one the key may not use
      JsonRpc.sendError(ctx, e.code().code, null, JsonRpc.INVALID_PARAMS, e.getMessage());
      return null;
    }
    String v = ctx.request().getHeader("MCP-Protocol-Version");
    String version = v == null || v.isBlank() ? DEFAULT_VERSION : v.trim();
    if (!versions.contains(version)) {
      // 2026-07-28 basic/versioning: UnsupportedProtocolVersionError (-32022) with supported/requested
      JsonRpc.send(ctx, 400, JsonRpc.error(null, JsonRpc.UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version",
          new JsonObject().put("supported", new JsonArray(versions)).put("requested", version)));
      return null;
    }
    return version;
  }

  /** The body as one JSON-RPC object; malformed JSON is 400 with -32700, anything else -32600. */
  private static JsonObject parse(RoutingContext ctx) {
    String text = ctx.body() == null || ctx.body().length() <= 0 ? "" : ctx.body().asString("UTF-8").strip();
    try {
      Object v = text.isEmpty() ? null : Json.decodeValue(text);
      if (v instanceof JsonObject o) {
        return o;
      }
      JsonRpc.sendError(ctx, 400, null, JsonRpc.INVALID_REQUEST, "Invalid Request: body must be one JSON-RPC object");
    } catch (DecodeException e) {
      JsonRpc.sendError(ctx, 400, null, JsonRpc.PARSE_ERROR, "Parse error: " + e.getMessage());
    }
    return null;
  }

  /** Router failures on /mcp (413 from the BodyHandler, thrown errors) as JSON-RPC error bodies. */
  private void failure(RoutingContext ctx) {
    int status = ctx.failure() == null ? ctx.statusCode() : 500;
    if (ctx.failure() instanceof MemoryException me) {
      status = me.code().code;
    }
    String message = status == 413 ? "Request body larger than " + ctx.get("bodyLimit", 0L) + " bytes"
        : ctx.failure() == null ? "HTTP " + status
        : ctx.failure() instanceof MemoryException me ? me.getMessage() : "Internal error: " + ctx.failure().getMessage();
    if (ctx.failure() instanceof MemoryException me && me.details().getValue("retry_after_s") != null) {
      ctx.response().putHeader("Retry-After", String.valueOf(me.details().getValue("retry_after_s")));
    }
    JsonRpc.sendError(ctx, status, null, status >= 500 ? JsonRpc.INTERNAL_ERROR : JsonRpc.INVALID_REQUEST, message);
  }
}
