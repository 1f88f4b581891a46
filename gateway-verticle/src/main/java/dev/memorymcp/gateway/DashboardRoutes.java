package dev.memorymcp.gateway;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard and the API description, public like /health: static files from the jar
 * ({@code webroot/}: no CDN, no build step) under {@code /ui/}, {@code /} redirecting there, and
 * {@code /openapi.json}. They hold no data: every call the page makes carries the API key the user
 * typed, and the server's access control answers it. The page may load only its own files and talk
 * only to this origin (Content-Security-Policy), and may not be framed.
 */
final class DashboardRoutes {
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private DashboardRoutes() {}

  static void mount(Router r) {
    r.get("/").handler(ctx -> ctx.redirect("/ui/"));
    r.route("/ui/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });
    r.route("/ui/*").handler(StaticHandler.create("webroot").setIndexPage("index.html").setDefaultContentEncoding("UTF-8"));
    String openapi = resource("/openapi.json");
    r.get("/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("X-Content-Type-Options", "nosniff").end(openapi));
  }

  static String resource(String path) {
    try (java.io.InputStream in = DashboardRoutes.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the jar");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
