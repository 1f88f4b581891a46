package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Settings;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.embedding.EmbeddingVerticle;
import dev.memorymcp.storage.dedupe.DedupePolicy;
import dev.memorymcp.storage.dedupe.DedupePolicy.Action;
import dev.memorymcp.storage.dedupe.DedupeThresholds;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Calibrates the per-model dedupe thresholds on a labelled pair set (src/test/resources/
 * dedupe-pairs.jsonl: duplicates, elaborations, paraphrases, contradictions, related and
 * unrelated pairs, English and Japanese) with the real models, and holds the defaults to it: no
 * merge of anything but a duplicate or an elaboration (a wrong merge loses data), no supersede of
 * unrelated text, every duplicate merged. The printed table is what the README quotes.
 */
@DisplayName("dedupe calibration")
class DedupeCalibrationTest {
  @TempDir
  Path dir;

  record Pair(String a, String b, String label, String lang) {}

  static List<Pair> pairs() throws Exception {
    List<Pair> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        DedupeCalibrationTest.class.getResourceAsStream("/dedupe-pairs.jsonl"), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          JsonObject j = new JsonObject(line);
          out.add(new Pair(j.getString("a"), j.getString("b"), j.getString("label"), j.getString("lang")));
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"e5-small-v2", "all-minilm-l6-v2", "bge-small-en-v1.5"})
  void defaultThresholdsNeverMergeWhatIsNotADuplicate(String modelName) throws Exception {
    List<Pair> pairs = pairs();
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject cfg = Settings.defaults().put("data_dir", dir.toString()).put("embedding.model", modelName);
      vertx.deployVerticle(EmbeddingVerticle::new, new DeploymentOptions().setConfig(cfg)
          .setThreadingModel(ThreadingModel.WORKER)).await(2, TimeUnit.MINUTES);
      JsonObject info = Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject()).await(10, TimeUnit.SECONDS);
      DedupePolicy policy = new DedupePolicy(DedupeThresholds.of(info.getString("model"), cfg),
          info.getBoolean("multilingual"));

      Map<String, Map<Action, Integer>> table = new TreeMap<>();
      Map<String, double[]> denseRange = new TreeMap<>();
      List<String> wrong = new ArrayList<>();
      int contradictions = 0;
      int superseded = 0;
      for (Pair p : pairs) {
        JsonArray vs = Bus.request(vertx, Addresses.EMBED, new JsonObject()
            .put("texts", new JsonArray().add(p.a()).add(p.b())).put("kind", "passage"))
            .await(30, TimeUnit.SECONDS).getJsonArray("vectors");
        double dense = Vectors.dot(Vectors.fromBuffer(vs.getBuffer(0)), Vectors.fromBuffer(vs.getBuffer(1)));
        Action act = policy.decide(p.b(), List.of(new DedupePolicy.Neighbour("a", p.a(), dense))).action();
        String key = p.label() + "/" + p.lang();
        table.computeIfAbsent(key, k -> new EnumMap<>(Action.class)).merge(act, 1, Integer::sum);
        double[] range = denseRange.computeIfAbsent(key, k -> new double[] {1, -1});
        range[0] = Math.min(range[0], dense);
        range[1] = Math.max(range[1], dense);
        boolean merges = act == Action.MERGE || act == Action.UPDATE;
        boolean shouldMerge = p.label().equals("duplicate") || p.label().equals("elaboration");
        if (merges != shouldMerge || act == Action.SUPERSEDE && p.label().equals("unrelated")) {
          wrong.add(String.format("%s %.3f %s: %s | %s", act, dense, key, p.a(), p.b()));
        }
        if (p.label().equals("contradiction")) {
          contradictions++;
          superseded += act == Action.SUPERSEDE ? 1 : 0;
        }
      }
      StringBuilder report = new StringBuilder("\ndedupe calibration, model " + info.getString("model")
          + " thresholds " + policy.thresholds() + "\n");
      table.forEach((k, v) -> report.append(String.format("  %-20s dense %.3f..%.3f  %s%n", k,
          denseRange.get(k)[0], denseRange.get(k)[1], v)));
      report.append("  contradictions superseded: ").append(superseded).append('/').append(contradictions).append('\n');
      wrong.forEach(w -> report.append("  WRONG ").append(w).append('\n'));
      System.out.println(report);

      assertThat(wrong).as(report.toString()).isEmpty();
      assertThat(superseded).as(report.toString()).isGreaterThanOrEqualTo((int) Math.ceil(contradictions * 2 / 3.0));
      for (String label : Set.of("unrelated/en", "unrelated/ja")) {
        assertThat(table.get(label).getOrDefault(Action.SUPERSEDE, 0)).isZero();
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
