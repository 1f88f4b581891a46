package dev.memorymcp.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model switch on a filled store: fills one namespace with the first model, times hybrid recall,
 * restarts the service with another model, and times recall and remember while the online rebuild
 * re-embeds (the old vectors serving), then after the switch. Reports the time to healthy, how long
 * the rebuild took and how long writes waited for the swap, and resident memory with two models.
 */
final class SwitchScenario {
  private final Path jar;
  private final Path data;
  private final Map<String, String> env;
  private final Corpus corpus = new Corpus(7);
  private long queryNo;

  SwitchScenario(Path jar, Path data, Map<String, String> env) {
    this.jar = jar;
    this.data = data;
    this.env = env;
  }

  JsonObject run(int size, String toModel, int queries) throws IOException, InterruptedException {
    String persona = "bench-switch";
    JsonObject out = new JsonObject().put("size", size).put("to_model", toModel);
    Path log = data.resolveSibling(data.getFileName() + "-server.log");
    try (Service first = Service.start(jar, data, env, log)) {
      Http http = new Http(first.url);
      LatencyScenario filler = new LatencyScenario(http, first, persona);
      System.out.printf("switch: filling %s with %,d memories%n", persona, size);
      filler.fill(size, false);
      out.put("from_model", http.get("/health").getString("model"));
      out.put("recall_before", recall(http, persona, queries));
      out.put("rss_mib_before", first.rssMiB());
    }
    Map<String, String> switched = new LinkedHashMap<>(env);
    switched.put("MEMORY_MCP_EMBEDDING_MODEL", toModel);
    try (Service second = Service.start(jar, data, switched, log)) {
      Http http = new Http(second.url);
      out.put("start_ms", second.startMillis);
      List<Double> during = new ArrayList<>();
      List<Double> remember = new ArrayList<>();
      JsonObject status = http.get("/api/v1/admin/rebuild");
      while ("running".equals(status.getString("status"))) {
        during.add(timedRecall(http, persona));
        long s = System.nanoTime();
        http.post("/api/v1/memories", persona, new JsonObject().put("content", corpus.memory(1_000_000 + remember.size())), 201);
        remember.add((System.nanoTime() - s) / 1e6);
        status = http.get("/api/v1/admin/rebuild");
        if (during.size() % 50 == 0) {
          System.out.printf("  rebuild %s: %d / %d%n", status.getString("status"), status.getLong("done", 0L),
              status.getLong("total", 0L));
        }
      }
      out.put("rss_mib_during", second.rssMiB());
      out.put("recall_during", Stats.summary(during)).put("remember_during", Stats.summary(remember));
      out.put("rebuild", status);
      out.put("recall_after", recall(http, persona, queries));
      out.put("rss_mib_after", second.rssMiB());
    }
    System.out.printf("switch %s -> %s at %,d memories: start %d ms, rebuild %s, writes paused %s ms for the swap%n",
        out.getString("from_model"), toModel, size, out.getLong("start_ms"), out.getJsonObject("rebuild").encode(),
        out.getJsonObject("rebuild").getValue("swap_ms"));
    System.out.printf("  hybrid recall p50 before %.1f ms, during %.1f ms (%d queries), after %.1f ms; remember during p50 %.1f ms%n",
        out.getJsonObject("recall_before").getDouble("p50"), out.getJsonObject("recall_during").getDouble("p50"),
        out.getJsonObject("recall_during").getInteger("n", 0), out.getJsonObject("recall_after").getDouble("p50"),
        out.getJsonObject("remember_during").getDouble("p50"));
    return out;
  }

  private JsonObject recall(Http http, String persona, int queries) throws IOException, InterruptedException {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < queries + 20; i++) {
      double t = timedRecall(http, persona);
      if (i >= 20) {
        ms.add(t);
      }
    }
    return Stats.summary(ms);
  }

  private double timedRecall(Http http, String persona) throws IOException, InterruptedException {
    long s = System.nanoTime();
    http.post("/api/v1/search", persona, new JsonObject().put("query", corpus.query(++queryNo)).put("search_type", "hybrid"), 200);
    return (System.nanoTime() - s) / 1e6;
  }
}
