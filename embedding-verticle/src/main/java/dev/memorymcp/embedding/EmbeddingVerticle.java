package dev.memorymcp.embedding;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.embedding.internal.BackgroundLane;
import dev.memorymcp.embedding.internal.CrossEncoder;
import dev.memorymcp.embedding.internal.EmbedRequest;
import dev.memorymcp.embedding.internal.Embedder;
import dev.memorymcp.embedding.internal.EmbeddingOptions;
import dev.memorymcp.embedding.internal.LruCache;
import dev.memorymcp.embedding.internal.MicroBatcher;
import dev.memorymcp.embedding.hub.HubDownloader;
import dev.memorymcp.embedding.hub.ModelCard;
import dev.memorymcp.embedding.hub.ModelCards;
import dev.memorymcp.embedding.internal.ModelFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link Addresses#EMBED} and {@link Addresses#EMBED_INFO} with one ONNX embedding model.
 * Deploy it with {@code ThreadingModel.WORKER}: {@code start()} blocks while the model loads and
 * each model call blocks its instance. Every instance loads its own copy of the model. The config
 * is the flat settings object ({@code dev.memorymcp.bus.Settings}).
 */
public final class EmbeddingVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingVerticle.class);
  /** Most texts accepted in one embed request. */
  public static final int MAX_TEXTS = 256;
  /** Texts longer than this are embedded but not cached, to bound the cache's memory. */
  static final int MAX_CACHED_CHARS = 2048;

  private final AtomicLong requests = new AtomicLong();
  private EmbeddingOptions options;
  /** The configured model. */
  private LoadedModel primary;
  /**
   * Models asked for by name besides the configured one (the model a store was filled with, serving
   * queries while a rebuild re-embeds with the configured one); loaded on first use, kept until stop.
   */
  private final java.util.Map<String, LoadedModel> others = new java.util.HashMap<>();
  private CrossEncoder reranker;
  /** The configured model's background lane (ingest extraction, online rebuild). */
  private BackgroundLane background;

  /** One loaded model with its cache and batcher. */
  private record LoadedModel(ModelSpec spec, Embedder embedder, LruCache<String, float[]> cache, MicroBatcher batcher) {
    void close() {
      batcher.close();
      embedder.close();
    }
  }
  /** Most (query, text) pairs one rerank request may score. */
  public static final int MAX_RERANK = 64;
  /** How long a model the store switched away from stays loaded for requests still queued on it. */
  static final long RELEASE_GRACE_MS = 30_000;

  /** Loads the model (extracting it first if needed), then registers the consumers. */
  @Override
  public Future<?> start() throws Exception {
    pullIfAsked(config(), ModelCards.find(config().getString("embedding.model", "")));
    ModelSpec declared = ModelSpec.fromSettings(config());
    options = EmbeddingOptions.fromSettings(config(), declared);
    primary = load(declared);
    background = new BackgroundLane(context, () -> Embedder.load(ModelFiles.materialize(declared, options.dataDir()),
        declared.pooling(), options.maxTokens(), 1, options.maxBatch(), options.tensorBatching()),
        options.backgroundNice(), options.maxBatch(), options.tensorBatching() ? options.windowMs() : 0);
    reranker = loadReranker(config());
    vertx.eventBus().<JsonObject>consumer(Addresses.STORE_MODEL_SWITCHED, m -> release(m.body().getString("from")));
    return Future.all(Bus.register(vertx, Addresses.EMBED, this::embed),
            Bus.register(vertx, Addresses.EMBED_INFO, body -> Future.succeededFuture(info(body))),
            Bus.register(vertx, Addresses.EMBED_RERANK, this::rerank))
        .onFailure(err -> stop());
  }

  /** Fails queued requests and frees the model. */
  @Override
  public Future<?> stop() {
    Future<Void> lane = background == null ? Future.succeededFuture() : background.close();
    background = null;
    if (primary != null) {
      primary.close();
      primary = null;
    }
    others.values().forEach(LoadedModel::close);
    others.clear();
    if (reranker != null) {
      reranker.close();
      reranker = null;
    }
    return lane;
  }

  private LoadedModel load(ModelSpec declared) throws Exception {
    long t0 = System.nanoTime();
    Embedder embedder = Embedder.load(ModelFiles.materialize(declared, options.dataDir()),
        declared.pooling(), options.maxTokens(), options.threads(), options.maxBatch(),
        options.tensorBatching());
    ModelSpec spec = declared.withDimension(embedder.dimension());
    LOG.info("embedding model {} loaded in {} ms (dimension {}, {} threads)", spec.name(),
        (System.nanoTime() - t0) / 1_000_000, spec.dimension(), options.threads());
    // one text per inference gains nothing from waiting for company, so no window then
    MicroBatcher batcher = new MicroBatcher(context, embedder::embed, options.maxBatch(),
        options.tensorBatching() ? options.windowMs() : 0);
    return new LoadedModel(spec, embedder, new LruCache<>(options.cacheSize()), batcher);
  }

  /**
   * The model a request names in {@code model} (its stamped name), the configured one when it names
   * none. Another model is loaded on first use if this machine has it (built in, or pulled from the
   * hub); otherwise UNAVAILABLE naming the field.
   */
  private LoadedModel model(JsonObject body) {
    Object named = body.getValue("model");
    if (named == null || primary.spec().name().equals(named)) {
      return primary;
    }
    if (!(named instanceof String name)) {
      throw dev.memorymcp.bus.MemoryException.invalidField("model", "must be a string");
    }
    LoadedModel other = others.get(name);
    if (other != null) {
      return other;
    }
    ModelSpec spec = ModelSpec.forStampedName(config(), name);
    if (spec == null) {
      throw new dev.memorymcp.bus.MemoryException(dev.memorymcp.bus.ErrorCode.UNAVAILABLE, "MODEL_UNAVAILABLE",
          "model: '" + name + "' is neither a built-in model nor a downloaded hub model on this machine",
          new JsonObject().put("field", "model"));
    }
    try {
      other = load(spec);
    } catch (Exception e) {
      throw new dev.memorymcp.bus.MemoryException(dev.memorymcp.bus.ErrorCode.UNAVAILABLE, "MODEL_UNAVAILABLE",
          "model: '" + name + "' could not be loaded: " + e.getMessage(), new JsonObject().put("field", "model"));
    }
    others.put(name, other);
    return other;
  }

  /**
   * Frees a model nobody serves any more, after a grace period for requests still queued on it
   * (a model asked for again later is loaded again).
   */
  private void release(String name) {
    if (name != null && others.containsKey(name)) {
      vertx.setTimer(RELEASE_GRACE_MS, t -> {
        LoadedModel m = others.remove(name);
        if (m != null) {
          m.close();
          LOG.info("embedding model {} released (the store switched away from it)", name);
        }
      });
    }
  }

  /**
   * With {@code models.auto_pull} (off by default), a hub card (embedding model or reranker; null: none)
   * not yet downloaded is pulled first.
   */
  static void pullIfAsked(JsonObject cfg, ModelCard card) throws Exception {
    java.nio.file.Path models = HubDownloader.modelsDir(cfg);
    if (card != null && cfg.getBoolean("models.auto_pull", false) && !HubDownloader.present(models, card)) {
      LOG.info("pulling {} from {} (models.auto_pull)", card.id(), cfg.getString("models.hub_url", HubDownloader.DEFAULT_ENDPOINT));
      HubDownloader.fromSettings(cfg, System.err) // stdout is the protocol under mcp-stdio
          .pull(card, cfg.getString("models.revision", "main"), models);
    }
  }

  /**
   * The cross-encoder of {@code reranker.model}, or null when it is empty (the built-in reranker only):
   * a known hub name (pulled first with {@code models.auto_pull}) or a directory holding model.onnx and
   * tokenizer.json. Anything else fails the start, naming the setting.
   */
  static CrossEncoder loadReranker(JsonObject cfg) throws Exception {
    String name = cfg.getString("reranker.model", "").strip();
    if (name.isEmpty()) {
      return null;
    }
    java.nio.file.Path models = HubDownloader.modelsDir(cfg);
    ModelCard card = ModelCards.findReranker(name);
    java.nio.file.Path dir;
    if (card != null) {
      pullIfAsked(cfg, card);
      if (!HubDownloader.present(models, card)) {
        throw new IllegalArgumentException("reranker.model: " + card.id() + " is not downloaded; run `memory-server"
            + " models pull " + card.id() + "` (or set MEMORY_MCP_MODELS_AUTO_PULL=true)");
      }
      dir = HubDownloader.directory(models, card);
    } else if (java.nio.file.Files.isDirectory(java.nio.file.Path.of(name))) {
      dir = java.nio.file.Path.of(name);
    } else {
      throw new IllegalArgumentException("reranker.model: '" + name + "' is neither a known reranker ("
          + String.join(", ", ModelCards.rerankers().stream().map(ModelCard::id).toList())
          + ") nor a directory with model.onnx and tokenizer.json");
    }
    long t0 = System.nanoTime();
    CrossEncoder ce = CrossEncoder.load(dir, card != null ? card.id() : dir.getFileName().toString(),
        cfg.getInteger("reranker.max_tokens", 512), cfg.getInteger("embedding.threads", 1));
    LOG.info("reranker {} loaded in {} ms", ce.name(), (System.nanoTime() - t0) / 1_000_000);
    return ce;
  }

  /** Scores (query, text) pairs with the cross-encoder; UNAVAILABLE when none is configured. */
  private Future<JsonObject> rerank(JsonObject body) {
    if (reranker == null) {
      return Future.failedFuture(new dev.memorymcp.bus.MemoryException(dev.memorymcp.bus.ErrorCode.UNAVAILABLE,
          "NO_RERANKER", "no cross-encoder is configured (reranker.model)"));
    }
    String query = dev.memorymcp.bus.Fields.requireString(body, "query", 4_000);
    // one score per text in order, duplicates included (two memories may say the same words)
    JsonArray given = body.getJsonArray("texts", new JsonArray());
    if (given.size() > MAX_RERANK) {
      return Future.failedFuture(dev.memorymcp.bus.MemoryException.invalidField("texts", "at most " + MAX_RERANK + " items"));
    }
    List<String> texts = new ArrayList<>();
    for (Object o : given) {
      if (!(o instanceof String s)) {
        return Future.failedFuture(dev.memorymcp.bus.MemoryException.invalidField("texts", "items must be strings"));
      }
      texts.add(s);
    }
    if (texts.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("scores", new JsonArray()).put("model", reranker.name()));
    }
    try {
      JsonArray scores = new JsonArray();
      for (float s : reranker.score(query, texts)) {
        scores.add((double) s);
      }
      return Future.succeededFuture(new JsonObject().put("scores", scores).put("model", reranker.name()));
    } catch (ai.djl.translate.TranslateException e) {
      return Future.failedFuture(e);
    }
  }

  /** The configured model; its dimension is known once {@code start()} has completed. */
  public ModelSpec spec() {
    return primary.spec();
  }

  /** This instance's counters for the configured model; may be read from any thread. */
  public EmbeddingStats stats() {
    return new EmbeddingStats(requests.get(), primary.cache().hits(), primary.cache().misses(),
        primary.batcher().modelCalls(), primary.batcher().textsEmbedded(),
        background.batcher().textsEmbedded(), background.threadNice());
  }

  private Future<JsonObject> embed(JsonObject body) {
    EmbedRequest req = EmbedRequest.parse(body, MAX_TEXTS);
    LoadedModel m = model(body);
    requests.incrementAndGet();
    ModelSpec spec = m.spec();
    LruCache<String, float[]> cache = m.cache();
    String prefix = spec.prefix(req.kind());
    List<String> inputs = req.texts().stream().map(t -> prefix + t).toList();
    float[][] vectors = new float[inputs.size()][];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      vectors[i] = cache.get(inputs.get(i)); // the prefixed text is the key: it names the kind
      if (vectors[i] == null) {
        missing.add(i);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(reply(spec, vectors));
    }
    List<String> toEmbed = missing.stream().map(inputs::get).toList();
    // background work of the configured model goes to its lane; of another model (the one a store
    // still serves during a switch) it stays in that model's queue
    Future<float[][]> computing = req.background() && m == primary
        ? background.submit(toEmbed) : m.batcher().submit(toEmbed);
    return computing.map(computed -> {
      for (int j = 0; j < computed.length; j++) {
        String input = inputs.get(missing.get(j));
        vectors[missing.get(j)] = computed[j];
        if (input.length() <= MAX_CACHED_CHARS) {
          cache.put(input, computed[j]);
        }
      }
      return reply(spec, vectors);
    });
  }

  private static JsonObject reply(ModelSpec spec, float[][] vectors) {
    JsonArray out = new JsonArray();
    for (float[] v : vectors) {
      out.add(Vectors.toBuffer(v));
    }
    return new JsonObject().put("model", spec.name()).put("dimension", spec.dimension())
        .put("vectors", out);
  }

  /** The model's facts ({@code model} names another than the configured one); {@code reranker} only when a cross-encoder is loaded. */
  private JsonObject info(JsonObject body) {
    ModelSpec spec = model(body).spec();
    JsonObject info = new JsonObject().put("model", spec.name()).put("dimension", spec.dimension())
        .put("multilingual", spec.multilingual()).put("max_tokens", options.maxTokens())
        .put("pooling", spec.pooling());
    return reranker == null ? info : info.put("reranker", reranker.name());
  }
}
