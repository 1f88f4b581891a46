package dev.memorymcp.embedding.internal;

import dev.memorymcp.embedding.ModelSpec;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedding settings besides the model choice, read from the flat settings object.
 *
 * @param dataDir {@code data_dir}: classpath models are extracted under {@code models/}
 * @param threads {@code embedding.threads}: ONNX Runtime intra-op threads
 * @param maxBatch {@code embedding.max_batch}: most texts in one batch
 * @param windowMs {@code embedding.batch_window_ms}: how long a request waits for company
 * @param cacheSize {@code embedding.cache_size}: LRU entries, 0 disables the cache
 * @param maxTokens {@code embedding.max_tokens}: longer texts are truncated (at most 512 for the
 *     built-in models)
 * @param tensorBatching {@code embedding.tensor_batching} (default false): run a batch as one padded
 *     tensor. Faster per text, but with the dynamically quantized models a text's vector then
 *     depends on its batch companions (cosine 0.98-0.997 to its vector alone), so it is off.
 * @param backgroundNice {@code embedding.background_nice} (0 to 19, default 10): the nice value of
 *     the thread that embeds background work (ingest extraction, online rebuild); 0 keeps the
 *     normal priority
 */
public record EmbeddingOptions(Path dataDir, int threads, int maxBatch, long windowMs,
    int cacheSize, int maxTokens, boolean tensorBatching, int backgroundNice) {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingOptions.class);
  /** Position limit of the BERT-sized built-in models. */
  public static final int BUILT_IN_MAX_TOKENS = 512;

  /** Reads and range-checks the settings; throws IllegalArgumentException naming a bad key. */
  public static EmbeddingOptions fromSettings(JsonObject cfg, ModelSpec spec) {
    int maxTokens = intSetting(cfg, "embedding.max_tokens", 512, 8, 32_768);
    if (spec.onClasspath() && maxTokens > BUILT_IN_MAX_TOKENS) {
      LOG.warn("embedding.max_tokens {} exceeds {}'s limit; using {}", maxTokens, spec.name(),
          BUILT_IN_MAX_TOKENS);
      maxTokens = BUILT_IN_MAX_TOKENS;
    }
    return new EmbeddingOptions(Path.of(cfg.getString("data_dir", "./data")),
        intSetting(cfg, "embedding.threads", 1, 1, 256),
        intSetting(cfg, "embedding.max_batch", 32, 1, 1024),
        intSetting(cfg, "embedding.batch_window_ms", 3, 0, 10_000),
        intSetting(cfg, "embedding.cache_size", 10_000, 0, 10_000_000),
        maxTokens,
        Boolean.parseBoolean(String.valueOf(cfg.getValue("embedding.tensor_batching", false))),
        intSetting(cfg, "embedding.background_nice", 10, 0, 19));
  }

  private static int intSetting(JsonObject cfg, String key, int def, int min, int max) {
    Object v = cfg.getValue(key, def);
    int n;
    try {
      n = v instanceof Number num ? num.intValue() : Integer.parseInt(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(key + " must be between " + min + " and " + max
          + ", got " + n);
    }
    return n;
  }
}
