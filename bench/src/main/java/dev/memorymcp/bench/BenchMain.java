package dev.memorymcp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The benchmark harness's retrieval-quality scenario, against a running service over its public
 * REST API: loads a dataset in the neutral JSONL form through {@code POST /api/v1/memories:batch}
 * (the dataset id kept in metadata), runs every query with each search type, and reports
 * recall@1/5/10, MRR@10 and nDCG@10 overall, per category and per namespace, as a table and JSON.
 *
 * <p>Usage: {@code java -jar bench/target/memory-bench.jar quality [--url http://127.0.0.1:26262]
 * [--dataset bench/datasets/handmade] [--out bench-quality.json] [--dedupe false]}. Each run
 * loads into fresh personas ({@code <namespace>-<run id>}), so runs never see each other's data.
 * The latency, ingest, MCP and peer scenarios of the benchmark issue are not implemented yet.
 */
public final class BenchMain {
  static final List<String> SEARCH_TYPES = List.of("hybrid", "semantic", "keyword");
  static final int BATCH = 100;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String url;

  BenchMain(String url) {
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !args[0].equals("quality")) {
      System.err.println("usage: java -jar memory-bench.jar quality [--url URL] [--dataset DIR] [--out FILE] [--dedupe true|false]\n"
          + "(only the retrieval-quality scenario exists so far)");
      System.exit(2);
    }
    Map<String, String> opts = new HashMap<>(Map.of("--url", "http://127.0.0.1:26262",
        "--dataset", "bench/datasets/handmade", "--out", "bench-quality.json", "--dedupe", "false"));
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (!opts.containsKey(args[i])) {
        System.err.println("unknown option " + args[i]);
        System.exit(2);
      }
      opts.put(args[i], args[i + 1]);
    }
    JsonObject result = new BenchMain(opts.get("--url")).quality(Path.of(opts.get("--dataset")),
        Boolean.parseBoolean(opts.get("--dedupe")));
    Files.writeString(Path.of(opts.get("--out")), result.encodePrettily());
    System.out.println("wrote " + opts.get("--out"));
  }

  /** Loads the dataset, runs the queries, prints the table; returns the JSON report. */
  JsonObject quality(Path dataset, boolean dedupe) throws IOException, InterruptedException {
    List<JsonObject> memories = jsonl(dataset.resolve("memories.jsonl"));
    List<JsonObject> queries = jsonl(dataset.resolve("queries.jsonl"));
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, List<JsonObject>> byNamespace = new LinkedHashMap<>();
    memories.forEach(m -> byNamespace.computeIfAbsent(m.getString("namespace"), k -> new ArrayList<>()).add(m));

    Map<String, String> datasetIdOf = new HashMap<>(); // service id → dataset id
    long t0 = System.nanoTime();
    for (var e : byNamespace.entrySet()) {
      List<JsonObject> items = e.getValue();
      for (int from = 0; from < items.size(); from += BATCH) {
        List<JsonObject> chunk = items.subList(from, Math.min(items.size(), from + BATCH));
        JsonArray batch = new JsonArray();
        for (JsonObject m : chunk) {
          JsonObject mem = new JsonObject().put("content", m.getString("content"))
              .put("metadata", new JsonObject().put("dataset_id", m.getString("id")));
          if (m.getString("created_at") != null) {
            mem.put("created_at", m.getString("created_at"));
          }
          batch.add(mem);
        }
        JsonObject reply = post("/api/v1/memories:batch", persona(e.getKey(), run),
            new JsonObject().put("memories", batch).put("dedupe", dedupe), 201);
        JsonArray results = reply.getJsonArray("results");
        for (int i = 0; i < chunk.size(); i++) {
          datasetIdOf.put(results.getJsonObject(i).getString("id"), chunk.get(i).getString("id"));
        }
      }
    }
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("loaded %d memories in %.1f s (%.0f/s), dedupe=%s%n", memories.size(), loadSeconds,
        memories.size() / loadSeconds, dedupe);

    QualityReport report = new QualityReport();
    for (String type : SEARCH_TYPES) {
      for (JsonObject q : queries) {
        JsonObject reply = post("/api/v1/search", persona(q.getString("namespace"), run), new JsonObject()
            .put("query", q.getString("query")).put("limit", 10).put("search_type", type), 200);
        List<String> ranked = new ArrayList<>();
        reply.getJsonArray("results").forEach(o -> ranked.add(datasetIdOf.getOrDefault(((JsonObject) o).getString("id"), "?")));
        Set<String> gold = new LinkedHashSet<>();
        q.getJsonArray("gold").forEach(g -> gold.add((String) g));
        report.add(type, List.of("all", "category:" + q.getString("category", "none"),
            "namespace:" + q.getString("namespace")), ranked, gold);
      }
    }
    System.out.print(report.table());
    return new JsonObject().put("scenario", "quality").put("at", Instant.now().toString()).put("url", url)
        .put("dataset", dataset.toString()).put("memories", memories.size()).put("queries", queries.size())
        .put("dedupe", dedupe).put("load_seconds", Math.round(loadSeconds * 100) / 100.0)
        .put("results", report.toJson());
  }

  static String persona(String namespace, String run) {
    return namespace + "-" + run;
  }

  static List<JsonObject> jsonl(Path file) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  private JsonObject post(String path, String persona, JsonObject body, int expected)
      throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path))
        .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json").header("X-Persona", persona)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != expected) {
      throw new IOException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body());
  }
}
