package dev.memorymcp.server;

import dev.memorymcp.bus.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The whole service in this JVM on a free loopback port, with a real data dir, plus a small HTTP client. */
final class TestServer implements AutoCloseable {
  final Path dataDir;
  final JsonObject cfg;
  private Vertx vertx;
  private Node node;
  private int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  TestServer(Path dataDir, JsonObject overrides) {
    this.dataDir = dataDir;
    this.cfg = Settings.defaults().put("data_dir", dataDir.toString()).put("server.port", 0)
        .mergeIn(backendOverrides()).mergeIn(overrides == null ? new JsonObject() : overrides);
  }

  /**
   * With {@code -Dmemory.test.backend=qdrant} (the second surefire run of the REST and MCP suites)
   * every server stores into Qdrant: QdrantDouble, the TEST DOUBLE of Qdrant's gRPC API, on a
   * loopback port shared by the JVM, under a collection prefix of its own.
   */
  static JsonObject backendOverrides() {
    if (!"qdrant".equals(System.getProperty("memory.test.backend"))) {
      return new JsonObject();
    }
    synchronized (TestServer.class) {
      if (sharedQdrant == null) {
        sharedQdrant = dev.memorymcp.qdrantdouble.QdrantDouble.onLoopback(0);
      }
    }
    return new JsonObject().put("storage.backend", "qdrant").put("qdrant.url", sharedQdrant.url())
        .put("qdrant.collection_prefix", "t" + PREFIXES.incrementAndGet() + "_");
  }

  private static dev.memorymcp.qdrantdouble.QdrantDouble sharedQdrant;
  private static final java.util.concurrent.atomic.AtomicInteger PREFIXES = new java.util.concurrent.atomic.AtomicInteger();

  TestServer start() throws Exception {
    return start(List.of(Node.Role.values()));
  }

  /** Starts only {@code roles} (e.g. without INGEST, so ingest jobs stay queued). */
  TestServer start(List<Node.Role> roles) throws Exception {
    vertx = MetricsSetup.builder(cfg, new io.vertx.core.VertxOptions()).build();
    node = new Node(vertx, cfg);
    try {
      node.deploy(roles).await(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      throw e;
    }
    port = node.httpPort();
    return this;
  }

  /** An HTTP exchange: status and the body parsed as JSON (null when not JSON). */
  record Resp(int status, String text, java.net.http.HttpHeaders headers) {
    JsonObject json() {
      return text == null || text.isBlank() ? null : new JsonObject(text);
    }
  }

  Resp call(String method, String path, String ns, String body) throws IOException, InterruptedException {
    return call(method, path, ns, body, java.util.Map.of());
  }

  Resp call(String method, String path, String ns, String body, java.util.Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .header("Content-Type", "application/json");
    if (ns != null) {
      b.header("X-Persona", ns);
    }
    headers.forEach(b::header);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Resp(r.statusCode(), r.body(), r.headers());
  }

  Resp post(String path, String ns, JsonObject body) throws Exception {
    return call("POST", path, ns, body.encode());
  }

  Resp get(String path, String ns) throws Exception {
    return call("GET", path, ns, null);
  }

  /** Remembers and returns the reply, failing the test on anything but 201. */
  JsonObject remember(String ns, JsonObject memory) throws Exception {
    Resp r = post("/api/v1/memories", ns, memory);
    if (r.status() != 201) {
      throw new AssertionError("remember failed: " + r.status() + " " + r.text());
    }
    return r.json();
  }

  JsonObject remember(String ns, String content) throws Exception {
    return remember(ns, new JsonObject().put("content", content));
  }

  JsonObject search(String ns, JsonObject req) throws Exception {
    Resp r = post("/api/v1/search", ns, req);
    if (r.status() != 200) {
      throw new AssertionError("search failed: " + r.status() + " " + r.text());
    }
    return r.json();
  }

  /** Polls an ingest job until it is done or failed (at most 60 s) and returns its status. */
  JsonObject awaitIngest(String ns, String jobId) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      Resp r = get("/api/v1/ingest/" + jobId, ns);
      if (r.status() != 200) {
        throw new AssertionError("ingest status failed: " + r.status() + " " + r.text());
      }
      String status = r.json().getString("status");
      if (status.equals("done") || status.equals("failed")) {
        return r.json();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("ingest job " + jobId + " did not finish in 60 s");
  }

  int port() {
    return port;
  }

  /** The Vert.x instance the service runs on (for calling components such as MemoryTools directly). */
  Node node() {
    return node;
  }

  Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() throws Exception {
    if (vertx != null) {
      node.undeploy().await(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
      vertx = null;
    }
  }
}
