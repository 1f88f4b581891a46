package dev.memorymcp.server;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/**
 * Metrics for one process: a Prometheus registry added to Micrometer's global registry (which the
 * verticles record into, so they need no Vert.x type) and given to Vert.x for its HTTP and event
 * bus metrics. HTTP requests are labelled by route template, never by raw path or namespace, so a
 * label's values stay few. JVM metrics are bound once. Off with {@code metrics.enabled=false}.
 */
final class MetricsSetup {
  private static PrometheusMeterRegistry registry;

  private MetricsSetup() {}

  /** The process's registry, made and bound on first use. */
  static synchronized PrometheusMeterRegistry registry() {
    if (registry == null) {
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry.config().commonTags("service", "memory-mcp");
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      Metrics.addRegistry(registry);
    }
    return registry;
  }

  /** A Vert.x builder with metrics on (when enabled), for {@code options}. */
  static VertxBuilder builder(JsonObject cfg, VertxOptions options) {
    VertxBuilder b = io.vertx.core.Vertx.builder();
    if (!cfg.getBoolean("metrics.enabled", true)) {
      return b.with(options);
    }
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE)));
    return b.with(options).withMetrics(new MicrometerMetricsFactory(registry()));
  }
}
