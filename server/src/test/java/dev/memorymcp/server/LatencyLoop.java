package dev.memorymcp.server;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A measured loop (not a test; the benchmark issue turns this into a harness): starts the packaged
 * jar, fills one namespace to each size with remember calls, then times recall. Prints a table.
 * Run: {@code java -cp server/target/test-classes:<test classpath> dev.memorymcp.server.LatencyLoop 1000 10000}
 */
public final class LatencyLoop {
  static final String[] WHO = {"Alice", "Bob", "Chen", "Dana", "Emeka", "Fatima", "Goro", "Hana", "Ivan", "Jun"};
  static final String[] DOES = {"prefers", "decided to use", "is responsible for", "wants to learn", "dislikes", "recommended", "is migrating to", "wrote a guide about"};
  static final String[] WHAT = {"PostgreSQL", "Kotlin coroutines", "the billing service", "dark mode", "Rust", "weekly demos", "Terraform", "the mobile app",
      "GraphQL", "unit tests", "the staging cluster", "code reviews", "Kafka", "the design system", "pair programming", "Python type hints"};
  static final String[] WHY = {"because it is faster", "after the outage", "for the Q3 roadmap", "to reduce costs", "since the last retro", "for the new hires"};

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length == 0 ? new int[] {1000, 10000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    Path dir = System.getProperty("data") != null ? Path.of(System.getProperty("data")) : Files.createTempDirectory("latency");
    HttpClient http = HttpClient.newHttpClient();
    Random rnd = new Random(42);
    try (ServerProcess p = new ServerProcess(dir.resolve("data"))) {
      Map<String, String> env = new java.util.HashMap<>(Map.of("MEMORY_MCP_STORAGE_SYNCHRONOUS", System.getProperty("sync", "FULL")));
      if (System.getProperty("threads") != null) {
        env.put("MEMORY_MCP_EMBEDDING_THREADS", System.getProperty("threads"));
      }
      long startMs = p.start(env);
      System.out.printf("start to healthy: %d ms%n", startMs);
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(p.uri("/health")).build(), HttpResponse.BodyHandlers.ofString());
      int have = new JsonObject(health.body()).getInteger("memories");
      for (int size : sizes) {
        List<Double> remember = new ArrayList<>();
        while (have < size) {
          String content = WHO[rnd.nextInt(WHO.length)] + " " + DOES[rnd.nextInt(DOES.length)] + " "
              + WHAT[rnd.nextInt(WHAT.length)] + " " + WHY[rnd.nextInt(WHY.length)] + " (note " + have + ", ticket " + rnd.nextInt(100000) + ")";
          long t0 = System.nanoTime();
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(p.uri("/api/v1/memories"))
              .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("content", content).encode())).build(),
              HttpResponse.BodyHandlers.ofString());
          remember.add((System.nanoTime() - t0) / 1e6);
          if (r.statusCode() != 201) {
            throw new IllegalStateException(r.body());
          }
          have++;
        }
        System.out.printf("%n== %d memories (RSS %d MiB) ==%n", size, rssMiB(p));
        if (!remember.isEmpty()) {
          print("remember (last " + Math.min(remember.size(), 1000) + ")", remember.subList(Math.max(0, remember.size() - 1000), remember.size()));
        }
        for (String type : List.of("hybrid", "semantic", "keyword")) {
          List<Double> lat = new ArrayList<>();
          JsonObject phases = new JsonObject();
          for (int i = 0; i < 300; i++) {
            String q = "who " + DOES[rnd.nextInt(DOES.length)] + " " + WHAT[rnd.nextInt(WHAT.length)] + " " + i;
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(p.uri("/api/v1/search")).POST(HttpRequest.BodyPublishers.ofString(
                new JsonObject().put("query", q).put("search_type", type).put("limit", 10).encode())).build(), HttpResponse.BodyHandlers.ofString());
            if (i >= 50) {
              lat.add((System.nanoTime() - t0) / 1e6);
              JsonObject tm = new JsonObject(r.body()).getJsonObject("timings", new JsonObject());
              tm.put("server_ms", new JsonObject(r.body()).getDouble("took_ms"));
              tm.forEach(e -> phases.put(e.getKey(), phases.getDouble(e.getKey(), 0.0) + ((Number) e.getValue()).doubleValue() / 250));
            }
            if (r.statusCode() != 200) {
              throw new IllegalStateException(r.body());
            }
          }
          print("recall " + type, lat);
          System.out.println("    mean phase end times (ms since request): " + phases.encode());
        }
        System.out.printf("RSS after recall: %d MiB%n", rssMiB(p));
      }
      p.terminate();
    }
  }

  static long rssMiB(ServerProcess p) throws Exception {
    long pid = p.pid();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }

  static void print(String what, List<Double> ms) {
    double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("%-22s n=%-5d p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms%n", what, a.length,
        a[(int) (a.length * 0.50)], a[(int) (a.length * 0.95)], a[Math.min(a.length - 1, (int) (a.length * 0.99))]);
  }
}
