package dev.memorymcp.search;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.bus.text.Scripts;
import dev.memorymcp.bus.text.TimeCues;
import dev.memorymcp.search.internal.Fusion;
import dev.memorymcp.search.internal.Reranker;
import dev.memorymcp.search.internal.SessionContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Hybrid recall: the query embedding and the keyword list start together, the vector list follows
 * the embedding, then fusion, filters (applied in the store), the built-in reranker and MMR. ACCESS
 * events are sent after the reply, never on its path.
 */
public class SearchVerticle extends VerticleBase {
  public static final Set<String> SEARCH_TYPES = Set.of("hybrid", "semantic", "keyword");
  static final Set<String> FIELDS = Set.of("namespace", "query", "limit", "search_type", "filters",
      "include_relations", "session_id", "record_access", "principal", "actor", "as_of");
  static final int MAX_LIMIT = 100;
  static final int MAX_QUERY = 4_000;

  private Fusion.Method method;
  private double denseWeight;
  private double denseWeightUncovered;
  private int rrfK;
  private int candidates;
  private boolean stopWords;
  private KeywordQuery.Japanese japanese;
  private boolean multilingual;
  private Reranker reranker;
  private double sessionContext;
  private double timeBoost;
  private double expand;
  private String crossEncoder;
  private int crossEncoderTop;
  private int expandTop;
  private int sessionWindow;

  /** The warm-up stops after this long whatever its count (a slow machine still gets warm). */
  static final long WARMUP_MAX_MS = 60_000;
  private SearchWarmUp warmUp;

  /** The model of the store's vectors as last heard from storage (null: the configured one). */
  private volatile String servingModel;

  @Override
  public Future<?> start() {
    // a model switch is announced, so the next query is not first embedded with the old model
    vertx.eventBus().<JsonObject>consumer(Addresses.STORE_MODEL_SWITCHED, m -> servingModel = m.body().getString("to"));
    JsonObject cfg = config();
    method = "rrf".equalsIgnoreCase(cfg.getString("search.fusion", "weighted")) ? Fusion.Method.RRF : Fusion.Method.WEIGHTED;
    denseWeight = cfg.getDouble("search.dense_weight", 0.5);
    denseWeightUncovered = cfg.getDouble("search.dense_weight_uncovered", 0.1);
    rrfK = cfg.getInteger("search.rrf_k", 10);
    candidates = cfg.getInteger("search.candidates", 50);
    stopWords = cfg.getBoolean("search.stop_words", true);
    japanese = KeywordQuery.Japanese.parse("search.japanese", cfg.getString("search.japanese", "both"));
    sessionContext = cfg.getDouble("search.session_context", 0.5);
    sessionWindow = cfg.getInteger("search.session_window", 2);
    timeBoost = cfg.getDouble("search.time_boost", 1.0);
    expand = cfg.getDouble("search.expand", 0.0);
    expandTop = cfg.getInteger("search.expand_top", 5);
    crossEncoderTop = cfg.getInteger("reranker.top", 30);
    reranker = new Reranker(cfg.getDouble("search.recency_half_life_days", 180.0),
        cfg.getDouble("search.mmr_lambda", 0.9), cfg.getDouble("search.duplicate_cosine", 0.97));
    return embedInfo(120)
        .onSuccess(info -> {
          multilingual = info.getBoolean("multilingual", false);
          crossEncoder = info.getString("reranker"); // null: the built-in reranker only
        })
        .compose(info -> Bus.register(vertx, Addresses.SEARCH, this::search))
        .compose(v -> {
          warmUp = new SearchWarmUp(vertx, this::search, cfg.getInteger("search.warmup_queries", 1_500),
              cfg.getLong("search.warmup_min_memories", 10_000L), WARMUP_MAX_MS);
          warmUp.start();
          return Bus.register(vertx, Addresses.SEARCH_STATUS, b -> Future.succeededFuture(
              new JsonObject().put("warmup", warmUp.status())));
        });
  }

