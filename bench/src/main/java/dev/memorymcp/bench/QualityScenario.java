package dev.memorymcp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retrieval quality on a dataset in the neutral JSONL form: loads {@code memories.jsonl} through
 * {@code POST /api/v1/memories:batch} (the dataset id kept in metadata) into personas
 * {@code <namespace>-<run>}, runs every query of {@code queries.jsonl} with each search type, and
 * reports recall@1/5/10, MRR@10 and nDCG@10 overall, per category, per namespace and per half of the
 * queries (alternate queries, for split-half checks of a tuned knob), with the
 * sequential search latency per type (the queries run one at a time, so it is a fair A/B). Searches
 * pass {@code record_access: false}, so one query's results never boost the next one's.
 */
final class QualityScenario {
  static final int BATCH = 100;

  private final Http http;
  private final String run;

  QualityScenario(Http http, String run) {
    this.http = http;
    this.run = run;
  }

  JsonObject run(Path dataset, boolean dedupe) throws IOException, InterruptedException {
    List<JsonObject> memories = jsonl(dataset.resolve("memories.jsonl"));
    List<JsonObject> queries = jsonl(dataset.resolve("queries.jsonl"));
    long t0 = System.nanoTime();
    Map<String, String> datasetIdOf = load(http, memories, this::persona, dedupe);
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%n== retrieval quality: %s ==%nloaded %d memories in %.1f s (%.0f/s), dedupe=%s%n", dataset,
        memories.size(), loadSeconds, memories.size() / loadSeconds, dedupe);

    QualityReport report = new QualityReport();
    JsonObject latency = new JsonObject();
    for (String type : BenchMain.SEARCH_TYPES) {
      List<Double> ms = new ArrayList<>();
      for (int qi = 0; qi < queries.size(); qi++) {
        JsonObject q = queries.get(qi);
        long q0 = System.nanoTime();
        JsonObject search = new JsonObject().put("query", q.getString("query")).put("limit", 10)
            .put("search_type", type).put("record_access", false); // no access boosts between queries: repeatable
        if (q.getString("asked_at") != null) { // "last week" is relative to when the question was asked
          search.put("as_of", q.getString("asked_at"));
        }
        JsonObject reply = http.post("/api/v1/search", persona(q.getString("namespace")), search, 200);
        ms.add((System.nanoTime() - q0) / 1e6);
        List<String> ranked = new ArrayList<>();
        reply.getJsonArray("results").forEach(o -> ranked.add(datasetIdOf.getOrDefault(((JsonObject) o).getString("id"), "?")));
        Set<String> gold = new LinkedHashSet<>();
        q.getJsonArray("gold").forEach(g -> gold.add((String) g));
        // half:a / half:b (alternate queries): a knob tuned on one half is checked on the other
        report.add(type, List.of("all", "category:" + q.getString("category", "none"),
            "namespace:" + q.getString("namespace"), qi % 2 == 0 ? "half:a" : "half:b"), ranked, gold);
      }
      latency.put(type, Stats.summary(ms));
    }
    System.out.print(report.table());
    System.out.println("search latency (sequential, ms, client side): " + latency.encode());
    return new JsonObject().put("dataset", dataset.toString()).put("memories", memories.size())
        .put("queries", queries.size()).put("dedupe", dedupe).put("load_seconds", Stats.round(loadSeconds))
        .put("results", report.toJson()).put("latency_ms", latency);
  }

  /**
   * Loads dataset memories through {@code POST /api/v1/memories:batch} (the dataset id in metadata;
   * {@code created_at} and {@code session_id} when given) into {@code persona.apply(namespace)};
   * returns service id → dataset id.
   */
  static Map<String, String> load(Http http, List<JsonObject> memories, java.util.function.UnaryOperator<String> persona,
      boolean dedupe) throws IOException, InterruptedException {
    Map<String, List<JsonObject>> byNamespace = new LinkedHashMap<>();
    memories.forEach(m -> byNamespace.computeIfAbsent(m.getString("namespace"), k -> new ArrayList<>()).add(m));
    Map<String, String> datasetIdOf = new HashMap<>();
    for (var e : byNamespace.entrySet()) {
      List<JsonObject> items = e.getValue();
      for (int from = 0; from < items.size(); from += BATCH) {
        List<JsonObject> chunk = items.subList(from, Math.min(items.size(), from + BATCH));
        JsonArray batch = new JsonArray();
        for (JsonObject m : chunk) {
          JsonObject mem = new JsonObject().put("content", m.getString("content"))
              .put("metadata", new JsonObject().put("dataset_id", m.getString("id")));
          for (String field : List.of("created_at", "session_id")) { // when said, and in which conversation
            if (m.getString(field) != null) {
              mem.put(field, m.getString(field));
            }
          }
          batch.add(mem);
        }
        JsonArray results = http.post("/api/v1/memories:batch", persona.apply(e.getKey()),
            new JsonObject().put("memories", batch).put("dedupe", dedupe), 201).getJsonArray("results");
        for (int i = 0; i < chunk.size(); i++) {
          datasetIdOf.put(results.getJsonObject(i).getString("id"), chunk.get(i).getString("id"));
        }
      }
    }
    return datasetIdOf;
  }

  String persona(String namespace) {
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
}
