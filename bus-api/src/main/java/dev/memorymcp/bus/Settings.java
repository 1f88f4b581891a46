package dev.memorymcp.bus;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service configuration: defaults, overridden by {@code config.json}, overridden by
 * {@code MEMORY_MCP_*} environment variables. Keys are dotted ({@code search.dense_weight}); the
 * environment name is {@code MEMORY_MCP_} + the key upper-cased with dots as underscores. The
 * same flat JsonObject is every verticle's {@code config()}.
 */
public final class Settings {

  /** One documented setting; the README's configuration table lists these. */
  public record Key(String name, Object defaultValue, String description) {
    public String env() {
      return "MEMORY_MCP_" + name.toUpperCase().replace('.', '_');
    }
  }

  public static final List<Key> KEYS = List.of(
      new Key("data_dir", "./data", "Directory of the SQLite file, extracted models and config.json"),
      new Key("config_path", "", "config.json path (default $MEMORY_MCP_DATA_DIR/config.json)"),
      new Key("server.host", "127.0.0.1", "HTTP bind address"),
      new Key("server.port", 26262, "HTTP port"),
      new Key("server.body_limit", 1_048_576, "Largest accepted request body in bytes (413 above)"),
      new Key("require_auth", false, "Require an API key (Authorization: Bearer or X-API-Key) on every request but /health. Off is allowed only on a loopback address"),
      new Key("allow_insecure", false, "Start without auth on a non-loopback address anyway (anyone who reaches the port can read and delete everything)"),
      new Key("admin_api_key", "", "Bootstrap admin key (at least 32 characters), accepted besides the keys in auth.db; use it to create the first keys"),
      new Key("rate_limit.requests", 600, "Requests one API key (or, without a key, one client address) may make per window; 429 with Retry-After above. 0 = no limit"),
      new Key("rate_limit.window", 60, "Rate-limit window in seconds"),
      new Key("cors.origins", "", "Browser origins allowed to call the API cross-origin (comma-separated, e.g. https://app.example.com); empty = CORS off"),
      new Key("ttl.days_by_type", "work=30,decision=365,knowledge=365", "Default lifetime per memory type when a memory has no expires_at (type=days, comma-separated; a type not listed never expires)"),
      new Key("ttl.cleanup_interval_minutes", 60, "How often expired memories are purged (each purge is a DELETE event and an audit line); 0 = only POST /api/v1/admin/cleanup"),
      new Key("mcp.allowed_origins", "localhost,127.0.0.1,[::1]", "Browser Origins /mcp accepts (host names, any scheme and port; * = any); others get 403"),
      new Key("mcp.allowed_hosts", "localhost,127.0.0.1,[::1]", "Host header values /mcp accepts (host names, any port; * = any); others get 421. Add your name behind Docker or a proxy"),
      new Key("mcp.persona", "default", "Namespace of the stdio transport (mcp-stdio), which has no headers"),
      new Key("mcp.profile", "default", "Tools that stdio MCP lists: default (the memory tools) or admin (adds the migration and curation tools); over HTTP ask /mcp?profile=admin"),
      new Key("mcp.session_idle_minutes", 60, "A Streamable HTTP session unused this long is ended (later requests get 404)"),
      new Key("context.max_tokens", 2000, "Default token budget of get_context"),
      new Key("storage.backend", "sqlite", "sqlite (one file in the data dir) | qdrant (memories, events and relations in Qdrant; the ingest queue too unless ingest.queue says otherwise)"),
      new Key("qdrant.url", "http://127.0.0.1:6334", "Qdrant's gRPC endpoint (port 6334; https:// for TLS), for storage.backend=qdrant"),
      new Key("qdrant.api_key", "", "Qdrant API key (empty: none sent)"),
      new Key("qdrant.collection_prefix", "memory_", "Prefix of the Qdrant collections: <prefix><namespace> per namespace, plus <prefix>_events, _relations and _meta"),
      new Key("storage.synchronous", "FULL", "SQLite synchronous pragma: FULL survives power loss, NORMAL only crashes"),
      new Key("vector_index.kind", "hnsw", "SQLite backend: hnsw (an HNSW index in <data_dir>/vector-index proposes candidates, re-scored exactly) | exact (every search scans the namespace)"),
      new Key("vector_index.exact_below", 10000, "Namespaces with fewer memories than this are scanned exactly even with hnsw"),
      new Key("vector_index.ef", 100, "Candidates a vector search asks each HNSW segment for, per full 250,000 memories of the largest segment (segments hold at most vector_index.segment_docs; recall against speed; at least the k asked)"),
      new Key("vector_index.format", "int8", "Vectors the HNSW graph search reads: int8 (scalar-quantised, a quarter of the bytes) | float32; candidates are re-scored in float32 either way. A change rebuilds the index at the next start"),
      new Key("vector_index.segment_docs", 250000, "Memories one segment of the HNSW index (one graph) holds at most, at least 1000: a search explores every segment, in parallel; one large graph needs a wider search for the same recall. Applies to new merges; a rebuild repacks"),
      new Key("vector_index.heap_vectors", false, "Keep the float32 vectors of namespaces the HNSW index serves on the heap too (+1.5 KB a memory at 384 dimensions); off: candidates are re-scored with the index's copy on disk"),
      new Key("embedding.model", "e5-small-v2", "e5-small-v2 | all-minilm-l6-v2 | bge-small-en-v1.5 | bge-small-zh-v1.5 | custom | a hub model pulled with `models pull`, e.g. intfloat/multilingual-e5-small"),
      new Key("models.auto_pull", false, "Pull a hub embedding model that is not downloaded yet at start (needs internet; off: start fails naming `models pull`)"),
      new Key("models.hub_url", "https://huggingface.co", "Base URL of the Hugging Face hub (or a mirror with its URL layout) for `models pull`"),
      new Key("models.revision", "main", "Hub revision (branch, tag or commit) that auto_pull takes"),
      new Key("models.dir", "", "Where pulled hub models live (empty: <data_dir>/models); the image sets it for a model baked in at build time"),
      new Key("metrics.enabled", true, "Collect metrics (GET /metrics in Prometheus format, admin key when auth is on)"),
      new Key("metrics.port", 0, "On a member without the gateway role: serve its own /metrics on this port (0: none); no key is asked there"),
      new Key("metrics.host", "127.0.0.1", "Address of that metrics port: one only the Prometheus scraper reaches"),
      new Key("catalogue.infer", true, "Give a memory written without a category or tags inferred ones (content keywords in English and Japanese, the language of metadata.file_path), listed in metadata.inferred"),
      new Key("embedding.on_model_change", "rebuild", "When the store was filled with another model: rebuild (start, keep serving the old vectors and re-embed in the background; SQLite only) | refuse (do not start; run the offline rebuild command)"),
      new Key("rebuild.pause_ms", 0, "Wait between batches of an online rebuild, to leave the machine to the users of a busy server"),
      new Key("embedding.model_dir", "", "For model=custom: directory with model.onnx and tokenizer.json"),
      new Key("embedding.pooling", "mean", "For model=custom: mean | cls"),
      new Key("embedding.query_prefix", "", "For model=custom: prefix added to queries"),
      new Key("embedding.passage_prefix", "", "For model=custom: prefix added to stored text"),
      new Key("embedding.multilingual", false, "For model=custom: whether the model covers non-Latin scripts (Japanese)"),
      new Key("embedding.threads", Math.max(1, Runtime.getRuntime().availableProcessors()), "ONNX Runtime intra-op threads per model instance"),
      new Key("embedding.instances", 1, "Embedding verticle instances (each loads the model)"),
      new Key("embedding.tensor_batching", false, "Run several texts in one model call (faster by 5-15%, but the quantized models then give slightly different vectors per batch)"),
      new Key("embedding.batch_window_ms", 3, "With tensor_batching: how long a request waits for others to share a batch"),
      new Key("embedding.max_batch", 32, "Most texts in one model call"),
      new Key("embedding.cache_size", 10_000, "LRU cache of recent text embeddings (entries)"),
      new Key("embedding.max_tokens", 512, "Longer texts are truncated for the embedding (the full text is kept)"),
      new Key("embedding.background_nice", 10, "Nice value (0-19) of the thread that embeds background work (ingest extraction, online rebuild), so requests get the cores first; 0 = normal priority (Linux; needs renice)"),
      new Key("search.fusion", "weighted", "weighted (min-max normalised scores) | rrf"),
      new Key("search.dense_weight", 0.5, "Weight of the vector list in weighted fusion"),
      new Key("search.dense_weight_uncovered", 0.1, "Dense weight when the query is in a script the model does not cover"),
      new Key("search.rrf_k", 10, "k of reciprocal rank fusion"),
      new Key("search.candidates", 50, "Candidates taken from each list before fusion"),
      new Key("search.recency_half_life_days", 180.0, "Half-life of the recency factor in reranking"),
      new Key("search.mmr_lambda", 0.9, "MMR trade-off: 1 = relevance only, lower = more diversity"),
      new Key("search.duplicate_cosine", 0.97, "Results closer than this to a better one are dropped as near-duplicates"),
      new Key("search.stop_words", true, "Remove stop words (English words, Japanese particles) from keyword queries"),
      new Key("search.session_context", 0.5, "Session context: a keyword hit lends this share of its score to the memories around it in its session (0 = off)"),
      new Key("search.session_window", 2, "Session context: how many memories before and after a hit, by time then insertion order (1..5)"),
      new Key("search.time_boost", 1.0, "Time cues (\"last week\", 先週, \"in March\", 3日前 …): results said inside the window the query names score this much more (0 = off)"),
      new Key("search.japanese", "both", "How keyword search matches Japanese: words (Kuromoji morphological analysis), ngrams (character n-grams), both (fused)"),
      new Key("search.expand", 0.0, "Multi-hop expansion: the best candidates bring in their session neighbours and related memories at this share of their score (0 = off)"),
      new Key("search.expand_top", 5, "Multi-hop expansion: how many of the best candidates expand"),
      new Key("search.warmup_queries", 1_500, "Searches run against the largest namespace once the store is warm, so the JIT has compiled the search path before the first user asks (0 = off); health says warm after them"),
      new Key("search.warmup_min_memories", 10_000, "The warm-up runs only when the store holds at least this many memories"),
      new Key("reranker.model", "", "Cross-encoder reranker: empty (the built-in reranker only), a known hub name pulled with `models pull` (hotchpotch/japanese-reranker-xsmall-v2, cross-encoder/ms-marco-MiniLM-L6-v2), or a directory with model.onnx and tokenizer.json"),
      new Key("reranker.top", 30, "How many of the best candidates the cross-encoder scores per search"),
      new Key("reranker.max_tokens", 512, "Longest (query, memory) pair the cross-encoder reads, in tokens"),
      new Key("chat.gate_min_margin", 0.05, "Recall gate (POST /api/v1/chat/context): without a cue, memory is injected when the best match's cosine exceeds the other candidates' mean by this much"),
      new Key("chat.gate_personal_min_margin", 0.03, "Recall gate: the same for a message about the user (my, do I, 私の …)"),
      new Key("dedupe.enabled", true, "Merge or relate new memories to similar existing ones"),
      new Key("dedupe.merge_threshold", -1.0, "Dense cosine needed to merge (-1: the model's calibrated default)"),
      new Key("dedupe.relate_threshold", -1.0, "Dense cosine needed to relate (-1: the model's calibrated default)"),
      new Key("dedupe.lexical_merge", 0.75, "Character-trigram similarity needed (with the dense score) to merge"),
      new Key("dedupe.lexical_relate_uncovered", 0.3, "Trigram similarity that relates text in a script the model does not cover"),
      new Key("dedupe.lexical_merge_uncovered", 0.85, "Trigram similarity that merges text in a script the model does not cover"),
      new Key("ingest.worker", true, "Run the ingest worker in this process (false: jobs are queued but only extracted by a worker elsewhere)"),
      new Key("ingest.concurrency", 2, "Ingest jobs one worker extracts at the same time"),
      new Key("ingest.queue", "auto", "Where ingest jobs wait: sqlite (ingest.db in this member's data dir) | qdrant (one collection every storage member shares) | auto (the storage backend's)"),
      new Key("ingest.queue_depth", 10_000, "Queued + running ingest jobs accepted; past it POST /api/v1/ingest answers 429 with Retry-After"),
      new Key("ingest.max_messages", 200, "Most messages in one ingest request (413 above)"),
      new Key("ingest.max_message_chars", 20_000, "Longest message content in an ingest request, in characters (413 above)"),
      new Key("ingest.max_attempts", 5, "Attempts before a failing ingest job is kept as failed"),
      new Key("ingest.retry_backoff_ms", 2000, "First retry delay of a failed ingest job; doubles per attempt (at most 10 minutes)"),
      new Key("ingest.lease_ms", 60_000, "A running job's lease; its worker renews it every third of this while it works, so a job whose worker died is handed to another one after at most this long"),
      new Key("ingest.poll_ms", 1000, "How often an idle ingest worker looks for due retries"),
      new Key("llm.base_url", "", "OpenAI-compatible endpoint for extraction, e.g. http://localhost:11434/v1 (empty: the built-in heuristic extractor)"),
      new Key("llm.model", "", "Model name sent to the LLM endpoint, e.g. llama3.1:8b or gpt-4o-mini"),
      new Key("llm.api_key", "", "Bearer token for the LLM endpoint (empty: none sent)"),
      new Key("llm.timeout_ms", 60_000, "LLM request timeout; on timeout the job falls back to the heuristic extractor"),
      new Key("llm.max_facts", 20, "Most facts taken from one LLM extraction"),
      new Key("cluster.name", "memory-mcp", "With serve --cluster: the Hazelcast cluster name; only members with the same name join each other"),
      new Key("cluster.join", "tcp-ip", "With --cluster: how members find each other: tcp-ip (cluster.members) | dns (every address cluster.dns_name resolves to) | kubernetes (Kubernetes API, cluster.kubernetes_service). Multicast is never used"),
      new Key("cluster.members", "127.0.0.1", "For cluster.join=tcp-ip: comma-separated host[:port] of some members (Hazelcast port, default 5701)"),
      new Key("cluster.dns_name", "", "For cluster.join=dns: a name resolving to every member (a Kubernetes headless Service, a compose network alias)"),
      new Key("cluster.kubernetes_service", "", "For cluster.join=kubernetes: the Service whose endpoints are the members (the pod needs RBAC to read endpoints)"),
      new Key("cluster.host", "", "With --cluster: address Hazelcast and the event bus bind to (empty: Hazelcast picks a non-loopback interface)"),
      new Key("cluster.port", 0, "With --cluster: event-bus TCP port (0: a free port)"),
      new Key("cluster.hazelcast_port", 5701, "With --cluster: Hazelcast member port (the next free one above it if taken)"),
      new Key("cluster.public_host", "", "With --cluster: address other members use to reach this one, when it differs from cluster.host (NAT, containers)")
  );

