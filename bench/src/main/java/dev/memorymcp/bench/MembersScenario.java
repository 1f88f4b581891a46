package dev.memorymcp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Recall throughput with 1, 2, 4 … embedding members: for each count, a cluster of the packaged
 * jar on 127.0.0.1 (one member with gateway, storage, auth, search and ingest; N embedding
 * members), a small namespace so the query embedding is most of a search's work, then closed-loop
 * clients sending unique semantic queries (the embedding cache never answers; concurrent queries
 * are micro-batched by each member). Besides requests per second it reads each process's CPU
 * time (Linux /proc) over the timed window: CPU per request of the embedding members and of the
 * rest, from which the throughput on separate machines is extrapolated.
 */
final class MembersScenario {
  /** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
  static final double TICKS = 100.0;
  private final Path jar;
  private final Path work;
  private final Map<String, String> env;

  MembersScenario(Path jar, Path work, Map<String, String> env) {
    this.jar = jar;
    this.work = work;
    this.env = env;
  }

  JsonObject run(List<Integer> counts, int size, int clients, int seconds, int warmup) throws Exception {
    JsonArray steps = new JsonArray();
    for (int n : counts) {
      JsonObject step = withMembers(n, size, clients, seconds, warmup);
      steps.add(step);
      System.out.printf("%d embedding member(s): %.0f req/s with %d clients, p50 %.1f ms, p99 %.1f ms; CPU per request: "
          + "embedding %.2f ms, the rest %.2f ms%n", n, step.getDouble("per_second"), clients,
          step.getJsonObject("latency_ms").getDouble("p50"), step.getJsonObject("latency_ms").getDouble("p99"),
          step.getDouble("embedding_cpu_ms_per_request"), step.getDouble("other_cpu_ms_per_request"));
    }
    return new JsonObject().put("steps", steps).put("extrapolation", extrapolate(steps));
  }

  /**
   * On separate machines each embedding member has its own cores: N members serve about N × (1000
   * / embedding CPU ms per request) per core, until the one core member (whose CPU per request
   * is measured too) saturates. Taken from the one-member step, whose CPU figures are the least
   * disturbed by the members competing for this machine's cores.
   */
  static JsonObject extrapolate(JsonArray steps) {
    JsonObject one = steps.getJsonObject(0);
    double embMs = one.getDouble("embedding_cpu_ms_per_request");
    double otherMs = one.getDouble("other_cpu_ms_per_request");
    JsonObject out = new JsonObject().put("basis", "the " + one.getInteger("embedding_members")
        + "-member step's CPU per request; every member on cores of its own")
        .put("per_embedding_core_per_second", Stats.round(1000.0 / embMs))
        .put("core_member_per_core_per_second", Stats.round(1000.0 / otherMs));
    JsonObject predicted = new JsonObject();
    for (int n : new int[] {1, 2, 4, 8}) {
      double embedding = n * 2 * 1000.0 / embMs; // two cores per embedding member
      double rest = 2 * 1000.0 / otherMs;        // one two-core member for the other roles
      predicted.put(n + "_members_2_cores_each", Stats.round(Math.min(embedding, rest)));
    }
    return out.put("predicted_req_per_second", predicted);
  }

