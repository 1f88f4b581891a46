package dev.memorymcp.gateway.auth;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.gateway.mcp.http.McpSecurity;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The door every request but the health probes passes: the DNS-rebinding checks (Origin 403, Host
 * 421; /mcp answers those itself in JSON-RPC form), the API key (401), the rate limit (429 with
 * Retry-After). It leaves the {@link Caller} in the context for the handlers.
 */
public final class Guard implements Handler<RoutingContext> {
  private static final String CALLER = "memory.caller";
  /** Set on a request whose body its handler reads as a stream: the guard must resume it when it refuses. */
  public static final String STREAMED = "memory.streamed";

  private final Authenticator auth;
  private final RateLimiter limiter;
  private final McpSecurity security;
  private final GatedBus bus;

  public Guard(Authenticator auth, RateLimiter limiter, McpSecurity security, GatedBus bus) {
    this.auth = auth;
    this.limiter = limiter;
    this.security = security;
    this.bus = bus;
  }

  /** The caller the guard admitted (LOCAL for routes it does not guard). */
  public static Caller caller(RoutingContext ctx) {
    Caller c = ctx.get(CALLER);
    return c == null ? Caller.LOCAL : c;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.equals("/health") || path.startsWith("/health/")) { // probes carry no key and any Host
      ctx.next();
      return;
    }
    boolean mcp = path.equals("/mcp") || path.startsWith("/mcp/");
    McpSecurity.Refusal refusal = mcp ? null : security.check(ctx);
    if (refusal != null) {
      drain(ctx);
      ctx.fail(new MemoryException(refusal.status() == 421 ? ErrorCode.MISDIRECTED : ErrorCode.FORBIDDEN,
          refusal.status() == 421 ? "HOST_NOT_ALLOWED" : "ORIGIN_NOT_ALLOWED", refusal.message()));
      return;
    }
    String client = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
    auth.authenticate(ctx.request()).onSuccess(p -> {
      if (limited(ctx, identity(p, client))) {
        return;
      }
      ctx.put(CALLER, new Caller(p, client));
      ctx.next();
    }).onFailure(err -> {
      drain(ctx);
      MemoryException me = MemoryException.from(err);
      if (me.code() != ErrorCode.UNAUTHORIZED) { // the auth service is down: not the caller's fault
        ctx.fail(me);
        return;
      }
      if (limited(ctx, "addr:" + client)) { // key guessing is limited per address
        return;
      }
      Caller anonymous = new Caller(new Principal(null, "unauthenticated", Principal.Role.VIEWER, java.util.List.of()), client);
      bus.audit(anonymous, "auth.failed", new JsonObject(), null, me);
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"memory\"");
      ctx.fail(me);
    });
  }

  /** A refused streamed request's body is never read: let it drain so the connection can be reused. */
  private static void drain(RoutingContext ctx) {
    if (Boolean.TRUE.equals(ctx.get(STREAMED))) {
      ctx.request().resume();
    }
  }

  private static String identity(Principal p, String client) {
    return p.keyId() != null ? "key:" + p.keyId() : p == Principal.ANONYMOUS ? "addr:" + client : p.name();
  }

  private boolean limited(RoutingContext ctx, String identity) {
    long retry = limiter.acquire(identity, System.currentTimeMillis());
    if (retry == 0) {
      return false;
    }
    drain(ctx);
    ctx.fail(new MemoryException(ErrorCode.LIMITED, "RATE_LIMITED", "too many requests; retry in " + retry + " s",
        new JsonObject().put("retry_after_s", retry)));
    return true;
  }
}
