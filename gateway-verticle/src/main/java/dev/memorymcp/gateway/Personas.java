package dev.memorymcp.gateway;

import dev.memorymcp.bus.Namespaces;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Which namespace (persona) an HTTP request speaks for; REST and MCP resolve it the same way. */
public final class Personas {
  private Personas() {}

  /**
   * {@code X-Persona}, else {@code X-Namespace}, else the path parameter {@code persona} (MCP's
   * {@code /mcp/{persona}}), else "default"; a bad value is a 400 naming where it came from.
   */
  public static String namespace(RoutingContext ctx) {
    for (String h : List.of("X-Persona", "X-Namespace")) {
      String v = ctx.request().getHeader(h);
      if (v != null && !v.isBlank()) {
        return Namespaces.check(h, v);
      }
    }
    return Namespaces.check("persona", ctx.pathParam("persona"));
  }
}
