package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.qdrantdouble.QdrantDouble;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage scaled out on the Qdrant backend: two storage members and two ingest members sharing
 * one ingest queue in Qdrant, plus an embedding + search + auth + second gateway member and a
 * gateway, as separate JVMs of the packaged jar on 127.0.0.1, with API keys required (checked by
 * the one auth member). Qdrant is QdrantDouble, the TEST DOUBLE of its
 * gRPC API (no Qdrant runs here), on a loopback port in this JVM. Chat posts are kept up while one
 * storage member and then one ingest member are killed with SIGKILL; every acknowledged job must
 * finish exactly once.
 */
@DisplayName("clustered Qdrant storage: 2 storage + 2 ingest members, one of each killed under load")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QdrantClusterIT {
  static final String NS = "shared-queue";
  static final int JOBS = 120;
  static final int CLIENTS = 4;
  /** Short, so a killed worker's jobs are claimed again within the test; renewed every second. */
  static final int LEASE_MS = 3000;
  static final String ADMIN_KEY = "cluster-admin-key-" + UUID.randomUUID();

  Path dir;
  QdrantDouble qdrant;
  int hazelcastPort;
  int httpPort;
  int httpPort2;
  final String clusterName = "qit-" + UUID.randomUUID();
  final List<ClusterMember> members = Collections.synchronizedList(new ArrayList<>());
  ClusterMember storage1;
  ClusterMember ingest1;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  void startCluster(@TempDir Path tmp) throws Exception {
    dir = tmp;
    qdrant = QdrantDouble.onLoopback(0);
    hazelcastPort = ClusterIT.freePort();
    httpPort = ClusterIT.freePort();
    httpPort2 = ClusterIT.freePort();
    storage1 = member("storage-1", httpPort, "storage");
    ClusterMember storage2 = member("storage-2", httpPort, "storage");
    ingest1 = member("ingest-1", httpPort, "ingest");
    ClusterMember ingest2 = member("ingest-2", httpPort, "ingest");
    ClusterMember models = member("embedding-search-auth-gateway", httpPort2, "embedding", "search",
        "auth", "gateway");
    ClusterMember gateway = member("gateway", httpPort, "gateway");
    long t0 = System.nanoTime();
    storage1.start(); // first: it binds the seed port the others are pointed at
    Thread.sleep(1_000);
    for (ClusterMember m : List.of(storage2, ingest1, ingest2, models, gateway)) {
      m.start();
    }
    for (ClusterMember m : members) {
      m.awaitReady(240_000);
    }
    awaitHealthy(httpPort, 120_000);
    awaitHealthy(httpPort2, 60_000);
    System.out.printf("QdrantClusterIT: 6 members ready in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll
  void stopCluster() {
    members.forEach(ClusterMember::close);
    if (qdrant != null) {
      qdrant.close();
    }
  }

  @Test
  @DisplayName("kill -9 of a storage and an ingest member mid-load: 0 jobs lost, 0 duplicated")
  void killOneOfEachUnderLoad() throws Exception {
    JsonObject health = get(httpPort, "/health");
    JsonObject roles = health.getJsonObject("cluster").getJsonObject("roles");
    assertThat(roles.getJsonArray("storage")).hasSize(2);
    assertThat(roles.getJsonArray("ingest")).hasSize(2);
    assertThat(roles.getJsonArray("auth")).hasSize(1);
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
        + "/api/v1/ingest/x")).header("X-Persona", NS).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).as("keys are required: " + anonymous.body()).isEqualTo(401);
    assertThat(health.getString("backend")).isEqualTo("qdrant");

    Map<Integer, Set<String>> acks = new ConcurrentHashMap<>();
    AtomicInteger retries = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < CLIENTS; c++) {
      clients.add(new Thread(() -> {
        for (int i = next.getAndIncrement(); i < JOBS; i = next.getAndIncrement()) {
          acks.put(i, post(i, retries));
          sleepQuietly(300); // about 13 posts a second from the four clients
        }
      }, "chat-" + c));
    }
    clients.forEach(Thread::start);
    Thread.sleep(3_000);
    storage1.kill();
    long storageKilled = (System.nanoTime() - t0) / 1_000_000;
    Thread.sleep(3_000);
    ingest1.kill();
    long ingestKilled = (System.nanoTime() - t0) / 1_000_000;
    for (Thread t : clients) {
      t.join(300_000);
    }
    long posted = (System.nanoTime() - t0) / 1_000_000;

    assertThat(acks).as("every chat post was acknowledged in the end").hasSize(JOBS);
    Set<String> jobIds = new HashSet<>();
    acks.forEach((i, ids) -> {
      assertThat(ids).as("job ids acknowledged for post " + i + " (retries keep the Idempotency-Key)").hasSize(1);
      jobIds.addAll(ids);
    });
    assertThat(jobIds).as("one job per post").hasSize(JOBS);

    // every job finishes; statuses are read through both gateways, answered by the surviving storage member
    Map<String, JsonObject> finished = new HashMap<>();
    long deadline = System.currentTimeMillis() + 180_000;
    int round = 0;
    while (finished.size() < JOBS && System.currentTimeMillis() < deadline) {
      for (String id : jobIds) {
        if (!finished.containsKey(id)) {
          JsonObject job = get(round % 2 == 0 ? httpPort : httpPort2, "/api/v1/ingest/" + id);
          if (job != null && ("done".equals(job.getString("status")) || "failed".equals(job.getString("status")))) {
            finished.put(id, job);
          }
        }
      }
      round++;
      Thread.sleep(500);
    }
    long allDone = (System.nanoTime() - t0) / 1_000_000;
    long retried = finished.values().stream().filter(j -> j.getInteger("attempts") > 1).count();
    System.out.printf("QdrantClusterIT: %d posts (%d resent after an error), storage-1 killed at %d ms, "
        + "ingest-1 at %d ms, last post acknowledged at %d ms, all jobs finished at %d ms; %d job(s) took "
        + "more than one attempt%n", JOBS, retries.get(), storageKilled, ingestKilled, posted, allDone, retried);
    assertThat(finished).as("jobs finished (the rest were lost)").hasSize(JOBS);
    assertThat(finished.values()).allSatisfy(j -> assertThat(j.getString("status")).as(j.encode()).isEqualTo("done"));

    // exactly one memory per post: a job run twice (its worker killed) replays its writes, never adds
    List<JsonObject> memories = listAll();
    Set<String> contents = new HashSet<>();
    memories.forEach(m -> contents.add(m.getString("content")));
    assertThat(contents).as("distinct memories").hasSize(JOBS);
    assertThat(memories).as("memories (duplicates would be more)").hasSize(JOBS);
    JsonObject counts = get(httpPort, "/health").getJsonObject("ingest_jobs");
    assertThat(counts.getLong("done")).as("jobs done in the shared queue: " + counts).isEqualTo(JOBS);
  }

  /** Posts chat i until acknowledged, resending with the same Idempotency-Key; the job ids seen. */
  Set<String> post(int i, AtomicInteger retries) {
    Set<String> ids = new HashSet<>();
    JsonObject body = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", "I prefer build tool number " + i + " for the service called unit-" + i + ".")));
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/api/v1/ingest")).timeout(Duration.ofSeconds(20)).header("X-Persona", NS)
            .header("Idempotency-Key", "chat-" + i).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + ADMIN_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 202) {
          ids.add(new JsonObject(r.body()).getString("job_id"));
          return ids;
        }
        if (r.statusCode() < 500 && r.statusCode() != 429) {
          throw new AssertionError("post " + i + ": " + r.statusCode() + " " + r.body());
        }
      } catch (java.io.IOException e) {
        // the gateway's answer was lost: resend
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ids;
      }
      retries.incrementAndGet();
      sleepQuietly(500);
    }
    return ids;
  }

  List<JsonObject> listAll() throws Exception {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = get(httpPort, "/api/v1/memories?limit=100" + (cursor == null ? "" : "&cursor=" + cursor));
      page.getJsonArray("memories").forEach(m -> out.add((JsonObject) m));
      cursor = page.getString("next_cursor");
    } while (cursor != null);
    return out;
  }

  ClusterMember member(String name, int port, String... roles) {
    Map<String, String> env = ClusterIT.memberEnv(dir, name, clusterName, hazelcastPort, port);
    env.put("MEMORY_MCP_STORAGE_BACKEND", "qdrant");
    env.put("MEMORY_MCP_QDRANT_URL", qdrant.url());
    env.put("MEMORY_MCP_INGEST_LEASE_MS", String.valueOf(LEASE_MS));
    env.put("MEMORY_MCP_INGEST_POLL_MS", "250");
    env.put("MEMORY_MCP_REQUIRE_AUTH", "true");
    env.put("MEMORY_MCP_ADMIN_API_KEY", ADMIN_KEY);
    env.put("MEMORY_MCP_DEDUPE_ENABLED", "false"); // one memory per chat, so a duplicate shows as one more
    ClusterMember m = new ClusterMember(name, dir, env, roles);
    members.add(m);
    return m;
  }

  void awaitHealthy(int port, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      JsonObject h = get(port, "/health");
      if (h != null && "healthy".equals(h.getString("status"))
          && h.getJsonObject("cluster").getJsonArray("missing").isEmpty()
          && h.getJsonObject("cluster").getJsonArray("members").size() == 6) {
        return;
      }
      last = String.valueOf(h);
      Thread.sleep(250);
    }
    throw new AssertionError("cluster not healthy on port " + port + " after " + timeoutMs + " ms: " + last);
  }

  /** The JSON body of a 200, or null (any other status, or no answer). */
  JsonObject get(int port, String path) throws InterruptedException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(20)).header("X-Persona", NS).header("Authorization", "Bearer " + ADMIN_KEY)
          .build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
