package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles as separate JVMs of the packaged jar, clustered by Hazelcast over TCP-IP on loopback:
 * storage (+ ingest), search, two embedding members and a gateway. Each run has its own cluster
 * name and Hazelcast port, so nothing else on the machine can join it.
 */
@DisplayName("clustered deployment: separate JVMs on 127.0.0.1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  static final String NS = "cluster";
  /** Requests that may fail while an embedding member dies; a broken retry fails every request sent to it. */
  static final int MAX_FAILED_DURING_FAILOVER = 2;

  Path dir;
  int hazelcastPort;
  int httpPort;
  String clusterName = "it-" + UUID.randomUUID();
  final List<ClusterMember> members = Collections.synchronizedList(new ArrayList<>());
  ClusterMember storage;
  ClusterMember embedding1;
  ClusterMember embedding2;
  ClusterMember gateway;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** {@code tmp}: every member's data directory and log; JUnit deletes it after the class. */
  @BeforeAll
  void startCluster(@TempDir Path tmp) throws Exception {
    dir = tmp;
    hazelcastPort = freePort();
    httpPort = freePort();
    storage = member("storage", "storage", "ingest");
    embedding1 = member("embedding-1", "embedding");
    embedding2 = member("embedding-2", "embedding");
    ClusterMember search = member("search", "search");
    gateway = member("gateway", "gateway");
    long t0 = System.nanoTime();
    storage.start(); // first: it binds the seed port the others are pointed at
    Thread.sleep(1_000);
    for (ClusterMember m : List.of(embedding1, embedding2, search, gateway)) {
      m.start();
    }
    for (ClusterMember m : members) {
      m.awaitReady(180_000);
    }
    JsonObject health = awaitHealth(h -> h.getJsonObject("cluster").getJsonObject("roles")
        .getJsonArray("embedding").size() == 2, 60_000);
    System.out.printf("ClusterIT: 5 members ready and healthy in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(health.getJsonObject("cluster").getJsonArray("members")).hasSize(5);
  }

  @AfterAll
  void stopCluster() {
    members.forEach(ClusterMember::close);
  }

  @Test
  @Order(1)
  @DisplayName("remember, recall and ingest work through the cluster; /health lists members and roles")
  void rememberAndRecallThroughTheCluster() throws Exception {
    JsonObject health = new JsonObject(get("/health").body());
    JsonObject cluster = health.getJsonObject("cluster");
    assertThat(health.getString("status")).isEqualTo("healthy");
    assertThat(cluster.getJsonArray("missing")).isEmpty();
    assertThat(cluster.getString("name")).isEqualTo(clusterName);
    assertThat(cluster.getJsonObject("roles").getJsonArray("storage")).hasSize(1);
    assertThat(cluster.getJsonObject("roles").getJsonArray("storage"))
        .isEqualTo(cluster.getJsonObject("roles").getJsonArray("ingest"));
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);

    HttpResponse<String> r = post("/api/v1/memories", new JsonObject()
        .put("content", "We decided to run the billing database on PostgreSQL 16").put("type", "decision"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = new JsonObject(r.body()).getString("id");
    r = post("/api/v1/search", new JsonObject().put("query", "which database does billing use?"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getJsonArray("results").getJsonObject(0).getString("id")).isEqualTo(id);

    r = post("/api/v1/ingest", new JsonObject().put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "I prefer green tea over coffee."))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String job = new JsonObject(r.body()).getString("job_id");
    long deadline = System.currentTimeMillis() + 60_000;
    JsonObject status;
    do {
      Thread.sleep(200);
      status = new JsonObject(get("/api/v1/ingest/" + job).body());
    } while (!status.getString("status").equals("done") && System.currentTimeMillis() < deadline);
    assertThat(status.getString("status")).as(status.encode()).isEqualTo("done");
    assertThat(status.getJsonObject("memories").getJsonArray("created")).hasSize(1);
  }

  @Test
  @Order(2)
  @DisplayName("a second SQLite storage member refuses to start, naming the one that runs")
  void secondSqliteStorageIsRefused() throws Exception {
    ClusterMember second = member("storage-2", "storage").start();
    int code = second.awaitExit(120_000);
    assertThat(code).as(second.tail()).isEqualTo(1);
    assertThat(second.logText()).contains("startup failed: cluster '" + clusterName
        + "' already has a storage member with storage.backend=sqlite").contains("refuses to start");
    awaitHealth(h -> h.getJsonObject("cluster").getJsonArray("members").size() == 5, 30_000);
  }

  @Test
  @Order(3)
  @DisplayName("kill -9 of one of two embedding members: recalls keep succeeding after a short failover")
  void killNineOneEmbeddingMember() throws Exception {
    Load load = new Load(4);
    load.start();
    Thread.sleep(4_000);
    long killedAt = System.nanoTime();
    embedding1.kill();
    Thread.sleep(10_000);
    load.stop();
    List<Load.Sample> before = load.between(0, killedAt);
    List<Load.Sample> window = load.between(killedAt, killedAt + 5_000_000_000L);
    List<Load.Sample> after = load.between(killedAt + 5_000_000_000L, Long.MAX_VALUE);
    System.out.printf("ClusterIT failover (kill -9 of 1 of 2 embedding members, 4 clients, recall):%n"
        + "  before kill: %s%n  0-5 s after: %s%n  5-10 s after: %s%n", Load.summary(before),
        Load.summary(window), Load.summary(after));
    load.failures().stream().limit(5).forEach(f -> System.out.println("  failed: " + f.error()));
    assertThat(before).isNotEmpty().allMatch(Load.Sample::ok);
    assertThat(load.failures().size()).as("failed requests").isLessThanOrEqualTo(MAX_FAILED_DURING_FAILOVER);
    assertThat(after).as("requests 5-10 s after the kill").hasSizeGreaterThan(20).allMatch(Load.Sample::ok);
    assertThat(Load.p(window, 0.99)).as("p99 in the failover window, ms").isLessThan(10_000);
    JsonObject health = awaitHealth(h -> h.getJsonObject("cluster").getJsonObject("roles")
        .getJsonArray("embedding").size() == 1, 30_000);
    assertThat(health.getJsonObject("cluster").getJsonArray("members")).hasSize(4);
  }

  @Test
  @Order(4)
  @DisplayName("a restarted gateway serves the same client again; memories are still there")
  void restartedGatewayServesClientsAgain() throws Exception {
    assertThat(gateway.terminate()).isIn(0, 143); // 143: the JVM's code after SIGTERM and its hooks
    assertThat(gateway.logText()).contains("stopped cleanly");
    assertThat(catching(() -> get("/health").statusCode())).as("gateway down").isEqualTo(-1);
    gateway = member("gateway-2", "gateway").start();
    gateway.awaitReady(120_000);
    long t0 = System.nanoTime();
    JsonObject health = awaitHealth(h -> true, 30_000);
    System.out.printf("ClusterIT: client reconnected %d ms after the new gateway was ready%n",
        (System.nanoTime() - t0) / 1_000_000);
    assertThat(health.getJsonObject("cluster").getJsonArray("members")).hasSize(4);
    HttpResponse<String> r = post("/api/v1/search", new JsonObject().put("query", "billing database"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("PostgreSQL 16");
  }

  @Test
  @Order(5)
  @DisplayName("with no embedding member left, readiness fails naming the role while liveness holds")
  void readinessFailsWhileARoleIsMissing() throws Exception {
    embedding2.kill();
    long deadline = System.currentTimeMillis() + 30_000;
    HttpResponse<String> ready;
    do {
      Thread.sleep(200);
      ready = get("/health/ready");
    } while (ready.statusCode() == 200 && System.currentTimeMillis() < deadline);
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
    JsonObject body = new JsonObject(ready.body());
    assertThat(body.getString("status")).isEqualTo("unhealthy");
    assertThat(body.getJsonObject("cluster").getJsonArray("missing")).containsExactly("embedding");
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  // ---- helpers ----

  ClusterMember member(String name, String... roles) {
    ClusterMember m = new ClusterMember(name, dir, memberEnv(dir, name, clusterName, hazelcastPort, httpPort), roles);
    members.add(m);
    return m;
  }

  /** A member's environment: its own data directory, the cluster on loopback, HTTP on {@code httpPort}. */
  static Map<String, String> memberEnv(Path dir, String name, String clusterName, int hazelcastPort, int httpPort) {
    Map<String, String> env = new HashMap<>();
    env.put("MEMORY_MCP_DATA_DIR", dir.resolve(name).toString());
    env.put("MEMORY_MCP_CLUSTER_NAME", clusterName);
    env.put("MEMORY_MCP_CLUSTER_HOST", "127.0.0.1");
    env.put("MEMORY_MCP_CLUSTER_MEMBERS", "127.0.0.1:" + hazelcastPort);
    env.put("MEMORY_MCP_CLUSTER_HAZELCAST_PORT", String.valueOf(hazelcastPort));
    env.put("MEMORY_MCP_SERVER_PORT", String.valueOf(httpPort));
    env.put("MEMORY_MCP_EMBEDDING_THREADS", "1");
    return env;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  JsonObject awaitHealth(Predicate<JsonObject> ok, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = get("/health");
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200 && ok.test(new JsonObject(r.body()))) {
          return new JsonObject(r.body());
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("cluster not healthy as expected after " + timeoutMs + " ms: " + last);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15))
        .header("X-Persona", NS).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15))
        .header("X-Persona", NS).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  interface Call {
    int run() throws Exception;
  }

  static int catching(Call c) {
    try {
      return c.run();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Closed-loop recall clients, each query unique so the embedding cache never answers. */
  final class Load {
    record Sample(long startNanos, double ms, boolean ok, String error) {}

    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Load(int clients) {
      for (int i = 0; i < clients; i++) {
        int client = i;
        threads.add(new Thread(() -> loop(client), "load-" + i));
      }
    }

    void start() {
      threads.forEach(Thread::start);
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread t : threads) {
        t.join(30_000);
      }
    }

    private void loop(int client) {
      for (int k = 0; running; k++) {
        long t0 = System.nanoTime();
        String error = null;
        try {
          HttpResponse<String> r = post("/api/v1/search", new JsonObject()
              .put("query", "billing database question " + client + "-" + k + "-" + t0).put("limit", 5));
          if (r.statusCode() != 200) {
            error = r.statusCode() + " " + r.body();
          }
        } catch (Exception e) {
          error = e.toString();
        }
        samples.add(new Sample(t0, (System.nanoTime() - t0) / 1e6, error == null, error));
      }
    }

    List<Sample> between(long from, long to) {
      synchronized (samples) {
        return samples.stream().filter(s -> s.startNanos() >= from && s.startNanos() < to).toList();
      }
    }

    List<Sample> failures() {
      synchronized (samples) {
        return samples.stream().filter(s -> !s.ok()).toList();
      }
    }

    static double p(List<Sample> s, double q) {
      List<Double> ms = s.stream().map(Sample::ms).sorted().toList();
      return ms.isEmpty() ? 0 : ms.get(Math.min(ms.size() - 1, (int) Math.floor(q * ms.size())));
    }

    static String summary(List<Sample> s) {
      long failed = s.stream().filter(x -> !x.ok()).count();
      return String.format("%d requests, %d failed, p50 %.0f ms, p99 %.0f ms, max %.0f ms", s.size(), failed,
          p(s, 0.5), p(s, 0.99), p(s, 1.0));
    }
  }
}