  private JsonObject withMembers(int n, int size, int clients, int seconds, int warmup) throws Exception {
    String cluster = "bench-" + UUID.randomUUID();
    int hazelcast = freePort();
    int http = freePort();
    Path dir = Files.createDirectories(work.resolve("members-" + n));
    List<Process> embedding = new ArrayList<>();
    Process core = start(dir, "core", cluster, hazelcast, http, "gateway,storage,auth,search,ingest");
    try {
      Thread.sleep(1_000); // the core member binds the seed port
      for (int i = 0; i < n; i++) {
        embedding.add(start(dir, "embedding-" + i, cluster, hazelcast, http, "embedding"));
      }
      String url = "http://127.0.0.1:" + http;
      awaitMembers(url, n, dir);
      Http client = new Http(url);
      String persona = "bench-members-" + n;
      Corpus corpus = new Corpus(7);
      for (int have = 0; have < size; have += 100) {
        JsonArray batch = new JsonArray();
        for (int i = 0; i < Math.min(100, size - have); i++) {
          batch.add(new JsonObject().put("content", corpus.memory(have + i)));
        }
        client.post("/api/v1/memories:batch", persona, new JsonObject().put("memories", batch).put("dedupe", false), 201);
      }
      AtomicLong queryNo = new AtomicLong();
      load(client, persona, clients, warmup, queryNo); // warm: JIT, caches, connections
      long coreBefore = cpuTicks(List.of(core));
      long embBefore = cpuTicks(embedding);
      long t0 = System.nanoTime();
      ConcurrentLinkedQueue<Double> latencies = load(client, persona, clients, seconds, queryNo);
      double elapsed = (System.nanoTime() - t0) / 1e9;
      double coreCpu = (cpuTicks(List.of(core)) - coreBefore) / TICKS;
      double embCpu = (cpuTicks(embedding) - embBefore) / TICKS;
      int requests = latencies.size();
      return new JsonObject().put("embedding_members", n).put("clients", clients).put("seconds", Stats.round(elapsed))
          .put("memories", size).put("requests", requests).put("per_second", Stats.round(requests / elapsed))
          .put("latency_ms", Stats.summary(latencies))
          .put("cpu_seconds", new JsonObject().put("embedding_members", Stats.round(embCpu)).put("core_member", Stats.round(coreCpu)))
          .put("embedding_cpu_ms_per_request", Stats.round(1000 * embCpu / requests))
          .put("other_cpu_ms_per_request", Stats.round(1000 * coreCpu / requests))
          .put("load_average_at_end", BenchMain.loadAverage());
    } finally {
      for (Process p : embedding) {
        p.destroy();
      }
      core.destroy();
      for (Process p : embedding) {
        p.waitFor();
      }
      core.waitFor();
    }
  }

  private ConcurrentLinkedQueue<Double> load(Http client, String persona, int clients, int seconds, AtomicLong queryNo)
      throws InterruptedException, IOException {
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Corpus mine = new Corpus(1000 + c);
      Thread t = new Thread(() -> {
        try {
          while (System.nanoTime() < end && failure.get() == null) {
            long s = System.nanoTime();
            client.post("/api/v1/search", persona, new JsonObject().put("query", mine.query(queryNo.incrementAndGet()))
                .put("search_type", "semantic").put("limit", 10), 200);
            latencies.add((System.nanoTime() - s) / 1e6);
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        }
      }, "members-client-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new IOException("members load failed: " + failure.get().getMessage(), failure.get());
    }
    return latencies;
  }

  private Process start(Path dir, String name, String cluster, int hazelcast, int http, String roles) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-jar", jar.toString(), "serve", "--cluster", "--role", roles)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
    Map<String, String> e = new LinkedHashMap<>(env);
    e.put("MEMORY_MCP_DATA_DIR", dir.resolve(name).toString());
    e.put("MEMORY_MCP_CLUSTER_NAME", cluster);
    e.put("MEMORY_MCP_CLUSTER_HOST", "127.0.0.1");
    e.put("MEMORY_MCP_CLUSTER_MEMBERS", "127.0.0.1:" + hazelcast);
    e.put("MEMORY_MCP_CLUSTER_HAZELCAST_PORT", String.valueOf(hazelcast));
    e.put("MEMORY_MCP_SERVER_HOST", "127.0.0.1");
    e.put("MEMORY_MCP_SERVER_PORT", String.valueOf(http));
    pb.environment().putAll(e);
    return pb.start();
  }

  private static void awaitMembers(String url, int n, Path dir) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.currentTimeMillis() + 300_000;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200) {
          JsonObject c = new JsonObject(r.body()).getJsonObject("cluster");
          if (c != null && c.getJsonArray("missing").isEmpty() && c.getJsonObject("roles").getJsonArray("embedding").size() == n) {
            return;
          }
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(500);
    }
    throw new IOException("the cluster with " + n + " embedding member(s) was not healthy after 300 s (logs in " + dir + "): " + last);
  }

  /** utime + stime of the processes (all their threads), in clock ticks. */
  static long cpuTicks(List<Process> ps) throws IOException {
    long sum = 0;
    for (Process p : ps) {
      sum += cpuTicks(p.pid());
    }
    return sum;
  }

  /** utime + stime of process {@code pid} from /proc/<pid>/stat (fields 14 and 15), in clock ticks. */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
