package dev.memorymcp.gateway;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP responses: {"error": {code, message, details}}. */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {}

  /** Router failure handler: bus failures, body-limit (413), malformed input, routing errors. */
  static void handle(RoutingContext ctx) {
    Throwable err = ctx.failure();
    MemoryException me;
    if (err != null && !(err instanceof MemoryException) && ctx.statusCode() == 403) {
      // Vert.x's CorsHandler refuses an origin it was not given: a client error, not ours
      me = new MemoryException(ErrorCode.FORBIDDEN, "ORIGIN_NOT_ALLOWED", "Forbidden: " + err.getMessage());
    } else if (err != null) {
      me = MemoryException.from(err);
    } else {
      me = switch (ctx.statusCode()) {
        case 413 -> new MemoryException(ErrorCode.TOO_LARGE, "BODY_TOO_LARGE",
            "request body is larger than the limit of " + ctx.get("bodyLimit", 0L) + " bytes");
        case 404 -> new MemoryException(ErrorCode.NOT_FOUND, "ROUTE_NOT_FOUND",
            "no route " + ctx.request().method() + " " + ctx.request().path());
        case 405 -> new MemoryException(ErrorCode.BAD_REQUEST, "METHOD_NOT_ALLOWED",
            ctx.request().method() + " is not allowed on " + ctx.request().path());
        case 400 -> new MemoryException(ErrorCode.BAD_REQUEST, "BAD_REQUEST", "bad request");
        default -> new MemoryException(ErrorCode.INTERNAL, "INTERNAL", "internal error");
      };
    }
    int status = err == null && ctx.statusCode() == 405 ? 405 : status(err, me);
    Integer retryAfter = me.details().getInteger("retry_after_s");
    if (retryAfter != null) { // 429: when to come back
      ctx.response().putHeader("Retry-After", String.valueOf(retryAfter));
    }
    if (status >= 500) {
      LOG.error("{} {} failed: {}", ctx.request().method(), ctx.request().path(), me.getMessage(), err);
    }
    send(ctx, status, me.toErrorBody());
  }

  static int status(Throwable err, MemoryException me) {
    if (me.error().equals("TIMEOUT")) {
      return 504;
    }
    return me.code().code;
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.encode());
  }
}
