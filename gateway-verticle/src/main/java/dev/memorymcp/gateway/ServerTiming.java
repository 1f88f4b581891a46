package dev.memorymcp.gateway;

import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code Server-Timing: app;dur=<ms>} on every response (the W3C header browsers' developer tools
 * show): the time from routing the request to sending the response's headers, body reading, key
 * check and the work behind it included. A client that shares the machine, or a slow network, can
 * then tell the service's share of a latency from its own. It carries a duration only.
 */
final class ServerTiming {
  static final String HEADER = "Server-Timing";

  private ServerTiming() {}

  /** Starts the clock for {@code ctx}; the header is added as the response's headers are written. */
  static void start(RoutingContext ctx) {
    long t0 = System.nanoTime();
    ctx.addHeadersEndHandler(v -> ctx.response().headers().set(HEADER, value((System.nanoTime() - t0) / 1e6)));
  }

  static String value(double millis) {
    return String.format(Locale.ROOT, "app;dur=%.2f", millis);
  }
}
