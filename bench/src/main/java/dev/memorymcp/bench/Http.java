package dev.memorymcp.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** JSON over HTTP against the service's REST API; every call names the persona (namespace). */
final class Http {
  final String url;
  /**
   * HTTP/1.1, as curl, Python and Node clients speak to a plain http:// URL ({@code -Dbench.http=2}:
   * the JDK client's default, an upgrade to cleartext HTTP/2). With HTTP/2 the ingest scenario's open
   * loop failed once more than 100 posts were in flight ("too many concurrent streams"), and in one
   * run at 100k hybrid search p50 was 12.2 against 10.3 ms (same server, client warmed up).
   */
  private final HttpClient client = HttpClient.newBuilder()
      .version("2".equals(System.getProperty("bench.http")) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  Http(String url) {
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * The API key every request carries ({@code Authorization: Bearer}), from the environment variable
   * {@code MEMORY_BENCH_API_KEY}: how the harness measures a server with auth on. Null: none.
   */
  static String apiKey() {
    String k = System.getenv("MEMORY_BENCH_API_KEY");
    return k == null || k.isBlank() ? null : k.strip();
  }

  /** Adds the API key, when there is one. */
  static HttpRequest.Builder authorized(HttpRequest.Builder b) {
    String k = apiKey();
    return k == null ? b : b.header("Authorization", "Bearer " + k);
  }

  /** POSTs and returns the reply's JSON, or throws naming the path when the status is not {@code expected}. */
  JsonObject post(String path, String persona, JsonObject body, int expected) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(request(path, persona, body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return check(path, r, expected);
  }

  CompletableFuture<HttpResponse<String>> postAsync(String path, String persona, JsonObject body) {
    return client.sendAsync(request(path, persona, body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** GETs a body as lines (an export). */
  java.util.stream.Stream<String> getLines(String path) throws IOException, InterruptedException {
    HttpResponse<java.util.stream.Stream<String>> r = client.send(authorized(HttpRequest.newBuilder(URI.create(url + path)))
        .timeout(Duration.ofMinutes(30)).build(), HttpResponse.BodyHandlers.ofLines());
    if (r.statusCode() != 200) {
      throw new IOException(path + " answered " + r.statusCode());
    }
    return r.body();
  }

  /** POSTs a JSON-lines body (an import) and returns the reply's JSON. */
  JsonObject postLines(String path, String persona, String lines, int expected) throws IOException, InterruptedException {
    HttpRequest req = authorized(HttpRequest.newBuilder(URI.create(url + path))).timeout(Duration.ofMinutes(10))
        .header("Content-Type", "application/x-ndjson").header("X-Persona", persona)
        .POST(HttpRequest.BodyPublishers.ofString(lines, StandardCharsets.UTF_8)).build();
    return check(path, client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)), expected);
  }

  JsonObject get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(authorized(HttpRequest.newBuilder(URI.create(url + path))).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return check(path, r, 200);
  }

  private HttpRequest request(String path, String persona, JsonObject body) {
    return authorized(HttpRequest.newBuilder(URI.create(url + path))).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json").header("X-Persona", persona)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build();
  }

  private static JsonObject check(String path, HttpResponse<String> r, int expected) throws IOException {
    if (r.statusCode() != expected) {
      throw new IOException(path + " answered " + r.statusCode() + " (expected " + expected + "): " + r.body());
    }
    return new JsonObject(r.body());
  }

  /** The service's own time for {@code r} in ms, from its {@code Server-Timing: app;dur=} header. */
  static java.util.Optional<Double> serverMillis(HttpResponse<?> r) {
    return r.headers().firstValue("Server-Timing").filter(v -> v.startsWith("app;dur="))
        .map(v -> Double.parseDouble(v.substring("app;dur=".length())));
  }
}
