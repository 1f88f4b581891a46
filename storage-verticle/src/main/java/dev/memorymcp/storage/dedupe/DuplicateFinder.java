package dev.memorymcp.storage.dedupe;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.dedupe.DedupePolicy.Decision;
import dev.memorymcp.storage.dedupe.DedupePolicy.Neighbour;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Pairs of stored memories that look like duplicates, each with what the write path's dedupe would
 * decide for them (merge, update, supersede, relate, create) and why. A pair is the newer memory and
 * one of its nearest neighbours in the same namespace: dense cosine at or above the threshold, or,
 * for text in a script the model does not cover (where cosine means little), trigram overlap at or
 * above {@link #LEXICAL_UNCOVERED}. Reads only; nothing is changed.
 */
public final class DuplicateFinder {
  /** Neighbours looked at per memory. */
  static final int NEIGHBOURS = 6;
  /** Trigram overlap that makes a pair when the model does not read the script. */
  public static final double LEXICAL_UNCOVERED = 0.8;
  static final int PAGE = 200;

  private final MemoryStore store;
  private final Supplier<DedupePolicy> policy;

  public DuplicateFinder(MemoryStore store, Supplier<DedupePolicy> policy) {
    this.store = store;
    this.policy = policy;
  }

  public static final double DEFAULT_THRESHOLD = 0.9;
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;
  public static final int DEFAULT_SCAN = 2000;
  public static final int MAX_SCAN = 20_000;

  /** {namespace, threshold?, limit?, max_scan?, scope_id?, principal} → {pairs, scanned, truncated, threshold}. */
  public Future<JsonObject> answer(JsonObject body) {
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    Double t = Fields.optUnit(body, "threshold");
    Integer limit = Fields.optInt(body, "limit", 1, MAX_LIMIT);
    Integer scan = Fields.optInt(body, "max_scan", 1, MAX_SCAN);
    String scopeId = Fields.optString(body, "scope_id", MemoryInput.MAX_SHORT);
    Filters f = Principal.of(body).restrict(Filters.parse(scopeId == null ? null : new JsonObject().put("scope_id", scopeId), "filters"));
    double threshold = t == null ? DEFAULT_THRESHOLD : t;
    return find(ns, f, threshold, limit == null ? DEFAULT_LIMIT : limit, scan == null ? DEFAULT_SCAN : scan)
        .map(found -> found.toJson().put("threshold", threshold));
  }

  /** The result of one search. */
  public record Found(List<JsonObject> pairs, int scanned, boolean truncated) {
    public JsonObject toJson() {
      return new JsonObject().put("pairs", new JsonArray(new ArrayList<>(pairs))).put("scanned", scanned)
          .put("truncated", truncated);
    }
  }

  /**
   * Looks at up to {@code maxScan} memories (newest first) matching {@code filters}; returns at most
   * {@code limit} pairs, closest first.
   */
  public Future<Found> find(String ns, Filters filters, double threshold, int limit, int maxScan) {
    List<JsonObject> pairs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int[] scanned = {0};
    return store.eachPage(ns, filters, PAGE, maxScan, ms -> store.vectors(ns, ms.stream().map(Memory::id).toList())
        .compose(vectors -> neighbours(ns, filters, ms, vectors, threshold, pairs, seen))
        .onSuccess(v -> scanned[0] += ms.size())).map(truncated -> {
      pairs.sort(Comparator.comparingDouble((JsonObject p) -> p.getDouble("score")).reversed());
      return new Found(pairs.size() > limit ? pairs.subList(0, limit) : pairs, scanned[0],
          truncated || pairs.size() > limit);
    });
  }

  private Future<Void> neighbours(String ns, Filters f, List<Memory> ms, Map<String, float[]> vectors, double threshold,
      List<JsonObject> pairs, Set<String> seen) {
    Future<Void> chain = Future.succeededFuture();
    for (Memory m : ms) {
      float[] v = vectors.get(m.id());
      if (v == null) {
        continue;
      }
      chain = chain.compose(x -> store.vectorSearch(ns, v, NEIGHBOURS, f).compose(near -> {
        Map<String, Double> score = new HashMap<>();
        near.stream().filter(s -> !s.id().equals(m.id())).forEach(s -> score.put(s.id(), s.score()));
        return score.isEmpty() ? Future.succeededFuture()
            : store.getMany(ns, new ArrayList<>(score.keySet())).map(others -> {
              for (Memory o : others) {
                String key = m.id().compareTo(o.id()) < 0 ? m.id() + "|" + o.id() : o.id() + "|" + m.id();
                if (!seen.contains(key)) {
                  JsonObject pair = pair(m, o, score.get(o.id()), threshold);
                  if (pair != null) {
                    seen.add(key);
                    pairs.add(pair);
                  }
                }
              }
              return null;
            });
      }));
    }
    return chain;
  }

  /** The pair as the newer memory against the older, with the dedupe verdict; null when not close enough. */
  private JsonObject pair(Memory a, Memory b, double dense, double threshold) {
    Memory newer = a.createdAt() >= b.createdAt() ? a : b;
    Memory older = newer == a ? b : a;
    DedupePolicy p = policy.get();
    boolean covered = p.covered(newer.content()) && p.covered(older.content());
    double lexical = Lexical.similarity(newer.content(), older.content());
    if (covered ? dense < threshold : lexical < LEXICAL_UNCOVERED) {
      return null;
    }
    Decision d = p.decide(newer.content(), List.of(new Neighbour(older.id(), older.content(), dense)));
    return new JsonObject().put("newer", brief(newer)).put("older", brief(older))
        .put("dense", round(dense)).put("lexical", round(lexical)).put("score", round(covered ? dense : lexical))
        .put("dense_trusted", covered).put("verdict", d.action().name().toLowerCase()).put("reason", d.reason());
  }

  private static JsonObject brief(Memory m) {
    return new JsonObject().put("id", m.id()).put("content", m.content()).put("type", m.type())
        .put("scope_id", m.scopeId()).put("created_at", Fields.iso(m.createdAt()));
  }

  private static double round(double d) {
    return Math.round(d * 10000.0) / 10000.0;
  }
}
