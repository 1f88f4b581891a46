package dev.memorymcp.embedding;

import dev.memorymcp.embedding.hub.HubDownloader;
import dev.memorymcp.embedding.hub.ModelCard;
import dev.memorymcp.embedding.hub.ModelCards;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which sentence-embedding model runs, how texts are fed to it and where its files are. A model
 * comes either from the classpath ({@code onnxResource} and {@code tokenizerResource} set, extracted
 * to {@code <data_dir>/models/<name>/} before loading) or from a directory ({@code modelDir} holding
 * {@link #MODEL_FILE} and {@link #TOKENIZER_FILE}). {@code dimension} is 0 until the model is loaded.
 *
 * @param name the name reported on the bus, e.g. {@code e5-small-v2-q} or {@code custom:ruri-small}
 * @param pooling one of {@link #POOLINGS}
 * @param queryPrefix prepended to query texts (may be empty)
 * @param passagePrefix prepended to stored texts (may be empty)
 * @param multilingual whether the model covers non-Latin scripts such as Japanese
 * @param dimension the vector size, 0 while unknown
 * @param onnxResource classpath resource of the ONNX model, null for a directory model
 * @param tokenizerResource classpath resource of tokenizer.json, null for a directory model
 * @param modelDir directory holding model.onnx and tokenizer.json, null for a classpath model
 */
public record ModelSpec(String name, String pooling, String queryPrefix, String passagePrefix,
    boolean multilingual, int dimension, String onnxResource, String tokenizerResource,
    Path modelDir) {

  /** File name of the ONNX model inside a model directory. */
  public static final String MODEL_FILE = "model.onnx";
  /** File name of the HuggingFace tokenizer inside a model directory. */
  public static final String TOKENIZER_FILE = "tokenizer.json";
  /** Pooling modes accepted for a custom model. */
  public static final List<String> POOLINGS = List.of("mean", "cls", "max");
  /** The {@code embedding.model} value that selects a model directory. */
  public static final String CUSTOM = "custom";

  private static final Map<String, ModelSpec> BUILT_IN = builtIns();

  /** Checks the invariants: known pooling, non-null prefixes, exactly one file location. */
  public ModelSpec {
    Objects.requireNonNull(name, "name");
    if (!POOLINGS.contains(pooling)) {
      throw new IllegalArgumentException("embedding.pooling must be one of " + POOLINGS
          + ", got '" + pooling + "'");
    }
    queryPrefix = queryPrefix == null ? "" : queryPrefix;
    passagePrefix = passagePrefix == null ? "" : passagePrefix;
    boolean onClasspath = onnxResource != null && tokenizerResource != null;
    if (onClasspath == (modelDir != null)) {
      throw new IllegalArgumentException("a model needs either classpath resources or a directory");
    }
  }

  /** Setting values of {@code embedding.model}: the built-in models, then {@code custom}. */
  public static List<String> modelNames() {
    List<String> names = new ArrayList<>(BUILT_IN.keySet());
    names.add(CUSTOM);
    return names;
  }

  /**
   * Reads {@code embedding.model} and, for {@code custom}, {@code embedding.model_dir},
   * {@code embedding.pooling}, {@code embedding.query_prefix}, {@code embedding.passage_prefix} and
   * {@code embedding.multilingual}. Throws IllegalArgumentException for an unknown model name
   * (listing the valid ones) or a custom directory missing one of its two files.
   */
  public static ModelSpec fromSettings(JsonObject cfg) {
    String model = cfg.getString("embedding.model", "e5-small-v2").trim().toLowerCase();
    if (ModelCards.isHubName(model)) {
      return hub(cfg, model);
    }
    if (!CUSTOM.equals(model)) {
      ModelSpec spec = BUILT_IN.get(model);
      if (spec == null) {
        throw new IllegalArgumentException("unknown embedding.model '" + model
            + "'; valid values: " + String.join(", ", modelNames()) + ", or a hub model: "
            + String.join(", ", ModelCards.all().stream().map(ModelCard::id).toList()));
      }
      return spec;
    }
    String dir = cfg.getString("embedding.model_dir", "");
    if (dir.isBlank()) {
      throw new IllegalArgumentException("embedding.model=custom needs embedding.model_dir, a "
          + "directory with " + MODEL_FILE + " and " + TOKENIZER_FILE);
    }
    return custom(Path.of(dir), cfg.getString("embedding.pooling", "mean"),
        cfg.getString("embedding.query_prefix", ""), cfg.getString("embedding.passage_prefix", ""),
        cfg.getBoolean("embedding.multilingual", false));
  }

  /**
   * The model a store was stamped with ({@link #name()}), if this machine can load it without a
   * download: a built-in model or a hub model already pulled. Null otherwise (a custom directory is
   * not known by its name).
   */
  public static ModelSpec forStampedName(JsonObject cfg, String stampedName) {
    for (ModelSpec spec : BUILT_IN.values()) {
      if (spec.name().equals(stampedName)) {
        return spec;
      }
    }
    ModelCard card = ModelCards.find(stampedName);
    return card != null && HubDownloader.present(HubDownloader.modelsDir(cfg), card) ? hub(cfg, card.id()) : null;
  }

  /**
   * A Hugging Face model by its card, from {@code <data_dir>/models/hub/} where {@code models pull}
   * (or {@code models.auto_pull} at start) put it; the service never downloads on its own otherwise.
   */
  static ModelSpec hub(JsonObject cfg, String model) {
    ModelCard card = ModelCards.find(model);
    if (card == null) {
      throw new IllegalArgumentException("embedding.model '" + model + "' has no model card here; known hub models: "
          + String.join(", ", ModelCards.all().stream().map(ModelCard::id).toList())
          + " (any other ONNX model works as embedding.model=custom with embedding.model_dir)");
    }
    Path models = HubDownloader.modelsDir(cfg);
    if (!HubDownloader.present(models, card)) {
      throw new IllegalArgumentException("embedding model " + card.id() + " is not downloaded yet: run `java -jar "
          + "server/target/memory-server.jar models pull " + card.id() + "` once with internet access (or set "
          + "MEMORY_MCP_MODELS_AUTO_PULL=true to pull it at start)");
    }
    Path dir = HubDownloader.directory(models, card).toAbsolutePath().normalize();
    return new ModelSpec(card.id(), card.pooling(), card.queryPrefix(), card.passagePrefix(), true, 0, null, null, dir);
  }

  /** A model directory; throws IllegalArgumentException naming the directory and a missing file. */
  public static ModelSpec custom(Path dir, String pooling, String queryPrefix, String passagePrefix,
      boolean multilingual) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new IllegalArgumentException("embedding.model_dir " + abs + " is not a directory");
    }
    for (String file : List.of(MODEL_FILE, TOKENIZER_FILE)) {
      if (!Files.isRegularFile(abs.resolve(file))) {
        throw new IllegalArgumentException("embedding.model_dir " + abs + " has no " + file
            + " (it needs " + MODEL_FILE + " and " + TOKENIZER_FILE + ")");
      }
    }
    Path fileName = abs.getFileName();
    String name = "custom:" + (fileName == null ? abs.toString() : fileName.toString());
    return new ModelSpec(name, pooling.trim().toLowerCase(), queryPrefix, passagePrefix,
        multilingual, 0, null, null, abs);
  }

  /** Whether the files come from the classpath (and must be extracted before loading). */
  public boolean onClasspath() {
    return modelDir == null;
  }

  /** The same spec with the dimension measured on the loaded model. */
  public ModelSpec withDimension(int dim) {
    return new ModelSpec(name, pooling, queryPrefix, passagePrefix, multilingual, dim,
        onnxResource, tokenizerResource, modelDir);
  }

  /** The prefix the model expects for this kind of text. */
  public String prefix(EmbedKind kind) {
    return kind == EmbedKind.QUERY ? queryPrefix : passagePrefix;
  }

  private static ModelSpec classpath(String name, String pooling, String queryPrefix,
      String passagePrefix) {
    return new ModelSpec(name, pooling, queryPrefix, passagePrefix, false, 0, name + ".onnx",
        name + "-tokenizer.json", null);
  }

  private static Map<String, ModelSpec> builtIns() {
    Map<String, ModelSpec> m = new LinkedHashMap<>();
    m.put("e5-small-v2", classpath("e5-small-v2-q", "mean", "query: ", "passage: "));
    m.put("all-minilm-l6-v2", classpath("all-minilm-l6-v2-q", "mean", "", ""));
    m.put("bge-small-en-v1.5", classpath("bge-small-en-v1.5-q", "cls",
        "Represent this sentence for searching relevant passages: ", ""));
    // BGE v1.5 retrieves without its (Chinese) query instruction; CJK text is inside its vocabulary
    m.put("bge-small-zh-v1.5", new ModelSpec("bge-small-zh-v1.5-q", "cls", "", "", true, 0,
        "bge-small-zh-v1.5-q.onnx", "bge-small-zh-v1.5-q-tokenizer.json", null));
    return Collections.unmodifiableMap(m);
  }
}
