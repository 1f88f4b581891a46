package dev.memorymcp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The recall gate ({@code POST /api/v1/chat/context}): loads a dataset's memories, optionally fills
 * the first namespace with generated memories up to a size, then asks the gate each dataset query
 * (memory needed: they are about what the user said) and each message of a negatives file in every
 * namespace (general questions: not needed). Reports how often each side is judged needed, precision,
 * F1, latency, and the same at other cosine thresholds (recomputed from the reply's signals), so the
 * default threshold is chosen by measurement.
 */
final class GateScenario {
  static final double[] THRESHOLDS = {0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.12};
  static final double[] PERSONAL_THRESHOLDS = {0.02, 0.03, 0.04, 0.05, 0.06, 0.08};

  private final Http http;
  private final String run;

  GateScenario(Http http, String run) {
    this.http = http;
    this.run = run;
  }

  /** One gate answer: whether memory came back, and the signals to recompute it at other thresholds. */
  record Answer(String message, boolean positive, boolean needed, String cue, String cueKind, boolean found,
      double denseTop, double margin, boolean covered, int keywordMatches) {

    /** The gate's rule at other thresholds (RecallGate#decide). */
    boolean neededAt(double min, double personalMin) {
      if (!found) {
        return false;
      }
      if ("recall".equals(cueKind)) {
        return true;
      }
      boolean personal = "personal".equals(cueKind);
      return keywordMatches > 0 && (covered ? margin >= (personal ? personalMin : min) : personal);
    }
  }

  JsonObject run(Path dataset, Path negativesFile, int fill) throws IOException, InterruptedException {
    List<JsonObject> memories = QualityScenario.jsonl(dataset.resolve("memories.jsonl"));
    List<JsonObject> queries = QualityScenario.jsonl(dataset.resolve("queries.jsonl"));
    List<JsonObject> negatives = QualityScenario.jsonl(negativesFile);
    QualityScenario.load(http, memories, this::persona, false);
    List<String> namespaces = memories.stream().map(m -> m.getString("namespace")).distinct().toList();
    if (fill > 0) { // latency at size: generated memories beside the first namespace's chats
      Corpus corpus = new Corpus(7);
      int have = (int) memories.stream().filter(m -> m.getString("namespace").equals(namespaces.get(0))).count();
      for (int n = have; n < fill; n += QualityScenario.BATCH) {
        JsonArray batch = new JsonArray();
        for (int i = n; i < Math.min(fill, n + QualityScenario.BATCH); i++) {
          batch.add(new JsonObject().put("content", corpus.memory(i)));
        }
        http.post("/api/v1/memories:batch", persona(namespaces.get(0)),
            new JsonObject().put("memories", batch).put("dedupe", false), 201);
      }
    }
    System.out.printf("%n== recall gate: %s (%d questions) and %s (%d messages × %d namespaces), first namespace"
        + " filled to %d ==%n", dataset, queries.size(), negativesFile, negatives.size(), namespaces.size(), fill);

    List<Answer> answers = new ArrayList<>();
    List<Double> ms = new ArrayList<>();
    List<Double> msFilled = new ArrayList<>();
    // gate against plain search on the filled namespace's questions, each side timed only when it asks first:
    // the service caches query embeddings, so whichever asks second would be faster for that alone
    List<Double> gateFirst = new ArrayList<>();
    List<Double> searchFirst = new ArrayList<>();
    for (JsonObject q : queries) {
      JsonObject body = new JsonObject().put("message", q.getString("query"));
      if (q.getString("asked_at") != null) {
        body.put("as_of", q.getString("asked_at"));
      }
      boolean filled = q.getString("namespace").equals(namespaces.get(0));
      boolean gateAsksFirst = answers.size() % 2 == 0; // alternate questions
      if (filled && !gateAsksFirst) {
        searchFirst.add(search(namespaces.get(0), q.getString("query")));
      }
      int before = msFilled.size();
      answers.add(ask(q.getString("namespace"), body, true, filled ? msFilled : ms));
      if (filled && gateAsksFirst) {
        gateFirst.add(msFilled.get(before));
        search(namespaces.get(0), q.getString("query"));
      }
    }
    for (String ns : namespaces) {
      for (JsonObject n : negatives) {
        answers.add(ask(ns, new JsonObject().put("message", n.getString("message")), false,
            ns.equals(namespaces.get(0)) ? msFilled : ms));
      }
    }
    JsonObject configured = score(answers, a -> a.needed());
    JsonObject sweep = new JsonObject(); // "min/personal_min" -> scores
    String best = null;
    double bestF1 = -1;
    for (double t : THRESHOLDS) {
      for (double p : PERSONAL_THRESHOLDS) {
        JsonObject s = score(answers, a -> a.neededAt(t, p));
        String key = String.format("%.2f/%.2f", t, p);
        sweep.put(key, s);
        if (s.getDouble("f1") > bestF1) {
          bestF1 = s.getDouble("f1");
          best = key;
        }
      }
    }
    JsonObject cueOnly = score(answers, a -> a.found() && "recall".equals(a.cueKind()));
    System.out.printf("configured: %s%nrecall cues only: %s%nbest F1 at min_margin/personal_min_margin %s: %s%n", configured.encode(),
        cueOnly.encode(), best, sweep.getJsonObject(best).encode());
    for (double t : THRESHOLDS) {
      System.out.printf("  margin %.2f:", t);
      for (double p : PERSONAL_THRESHOLDS) {
        JsonObject s = sweep.getJsonObject(String.format("%.2f/%.2f", t, p));
        System.out.printf("  p%.2f F1 %.3f (R %.2f FA %.2f)", p, s.getDouble("f1"), s.getDouble("recall"),
            s.getDouble("false_alarm_rate"));
      }
      System.out.println();
    }
    JsonArray missed = new JsonArray();
    JsonArray falseAlarms = new JsonArray();
    for (Answer a : answers) { // examples, to see what the gate gets wrong
      JsonArray into = a.positive() && !a.needed() ? missed : !a.positive() && a.needed() ? falseAlarms : null;
      if (into != null && into.size() < 12) {
        into.add(a.message() + " [cue " + a.cue() + ", cosine " + a.denseTop() + ", margin " + a.margin() + "]");
      }
    }
    System.out.println("missed: " + missed.encodePrettily() + "\nfalse alarms: " + falseAlarms.encodePrettily());
    JsonObject latency = new JsonObject().put("filled_namespace", Stats.summary(msFilled)).put("others", Stats.summary(ms))
        .put("gate_asking_first", Stats.summary(gateFirst)).put("search_asking_first", Stats.summary(searchFirst));
    System.out.println("gate latency (sequential, ms, client side): " + latency.encode());
    return new JsonObject().put("dataset", dataset.toString()).put("negatives", negativesFile.toString())
        .put("fill", fill).put("configured", configured).put("missed_examples", missed).put("false_alarm_examples", falseAlarms).put("recall_cues_only", cueOnly).put("best", best).put("thresholds", sweep)
        .put("latency_ms", latency);
  }

  /** A plain hybrid search, timed. */
  private double search(String namespace, String query) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    http.post("/api/v1/search", persona(namespace), new JsonObject().put("query", query).put("limit", 10)
        .put("record_access", false), 200);
    return (System.nanoTime() - t0) / 1e6;
  }

  private Answer ask(String namespace, JsonObject body, boolean positive, List<Double> ms)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    JsonObject r = http.post("/api/v1/chat/context", persona(namespace), body, 200);
    ms.add((System.nanoTime() - t0) / 1e6);
    JsonObject signals = r.getJsonObject("signals", new JsonObject());
    boolean found = !"nothing relevant is stored".equals(r.getString("reason"));
    return new Answer(body.getString("message"), positive, r.getBoolean("needed"), signals.getString("cue"),
        signals.getString("cue_kind"), found, signals.getDouble("dense_top", 0.0), signals.getDouble("dense_margin", 0.0),
        signals.getBoolean("dense_covered", true), signals.getInteger("keyword_matches", 0));
  }

  /** Needed rate on positives (recall) and negatives (false alarms), precision and F1. */
  static JsonObject score(List<Answer> answers, java.util.function.Predicate<Answer> needed) {
    int tp = 0;
    int fp = 0;
    int pos = 0;
    int neg = 0;
    for (Answer a : answers) {
      boolean n = needed.test(a);
      if (a.positive()) {
        pos++;
        tp += n ? 1 : 0;
      } else {
        neg++;
        fp += n ? 1 : 0;
      }
    }
    double recall = pos == 0 ? 0 : (double) tp / pos;
    double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new JsonObject().put("recall", r3(recall)).put("false_alarm_rate", r3(neg == 0 ? 0 : (double) fp / neg))
        .put("precision", r3(precision)).put("f1", r3(f1)).put("positives", pos).put("negatives", neg);
  }

  private static double r3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  String persona(String namespace) {
    return namespace + "-gate-" + run;
  }
}