  private Settings() {}

  /** Defaults, then the config file, then the environment. */
  public static JsonObject load(Map<String, String> env) {
    JsonObject cfg = defaults();
    String dataDir = env.getOrDefault("MEMORY_MCP_DATA_DIR", cfg.getString("data_dir"));
    String path = env.getOrDefault("MEMORY_MCP_CONFIG_PATH", "");
    Path file = path.isBlank() ? Path.of(dataDir, "config.json") : Path.of(path);
    if (Files.exists(file)) {
      try {
        flatten("", new JsonObject(Files.readString(file)), cfg);
      } catch (IOException | DecodeException e) {
        throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
      }
    }
    for (Key k : KEYS) {
      String v = env.get(k.env());
      if (v != null && !v.isBlank()) {
        cfg.put(k.name(), coerce(k, v));
      }
    }
    return cfg;
  }

  public static JsonObject defaults() {
    JsonObject cfg = new JsonObject();
    for (Key k : KEYS) {
      cfg.put(k.name(), k.defaultValue());
    }
    return cfg;
  }

  private static void flatten(String prefix, JsonObject in, JsonObject out) {
    for (Map.Entry<String, Object> e : in) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof JsonObject o) {
        flatten(key + ".", o, out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private static Object coerce(Key k, String v) {
    Object d = k.defaultValue();
    try {
      if (d instanceof Integer) {
        return Integer.parseInt(v.trim());
      }
      if (d instanceof Double) {
        return Double.parseDouble(v.trim());
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(k.env() + " must be a number, got '" + v + "'");
    }
    if (d instanceof Boolean) {
      return Boolean.parseBoolean(v.trim());
    }
    return v;
  }

  /** For the README table: env name, default, description. */
  public static Map<String, Key> byEnv() {
    Map<String, Key> m = new LinkedHashMap<>();
    KEYS.forEach(k -> m.put(k.env(), k));
    return m;
  }
}
