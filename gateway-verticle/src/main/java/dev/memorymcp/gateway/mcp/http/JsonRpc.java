package dev.memorymcp.gateway.mcp.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON-RPC 2.0 error bodies and plain JSON responses for the /mcp endpoint. */
final class JsonRpc {
  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;
  /** 2026-07-28 basic/transports/streamable-http "Server Validation". */
  static final int HEADER_MISMATCH = -32020;
  /** 2026-07-28 basic/versioning "Protocol Version Negotiation". */
  static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

  private JsonRpc() {}

  static JsonObject error(Object id, int code, String message, Object data) {
    JsonObject err = new JsonObject().put("code", code).put("message", message);
    if (data != null) {
      err.put("data", data);
    }
    JsonObject out = new JsonObject().put("jsonrpc", "2.0");
    if (id != null) {
      out.put("id", id); // errors not tied to a request carry no id (streamable-http "Security & Endpoint")
    }
    return out.put("error", err);
  }

  static JsonObject result(Object id, JsonObject result) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", result);
  }

  static void sendError(RoutingContext ctx, int status, Object id, int code, String message) {
    send(ctx, status, error(id, code, message, null));
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    sendText(ctx, status, body.encode());
  }

  static void sendText(RoutingContext ctx, int status, String json) {
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(json);
  }

  static void accepted(RoutingContext ctx) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(202).end();
    }
  }
}
