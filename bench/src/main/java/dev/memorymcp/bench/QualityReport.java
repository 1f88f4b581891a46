package dev.memorymcp.bench;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Sums of the metrics per (search type, group), turned into averages for the table and the JSON. */
final class QualityReport {
  static final List<String> METRICS = List.of("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10");

  /** search type → group ("all", "category:…", "namespace:…") → metric → sum; plus counts. */
  private final Map<String, Map<String, double[]>> sums = new LinkedHashMap<>();
  private final Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();

  void add(String searchType, List<String> groups, List<String> ranked, Set<String> gold) {
    double[] values = {RankingMetrics.recallAt(ranked, gold, 1), RankingMetrics.recallAt(ranked, gold, 5),
        RankingMetrics.recallAt(ranked, gold, 10), RankingMetrics.mrrAt(ranked, gold, 10),
        RankingMetrics.ndcgAt(ranked, gold, 10)};
    for (String g : groups) {
      double[] s = sums.computeIfAbsent(searchType, t -> new LinkedHashMap<>())
          .computeIfAbsent(g, x -> new double[METRICS.size()]);
      for (int i = 0; i < values.length; i++) {
        s[i] += values[i];
      }
      counts.computeIfAbsent(searchType, t -> new LinkedHashMap<>()).merge(g, 1, Integer::sum);
    }
  }

  /** {search_type: {group: {queries, recall@1, …}}}, metrics rounded to 4 places. */
  JsonObject toJson() {
    JsonObject out = new JsonObject();
    sums.forEach((type, groups) -> {
      JsonObject byGroup = new JsonObject();
      groups.forEach((g, s) -> {
        int n = counts.get(type).get(g);
        JsonObject m = new JsonObject().put("queries", n);
        for (int i = 0; i < METRICS.size(); i++) {
          m.put(METRICS.get(i), Math.round(s[i] / n * 10000) / 10000.0);
        }
        byGroup.put(g, m);
      });
      out.put(type, byGroup);
    });
    return out;
  }

  /** A plain-text table: one row per search type and group. */
  String table() {
    StringBuilder sb = new StringBuilder(String.format("%-9s %-22s %7s", "search", "group", "queries"));
    METRICS.forEach(m -> sb.append(String.format(" %9s", m)));
    sb.append('\n');
    JsonObject j = toJson();
    for (String type : j.fieldNames()) {
      JsonObject groups = j.getJsonObject(type);
      for (String g : groups.fieldNames()) {
        JsonObject m = groups.getJsonObject(g);
        sb.append(String.format("%-9s %-22s %7d", type, g, m.getInteger("queries")));
        METRICS.forEach(name -> sb.append(String.format(" %9.3f", m.getDouble(name))));
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
