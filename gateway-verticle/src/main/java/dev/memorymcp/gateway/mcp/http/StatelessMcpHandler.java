package dev.memorymcp.gateway.mcp.http;

import dev.memorymcp.gateway.auth.Guard;
import dev.memorymcp.gateway.mcp.McpToolbox;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The stateless 2026-07-28 era on the same URL (the SDK lacks it): no session, every POST carries
 * its version. Rules and their sources (modelcontextprotocol.io/specification/2026-07-28/...):
 * <ul>
 *   <li>basic/transports/streamable-http "Protocol Version Header": the header must equal
 *       {@code params._meta["io.modelcontextprotocol/protocolVersion"]}, else 400 HeaderMismatch;
 *       an unimplemented method is 404 with -32601.</li>
 *   <li>same page, "Standard Request Headers" / "Server Validation": {@code Mcp-Method} (all
 *       requests) and {@code Mcp-Name} (tools/call) are required and must match the body
 *       (Base64 sentinel {@code =?base64?..?=} decoded first), else 400 with -32020.</li>
 *   <li>same page, "Sending Messages": a notification is answered 202 with no body;
 *       "Earlier Streamable HTTP Revisions": GET and DELETE are 405, Mcp-Session-Id is ignored.</li>
 *   <li>server/discover: {@code supportedVersions, capabilities, serverInfo, instructions?} plus
 *       the caching fields; server/tools: results carry {@code resultType: "complete"} and
 *       tools/list carries {@code ttlMs} and {@code cacheScope}.</li>
 * </ul>
 */
final class StatelessMcpHandler {
  static final String VERSION = "2026-07-28";
  static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
  /** Our tool list changes only with a new release; any cache may keep it for five minutes. */
  static final long TTL_MS = 300_000;

  private final McpToolbox toolbox;
  private final McpJsonMapper mapper;
  private final McpSchema.Implementation serverInfo;
  private final String instructions;
  private final List<String> supportedVersions;

  StatelessMcpHandler(McpToolbox toolbox, McpJsonMapper mapper, McpSchema.Implementation serverInfo,
      String instructions, List<String> supportedVersions) {
    this.toolbox = toolbox;
    this.mapper = mapper;
    this.serverInfo = serverInfo;
    this.instructions = instructions;
    this.supportedVersions = supportedVersions;
  }

  /** Handles one POST whose MCP-Protocol-Version is 2026-07-28; {@code req} is the parsed body. */
  void handle(RoutingContext ctx, JsonObject req, String namespace) {
    Object id = req.getValue("id");
    if (!(req.getValue("method") instanceof String method)) {
      JsonRpc.send(ctx, 400, JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "Invalid Request: no method", null));
      return;
    }
    if (id == null) {
      JsonRpc.accepted(ctx); // no client notifications are defined over HTTP in this revision
      return;
    }
    String mismatch = mismatch(ctx, req, method);
    if (mismatch != null) {
      JsonRpc.send(ctx, 400, JsonRpc.error(id, JsonRpc.HEADER_MISMATCH, "Header mismatch: " + mismatch, null));
      return;
    }
    switch (method) {
      case "server/discover" -> JsonRpc.send(ctx, 200, JsonRpc.result(id, discover()));
      case McpSchema.METHOD_TOOLS_LIST -> JsonRpc.send(ctx, 200, JsonRpc.result(id, listTools(Guard.caller(ctx), McpHttpEndpoint.adminProfile(ctx))));
      case McpSchema.METHOD_TOOLS_CALL -> callTool(ctx, id, req.getJsonObject("params"), namespace);
      default -> JsonRpc.send(ctx, 404, JsonRpc.error(id, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method, null));
    }
  }

  /** A body carrying modern per-request metadata (2026-07-28 basic/versioning, "dual-era server"). */
  static boolean isModern(JsonObject req) {
    return req.getValue("params") instanceof JsonObject p && p.getValue("_meta") instanceof JsonObject m
        && m.getValue(META_VERSION) != null;
  }

  /** Why the headers disagree with the body, or null when they agree. */
  static String mismatch(RoutingContext ctx, JsonObject req, String method) {
    JsonObject params = req.getValue("params") instanceof JsonObject p ? p : new JsonObject();
    JsonObject meta = params.getValue("_meta") instanceof JsonObject m ? m : new JsonObject();
    String header = ctx.request().getHeader("MCP-Protocol-Version");
    if (header == null) {
      return "MCP-Protocol-Version header is required";
    }
    if (!header.equals(meta.getValue(META_VERSION))) {
      return "MCP-Protocol-Version header '" + header + "' does not match params._meta[\"" + META_VERSION
          + "\"] '" + meta.getValue(META_VERSION) + "'";
    }
    String m = ctx.request().getHeader("Mcp-Method");
    if (!method.equals(m)) {
      return m == null ? "Mcp-Method header is required" : "Mcp-Method header value '" + m
          + "' does not match body value '" + method + "'";
    }
    if (McpSchema.METHOD_TOOLS_CALL.equals(method)) {
      String name = decode(ctx.request().getHeader("Mcp-Name"));
      Object body = params.getValue("name");
      if (name == null || !name.equals(body)) {
        return name == null ? "Mcp-Name header is required for tools/call"
            : "Mcp-Name header value '" + name + "' does not match body value '" + body + "'";
      }
    }
    return null;
  }

  /** Decodes the "=?base64?...?=" sentinel (streamable-http "Value Encoding"); null if undecodable. */
  static String decode(String v) {
    if (v == null || !(v.startsWith("=?base64?") && v.endsWith("?=") && v.length() >= 11)) {
      return v;
    }
    try {
      return new String(Base64.getDecoder().decode(v.substring(9, v.length() - 2)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private JsonObject discover() {
    JsonObject r = new JsonObject().put("resultType", "complete")
        .put("supportedVersions", new JsonArray(supportedVersions))
        .put("capabilities", new JsonObject().put("tools", new JsonObject()))
        .put("serverInfo", new JsonObject().put("name", serverInfo.name()).put("version", serverInfo.version()));
    if (instructions != null) {
      r.put("instructions", instructions);
    }
    return r.put("ttlMs", TTL_MS).put("cacheScope", "public");
  }

  private JsonObject listTools(dev.memorymcp.gateway.auth.Caller caller, boolean adminProfile) {
    JsonArray tools = new JsonArray();
    toolbox.tools(caller, adminProfile).forEach(t -> tools.add(json(t)));
    return new JsonObject().put("resultType", "complete").put("tools", tools)
        .put("ttlMs", TTL_MS).put("cacheScope", "public");
  }

  private void callTool(RoutingContext ctx, Object id, JsonObject params, String namespace) {
    String name = params.getString("name");
    Object args = params.getValue("arguments");
    if (args != null && !(args instanceof JsonObject)) {
      JsonRpc.send(ctx, 200, JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "arguments must be an object", null));
      return;
    }
    Map<String, Object> map = args == null ? Map.of() : ((JsonObject) args).getMap();
    Future<McpSchema.CallToolResult> f;
    try {
      f = toolbox.call(Guard.caller(ctx), namespace, name, map);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(r -> JsonRpc.send(ctx, 200, JsonRpc.result(id, json(r).put("resultType", "complete"))))
        .onFailure(err -> JsonRpc.send(ctx, 200, err instanceof McpToolbox.UnknownToolException
            ? JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "Unknown tool: " + name, "Tool not found: " + name)
            : JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "Internal error: " + err.getMessage(), null)));
  }

  private JsonObject json(Object sdkValue) {
    try {
      return new JsonObject(mapper.writeValueAsString(sdkValue));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise " + sdkValue, e);
    }
  }
}
