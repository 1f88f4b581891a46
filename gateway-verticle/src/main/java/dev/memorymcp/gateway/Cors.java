package dev.memorymcp.gateway;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Cross-origin access for browser apps: off unless {@code cors.origins} lists origins. Preflight
 * requests are answered before the API key check (browsers send them without credentials).
 */
final class Cors {
  private Cors() {}

  static Optional<CorsHandler> handler(JsonObject cfg) {
    List<String> origins = Arrays.stream(cfg.getString("cors.origins", "").split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).toList();
    if (origins.isEmpty()) {
      return Optional.empty();
    }
    if (origins.contains("*")) {
      throw new IllegalStateException("MEMORY_MCP_CORS_ORIGINS must list origins (https://app.example.com); "
          + "'*' would let every web page a user visits call this API");
    }
    return Optional.of(CorsHandler.create().addOrigins(origins)
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE))
        .allowedHeaders(Set.of("Authorization", "X-API-Key", "X-Persona", "X-Namespace", "Content-Type",
            "Idempotency-Key", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"))
        .exposedHeaders(Set.of("Retry-After", "Location", "Mcp-Session-Id"))
        .maxAgeSeconds(600));
  }
}
