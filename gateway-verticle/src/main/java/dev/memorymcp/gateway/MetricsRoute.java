package dev.memorymcp.gateway;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.gateway.auth.Guard;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;

/**
 * {@code GET /metrics}: this process's metrics in the Prometheus text format (the registry the
 * server added to Micrometer's global one). An admin key when auth is on (labels name routes,
 * tools and outcomes, never a namespace or content); 404 METRICS_OFF when metrics are disabled.
 */
public final class MetricsRoute {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsRoute() {}

  static void mount(Router r) {
    r.get("/metrics").handler(ctx -> {
      Principal p = Guard.caller(ctx).principal();
      if (!p.allows(Principal.Role.ADMIN)) {
        throw new MemoryException(ErrorCode.FORBIDDEN, "FORBIDDEN", "/metrics needs an admin key; this key's role is "
            + p.role().label());
      }
      PrometheusMeterRegistry registry = registry();
      if (registry == null) {
        throw new MemoryException(ErrorCode.NOT_FOUND, "METRICS_OFF", "metrics are off (MEMORY_MCP_METRICS_ENABLED=false)");
      }
      ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(registry.scrape());
    });
  }

  /** The Prometheus registry among the global one's, or null. */
  public static PrometheusMeterRegistry registry() {
    for (MeterRegistry r : Metrics.globalRegistry.getRegistries()) {
      if (r instanceof PrometheusMeterRegistry p) {
        return p;
      }
    }
    return null;
  }
}