  /** The model info, waiting up to a minute for an embedding member (clustered start order is free). */
  private Future<JsonObject> embedInfo(int attempts) {
    return Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject(), 5_000).recover(err ->
        attempts > 1 && MemoryException.from(err).code() == ErrorCode.UNAVAILABLE
            ? vertx.timer(500, TimeUnit.MILLISECONDS).compose(v -> embedInfo(attempts - 1))
            : Future.failedFuture(err));
  }

  private Future<JsonObject> search(JsonObject body) {
    long t0 = System.nanoTime();
    Fields.rejectUnknown(body, FIELDS);
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    String query = Fields.requireString(body, "query", MAX_QUERY);
    Integer lim = Fields.optInt(body, "limit", 1, MAX_LIMIT);
    int limit = lim == null ? 10 : lim;
    String type = Fields.optEnum(body, "search_type", SEARCH_TYPES);
    String searchType = type == null ? "hybrid" : type;
    Filters filters = Filters.parse(Fields.optObject(body, "filters"), "filters");
    boolean withRelations = Boolean.TRUE.equals(Fields.optBool(body, "include_relations"));

    Long asOf = Fields.optInstant(body, "as_of"); // when the question is asked (default: now)
    TimeCues.Window when = timeBoost > 0 ? TimeCues.find(query, asOf == null ? System.currentTimeMillis() : asOf) : null;
    // "last week" is a time to look in, not words to match
    KeywordQuery keywords = KeywordQuery.of(TimeCues.without(query, when), stopWords, japanese);
    // storage narrows every lookup to the scope ids the caller may see
    JsonObject principal = Fields.optObject(body, "principal");
    JsonObject f = filters.toJson();
    JsonObject timings = new JsonObject();
    int[] keywordMatches = {0};
    Future<List<Fusion.Hit>> keyword = searchType.equals("semantic") || keywords.isEmpty()
        ? Future.succeededFuture(List.of())
        : hits(Addresses.STORE_KEYWORD_CANDIDATES, new JsonObject().put("namespace", ns)
            .put("terms", new JsonArray(keywords.terms())).put("words", new JsonArray(keywords.words()))
            .put("k", candidates).put("filters", f).put("principal", principal))
            .onSuccess(h -> keywordMatches[0] = h.size())
            .compose(h -> sessionContext > 0 && !h.isEmpty() ? withSessionContext(ns, h, f, principal) : Future.succeededFuture(h))
            .onSuccess(h -> timings.put("keyword_ms", ms(t0)));
    Future<List<Fusion.Hit>> dense = searchType.equals("keyword")
        ? Future.succeededFuture(List.of())
        : denseHits(query, new JsonObject().put("namespace", ns).put("k", candidates).put("filters", f)
                .put("principal", principal), timings, t0, true)
            .onSuccess(h -> timings.put("vector_ms", ms(t0)));
    boolean covered = multilingual || !Scripts.mostlyCjk(query); // whether the model reads the query's script
    double w = switch (searchType) {
      case "semantic" -> 1.0;
      case "keyword" -> 0.0;
      default -> covered ? denseWeight : denseWeightUncovered;
    };
    return Future.all(dense, keyword)
        .map(cf -> Fusion.fuse(dense.result(), keyword.result(), method, w, rrfK))
        .compose(fused -> expand > 0 ? expanded(ns, principal, f, fused) : Future.succeededFuture(fused))
        .compose(fused -> rank(ns, principal, query, fused, limit, when, expand > 0 ? filters : null, timings, t0))
        .compose(ranked -> withRelations ? attachRelations(ns, principal, ranked) : Future.succeededFuture(ranked))
        .map(results -> {
          if (!Boolean.FALSE.equals(body.getValue("record_access"))) { // internal lookups (ingest) are not accesses
            recordAccess(ns, results, body.getString("session_id"));
          }
          JsonObject reply = new JsonObject().put("results", results).put("search_type", searchType)
              .put("took_ms", ms(t0)).put("timings", timings);
          SearchMetrics.record(searchType, System.nanoTime() - t0, timings);
          if (!dense.result().isEmpty()) { // the best raw cosine: an absolute relevance signal (the recall gate's)
            double mean = dense.result().stream().mapToDouble(Fusion.Hit::score).average().orElse(0);
            double top = dense.result().get(0).score();
            reply.put("signals", new JsonObject().put("dense_top", Math.round(top * 10000) / 10000.0)
                // how far the best match stands out from the other candidates: flat for "Hello!", whatever the model's scale
                .put("dense_margin", Math.round((top - mean) * 10000) / 10000.0)
                // false: the model does not cover the query's script (Japanese on an English model), the cosine says little
                .put("dense_covered", covered)
                .put("keyword_matches", keywordMatches[0])); // memories matching a query word, before session context
          }
          if (when != null) { // what the query was read as, so a surprising ranking can be explained
            reply.put("time_cue", new JsonObject().put("cue", when.cue()).put("from", Fields.iso(when.from()))
                .put("to", Fields.iso(when.to())));
          }
          return reply;
        });
  }

  /**
   * Session context (issue 14): a turn of a conversation often leaves out the words its neighbours
   * said ("How did the dentist go?" / "She said I need a crown"). Each keyword hit lends
   * {@code search.session_context} × its score to the memories at most {@code search.session_window}
   * places from it in its session, which may bring in turns that match nothing themselves. The dense
   * list stays on each memory alone.
   */
  private Future<List<Fusion.Hit>> withSessionContext(String ns, List<Fusion.Hit> hits, JsonObject filters,
      JsonObject principal) {
    JsonArray ids = new JsonArray();
    hits.forEach(h -> ids.add(h.id()));
    return Bus.request(vertx, Addresses.STORE_SESSION_NEIGHBOURS, new JsonObject().put("namespace", ns)
        .put("ids", ids).put("window", sessionWindow).put("filters", filters).put("principal", principal))
        .map(r -> SessionContext.spread(hits, r.getJsonObject("neighbours"), sessionContext));
  }

  /**
   * Multi-hop expansion (a bounded second pass): the {@code search.expand_top} best fused candidates
   * bring in their session neighbours (one place either side) and the memories they are related to,
   * each at {@code search.expand} × the bringer's score unless it already scores higher.
   */
  private Future<LinkedHashMap<String, Double>> expanded(String ns, JsonObject principal, JsonObject filters,
      LinkedHashMap<String, Double> fused) {
    if (fused.isEmpty()) {
      return Future.succeededFuture(fused);
    }
    List<String> top = fused.keySet().stream().limit(expandTop).toList();
    Future<JsonObject> near = Bus.request(vertx, Addresses.STORE_SESSION_NEIGHBOURS, new JsonObject().put("namespace", ns)
        .put("ids", new JsonArray(top)).put("window", 1).put("filters", filters).put("principal", principal));
    Future<JsonObject> related = Bus.request(vertx, Addresses.STORE_RELATIONS, new JsonObject().put("namespace", ns)
        .put("ids", new JsonArray(top)).put("principal", principal));
    return Future.all(near, related).map(cf -> {
      Map<String, Double> out = new java.util.HashMap<>(fused);
      JsonObject neighbours = near.result().getJsonObject("neighbours", new JsonObject());
      for (String id : top) {
        double lent = expand * fused.get(id);
        for (Object n : neighbours.getJsonArray(id, new JsonArray())) {
          out.merge(String.valueOf(n), lent, Math::max);
        }
      }
      for (Object o : related.result().getJsonArray("relations", new JsonArray())) {
        JsonObject r = (JsonObject) o;
        String from = r.getString("source_id");
        String to = r.getString("target_id");
        if (fused.containsKey(from) && top.contains(from)) {
          out.merge(to, expand * fused.get(from), Math::max);
        }
        if (fused.containsKey(to) && top.contains(to)) {
          out.merge(from, expand * fused.get(to), Math::max);
        }
      }
      return Fusion.bestFirst(out);
    });
  }

  /** Milliseconds since {@code t0}, two decimals. */
  private static double ms(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
  }

  /**
   * The vector candidates of the query, embedded with the model whose vectors the store serves. That is
   * the configured model except while an online rebuild switches models: the store then refuses a
   * vector of another model (MODEL_SWITCHED, naming its model), and the query is embedded again with it.
   */
  private Future<List<Fusion.Hit>> denseHits(String query, JsonObject req, JsonObject timings, long t0, boolean retry) {
    String model = servingModel;
    return Bus.request(vertx, Addresses.EMBED, new JsonObject().put("texts", new JsonArray().add(query))
            .put("kind", "query").put("model", model))
        .onSuccess(v -> timings.put("embed_ms", ms(t0)))
        .compose(r -> hits(Addresses.STORE_VECTOR_CANDIDATES, req.copy()
            .put("vector", r.getJsonArray("vectors").getBuffer(0)).put("model", r.getString("model"))))
        .recover(err -> {
          MemoryException e = MemoryException.from(err);
          if (!retry || !"MODEL_SWITCHED".equals(e.error()) || e.details() == null) {
            return Future.failedFuture(err);
          }
          servingModel = e.details().getString("model");
          return denseHits(query, req, timings, t0, false);
        });
  }

  private Future<List<Fusion.Hit>> hits(String address, JsonObject req) {
    return Bus.request(vertx, address, req).map(r -> {
      List<Fusion.Hit> out = new ArrayList<>();
      for (Object o : r.getJsonArray("candidates")) {
        JsonObject c = (JsonObject) o;
        out.add(new Fusion.Hit(c.getString("id"), c.getDouble("score")));
      }
      return out;
    });
  }

  /**
   * Loads the best fused candidates with their vectors and reranks them; with a time cue, those said
   * inside its window get {@code search.time_boost} more (from twice as many candidates). {@code recheck}:
   * the filters again, for candidates the expansion brought in.
   */
  private Future<JsonArray> rank(String ns, JsonObject principal, String query, LinkedHashMap<String, Double> fused,
      int limit, TimeCues.Window when, Filters recheck, JsonObject timings, long t0) {
    if (fused.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    List<String> ids = fused.keySet().stream().limit(Math.max(limit * 3L, 30) * (when == null ? 1 : 2)).toList();
    return Bus.request(vertx, Addresses.STORE_GET_MANY, new JsonObject().put("namespace", ns)
        .put("ids", new JsonArray(ids)).put("with_vectors", true).put("principal", principal)).compose(r -> {
          timings.put("load_ms", ms(t0));
          List<Reranker.Candidate> cands = new ArrayList<>();
          for (Object o : r.getJsonArray("memories")) {
            JsonObject j = (JsonObject) o;
            Buffer v = j.getBuffer("vector");
            Memory m = Memory.fromJson(j);
            if (recheck != null && !recheck.test(m, System.currentTimeMillis())) {
              continue; // brought in by a relation: it must still pass the request's filters
            }
            double score = fused.get(m.id()) * (when != null && when.contains(m.createdAt()) ? 1 + timeBoost : 1);
            cands.add(new Reranker.Candidate(m, score, v == null ? null : Vectors.fromBuffer(v)));
          }
          return crossEncoder == null || cands.isEmpty() ? Future.succeededFuture(cands)
              : crossEncoded(query, cands).onSuccess(c -> timings.put("cross_encoder_ms", ms(t0)));
        }).map(cands -> {
          JsonArray out = new JsonArray();
          for (Reranker.Ranked rk : reranker.rank(cands, limit, System.currentTimeMillis())) {
            out.add(rk.memory().toJson().put("score", Math.round(rk.score() * 10000) / 10000.0));
          }
          return out;
        });
  }

  /**
   * With a cross-encoder configured (reranker.model): the {@code reranker.top} best candidates get its
   * score of (query, content), 0..1, lifted by 2 so that they stay above the rest (fused scores are at
   * most 2); importance, recency, access and MMR then apply as always.
   */
  private Future<List<Reranker.Candidate>> crossEncoded(String query, List<Reranker.Candidate> cands) {
    List<Reranker.Candidate> sorted = new ArrayList<>(cands);
    sorted.sort((a, b) -> Double.compare(b.relevance(), a.relevance()));
    List<Reranker.Candidate> top = sorted.subList(0, Math.min(crossEncoderTop, sorted.size()));
    JsonArray texts = new JsonArray();
    top.forEach(c -> texts.add(c.memory().content().length() <= 2_000 ? c.memory().content()
        : c.memory().content().substring(0, 2_000)));
    return Bus.request(vertx, Addresses.EMBED_RERANK, new JsonObject().put("query", query).put("texts", texts))
        .map(r -> {
          JsonArray scores = r.getJsonArray("scores");
          List<Reranker.Candidate> out = new ArrayList<>();
          for (int i = 0; i < sorted.size(); i++) {
            Reranker.Candidate c = sorted.get(i);
            out.add(i < top.size() ? new Reranker.Candidate(c.memory(), 2 + scores.getDouble(i), c.vector()) : c);
          }
          return out;
        });
  }

  private Future<JsonArray> attachRelations(String ns, JsonObject principal, JsonArray results) {
    List<String> ids = results.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    return Bus.request(vertx, Addresses.STORE_RELATIONS, new JsonObject().put("namespace", ns)
        .put("ids", new JsonArray(ids)).put("principal", principal)).map(r -> {
          Map<String, JsonArray> byId = new LinkedHashMap<>();
          for (Object o : r.getJsonArray("relations")) {
            JsonObject rel = (JsonObject) o;
            byId.computeIfAbsent(rel.getString("source_id"), k -> new JsonArray()).add(rel);
            if (!rel.getString("target_id").equals(rel.getString("source_id"))) {
              byId.computeIfAbsent(rel.getString("target_id"), k -> new JsonArray()).add(rel);
            }
          }
          results.forEach(o -> ((JsonObject) o).put("relations",
              byId.getOrDefault(((JsonObject) o).getString("id"), new JsonArray())));
          return results;
        });
  }

  /** Fire-and-forget: a failure here is logged by the store and never fails a recall. */
  private void recordAccess(String ns, JsonArray results, String sessionId) {
    if (results.isEmpty()) {
      return;
    }
    List<String> ids = results.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    vertx.eventBus().send(Addresses.STORE_ACCESS, new JsonObject().put("namespace", ns)
        .put("ids", new JsonArray(ids)).put("session_id", sessionId));
  }

}
