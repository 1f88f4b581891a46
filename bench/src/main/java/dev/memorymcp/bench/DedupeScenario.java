package dev.memorymcp.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dedupe on labelled sentence pairs ({@code pairs.jsonl}: lang, label entailment / contradiction /
 * neutral, first, second): each pair in a persona of its own, {@code first} remembered and then
 * {@code second}; the second write's {@code action} and {@code dedupe.decision} are tallied per
 * language and label. A contradiction or a neutral pair that is merged or updated is a false merge
 * (one statement is no longer what recall returns); an entailment kept apart is a missed duplicate.
 */
final class DedupeScenario {
  private final Http http;
  private final String run;

  DedupeScenario(Http http, String run) {
    this.http = http;
    this.run = run;
  }

  JsonObject run(Path pairsFile, int perLabel) throws IOException, InterruptedException {
    List<JsonObject> pairs = DedupeReport.sample(QualityScenario.jsonl(pairsFile), perLabel);
    DedupeReport report = new DedupeReport();
    long t0 = System.nanoTime();
    for (JsonObject p : pairs) {
      String persona = "dedupe-" + run + "-" + p.getString("id");
      http.post("/api/v1/memories", persona, new JsonObject().put("content", p.getString("first")), 201);
      JsonObject second = http.post("/api/v1/memories", persona, new JsonObject().put("content", p.getString("second")), 201);
      report.add(p.getString("id"), p.getString("lang"), p.getString("label"), second.getString("action"),
          second.getJsonObject("dedupe", new JsonObject()).getString("decision", "?"));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%n== dedupe on labelled pairs: %s (%d pairs, %.1f s) ==%n", pairsFile, pairs.size(), seconds);
    System.out.print(report.table());
    return new JsonObject().put("pairs_file", pairsFile.toString()).put("pairs", pairs.size())
        .put("seconds", Stats.round(seconds)).put("results", report.toJson());
  }

  /** Tallies of second-write outcomes per language and label; false merges and missed duplicates. */
  static final class DedupeReport {
    /** "lang/label" → decision (create, relate, supersede, merge, update) → count. */
    private final Map<String, Map<String, Integer>> decisions = new LinkedHashMap<>();
    /** "lang/label" → the pair ids whose information was lost, to look at. */
    private final Map<String, List<String>> lostIds = new LinkedHashMap<>();

    /** The first {@code perLabel} pairs of each (lang, label), in file order (all when perLabel ≤ 0). */
    static List<JsonObject> sample(List<JsonObject> pairs, int perLabel) {
      Map<String, Integer> taken = new LinkedHashMap<>();
      List<JsonObject> out = new ArrayList<>();
      for (JsonObject p : pairs) {
        String key = p.getString("lang") + "/" + p.getString("label");
        if (perLabel <= 0 || taken.merge(key, 1, Integer::sum) <= perLabel) {
          out.add(p);
        }
      }
      return out;
    }

    void add(String pairId, String lang, String label, String action, String decision) {
      // the decision says why; merged / updated actions are what changes recall
      String outcome = "merged".equals(action) || "updated".equals(action) ? action : decision;
      decisions.computeIfAbsent(lang + "/" + label, k -> new LinkedHashMap<>()).merge(outcome, 1, Integer::sum);
      if (lostInformation(label, outcome)) {
        lostIds.computeIfAbsent(lang + "/" + label, k -> new ArrayList<>()).add(pairId);
      }
    }

    static boolean lostInformation(String label, String outcome) {
      return !"entailment".equals(label) && ("merged".equals(outcome) || "updated".equals(outcome));
    }

    JsonObject toJson() {
      JsonObject out = new JsonObject();
      decisions.forEach((key, counts) -> {
        String label = key.substring(key.indexOf('/') + 1);
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int lost = counts.entrySet().stream().filter(e -> lostInformation(label, e.getKey()))
            .mapToInt(Map.Entry::getValue).sum();
        int merged = counts.getOrDefault("merged", 0) + counts.getOrDefault("updated", 0);
        JsonObject j = new JsonObject().put("pairs", total).put("outcomes", new JsonObject(new LinkedHashMap<>(counts)));
        if ("entailment".equals(label)) {
          j.put("merged", merged).put("missed_duplicates", total - merged);
        } else {
          j.put("false_merges", lost).put("false_merge_ids", new io.vertx.core.json.JsonArray(
              lostIds.getOrDefault(key, List.of())));
        }
        out.put(key, j);
      });
      return out;
    }

    String table() {
      StringBuilder sb = new StringBuilder(String.format("%-18s %6s  %-14s %s%n", "lang/label", "pairs",
          "false merges", "outcomes of the second write"));
      toJson().forEach(e -> {
        JsonObject j = (JsonObject) e.getValue();
        String judged = j.containsKey("false_merges") ? String.valueOf(j.getInteger("false_merges"))
            : "(" + j.getInteger("missed_duplicates") + " missed)";
        sb.append(String.format("%-18s %6d  %-14s %s%n", e.getKey(), j.getInteger("pairs"), judged,
            j.getJsonObject("outcomes").encode()));
      });
      return sb.toString();
    }
  }
}
