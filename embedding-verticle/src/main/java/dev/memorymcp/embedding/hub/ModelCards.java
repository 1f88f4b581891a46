package dev.memorymcp.embedding.hub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedding models that can be chosen by their Hugging Face name and downloaded with
 * {@code models pull}: the ones people use for Japanese. Each is multilingual; none ships with the
 * jar (the hub is not reachable offline, and they are 100-500 MB).
 */
public final class ModelCards {
  private ModelCards() {}

  private static final Map<String, ModelCard> CARDS = new LinkedHashMap<>();
  /** Cross-encoder rerankers (pooling {@value #CROSS_ENCODER}, no vectors): {@code reranker.model}. */
  private static final Map<String, ModelCard> RERANKERS = new LinkedHashMap<>();
  public static final String CROSS_ENCODER = "cross-encoder";

  static {
    add(new ModelCard("intfloat/multilingual-e5-small", "onnx/model.onnx", "mean", "query: ", "passage: ", 384, 512,
        "MIT", "multilingual E5, 100 languages; the multilingual sibling of the default e5-small-v2"));
    add(new ModelCard("intfloat/multilingual-e5-base", "onnx/model.onnx", "mean", "query: ", "passage: ", 768, 512,
        "MIT", "larger multilingual E5: better recall, about 3x slower than small"));
    add(new ModelCard("cl-nagoya/ruri-v3-30m", "onnx/model.onnx", "mean", "検索クエリ: ", "検索文書: ", 256, 8192,
        "Apache-2.0", "Japanese retrieval model (ModernBERT); pass --onnx-file if the repository keeps its export elsewhere"));
    add(new ModelCard("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", "onnx/model.onnx", "mean", "",
        "", 384, 128, "Apache-2.0", "multilingual paraphrase model, 50+ languages, short texts"));
  }

  static {
    reranker(new ModelCard("hotchpotch/japanese-reranker-xsmall-v2", "onnx/model.onnx", CROSS_ENCODER, "", "", 0, 512,
        "MIT", "Japanese cross-encoder reranker, small and fast; pass --onnx-file for a quantized export"));
    reranker(new ModelCard("cross-encoder/ms-marco-MiniLM-L6-v2", "onnx/model.onnx", CROSS_ENCODER, "", "", 0, 512,
        "Apache-2.0", "English cross-encoder reranker trained on MS MARCO"));
  }

  private static void reranker(ModelCard c) {
    RERANKERS.put(key(c.id()), c);
  }

  /** The card of a reranker's hub name (case-insensitive), or null. */
  public static ModelCard findReranker(String id) {
    return id == null ? null : RERANKERS.get(key(id));
  }

  public static List<ModelCard> rerankers() {
    return List.copyOf(RERANKERS.values());
  }

  private static void add(ModelCard c) {
    CARDS.put(key(c.id()), c);
  }

  /** Hub names are matched case-insensitively, ignoring surrounding blanks. */
  private static String key(String id) {
    return id.strip().toLowerCase(Locale.ROOT);
  }

  /** The card of a hub name (case-insensitive), or null. */
  public static ModelCard find(String id) {
    return id == null ? null : CARDS.get(key(id));
  }

  public static List<ModelCard> all() {
    return List.copyOf(CARDS.values());
  }

  /** Whether an {@code embedding.model} value names a hub model (org/name) rather than a built-in one. */
  public static boolean isHubName(String model) {
    return model != null && model.contains("/");
  }
}
