package dev.memorymcp.gateway.mcp.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * DNS-rebinding protection for /mcp, shared by both protocol eras. A present {@code Origin} whose
 * host is not in {@code mcp.allowed_origins} gets 403 (MCP 2025-11-25 and 2026-07-28,
 * basic/transports "Security Warning" / "Security &amp; Endpoint"); a {@code Host} not in
 * {@code mcp.allowed_hosts} gets 421 Misdirected Request. Entries are host names; any scheme and
 * port match; {@code *} allows all.
 */
public final class McpSecurity {
  private final Set<String> origins;
  private final Set<String> hosts;

  public McpSecurity(JsonObject cfg) {
    java.util.Set<String> o = new java.util.HashSet<>(names(cfg.getValue("mcp.allowed_origins", "localhost,127.0.0.1,[::1]")));
    for (String origin : String.valueOf(cfg.getValue("cors.origins", "")).split(",")) {
      String h = origin.isBlank() ? null : originHost(origin);
      if (h != null) { // an origin allowed to call cross-origin is allowed past the rebinding check too
        o.add(h);
      }
    }
    this.origins = Set.copyOf(o);
    this.hosts = names(cfg.getValue("mcp.allowed_hosts", "localhost,127.0.0.1,[::1]"));
  }

  /** A refused request: the status (403 or 421) and why. */
  public record Refusal(int status, String message) {}

  /** Null when the Origin and Host are acceptable, else why not. */
  public Refusal check(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !allowed(origins, originHost(origin))) {
      return new Refusal(403, "Forbidden: Origin not allowed: " + origin);
    }
    String host = ctx.request().getHeader("Host");
    if (host == null && ctx.request().authority() != null) {
      host = ctx.request().authority().host();
    }
    if (host != null && !allowed(hosts, hostName(host))) {
      return new Refusal(421, "Misdirected request: Host not allowed: " + host);
    }
    return null;
  }

  /** Checks the request; on failure sends the JSON-RPC error response and returns false. */
  public boolean admit(RoutingContext ctx) {
    Refusal r = check(ctx);
    if (r != null) {
      JsonRpc.sendError(ctx, r.status(), null, JsonRpc.INVALID_REQUEST, r.message());
      return false;
    }
    return true;
  }

  static boolean allowed(Set<String> names, String host) {
    return names.contains("*") || host != null && names.contains(host);
  }

  /** "http://[::1]:3000" → "::1"; an unparsable or opaque Origin ("null") has no host. */
  static String originHost(String origin) {
    try {
      String h = URI.create(origin.trim()).getHost();
      return h == null ? null : strip(h);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** "localhost:26262" → "localhost", "[::1]:80" → "::1". */
  static String hostName(String host) {
    String h = host.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? null : strip(h.substring(0, end + 1));
    }
    int colon = h.indexOf(':');
    return strip(colon < 0 ? h : h.substring(0, colon));
  }

  private static String strip(String h) {
    String s = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    return s.toLowerCase(Locale.ROOT);
  }

  private static Set<String> names(Object v) {
    String csv = v instanceof JsonArray a ? String.join(",", a.stream().map(String::valueOf).toList())
        : String.valueOf(v);
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> s.equals("*") ? s : strip(s)).collect(Collectors.toUnmodifiableSet());
  }
}
