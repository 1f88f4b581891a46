package dev.memorymcp.gateway;

import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.gateway.auth.AccessPolicy;
import dev.memorymcp.gateway.auth.Guard;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Which namespace (persona) an HTTP request speaks for; REST and MCP resolve it the same way. */
public final class Personas {
  private Personas() {}

  /**
   * {@code X-Persona}, else {@code X-Namespace}, else the query parameter {@code namespace}, else the path parameter {@code persona} (MCP's
   * {@code /mcp/{persona}}), else the caller's only granted namespace, else "default". A bad value
   * is a 400 naming where it came from; a namespace the caller's key may not use is a 403.
   */
  public static String namespace(RoutingContext ctx) {
    Principal p = Guard.caller(ctx).principal();
    String ns = null;
    for (String h : List.of("X-Persona", "X-Namespace")) {
      String v = ctx.request().getHeader(h);
      if (v != null && !v.isBlank()) {
        ns = Namespaces.check(h, headerText(h, v));
        break;
      }
    }
    if (ns == null && ctx.queryParams().get("namespace") != null && !ctx.queryParams().get("namespace").isBlank()) {
      ns = Namespaces.check("namespace", ctx.queryParams().get("namespace"));
    }
    if (ns == null && ctx.pathParam("persona") != null && !ctx.pathParam("persona").isBlank()) {
      ns = Namespaces.check("persona", ctx.pathParam("persona"));
    }
    if (ns == null) {
      ns = p.namespaces().size() == 1 && !p.namespaces().get(0).equals(Principal.ALL_NAMESPACES)
          ? p.namespaces().get(0) : Namespaces.DEFAULT;
    }
    if (!p.canUse(ns)) {
      throw AccessPolicy.namespaceForbidden(ns);
    }
    return ns;
  }

  /**
   * A header value as text: percent-encoded UTF-8 ({@code %E3%83%8B…}, what a client that keeps
   * headers ASCII sends) is decoded, and so are raw UTF-8 bytes, which HTTP delivers as Latin-1
   * characters; anything that is not valid UTF-8 is a 400.
   */
  static String headerText(String field, String v) {
    if (v.indexOf('%') >= 0) {
      try {
        return URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw MemoryException.invalidField(field, "has a malformed %-escape");
      }
    }
    boolean ascii = v.chars().allMatch(c -> c < 0x80);
    if (ascii) {
      return v;
    }
    byte[] bytes = new byte[v.length()];
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c > 0xFF) { // already decoded text (an in-process caller)
        return v;
      }
      bytes[i] = (byte) c;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw MemoryException.invalidField(field, "is not valid UTF-8");
    }
  }
}
