package dev.memorymcp.embedding.hub;

import io.vertx.core.json.JsonObject;

/**
 * What the service must know to run a Hugging Face embedding model it can download: where its
 * ONNX export and tokenizer sit in the repository, how texts are fed to it and what comes out.
 *
 * @param id the hub repository, e.g. {@code intfloat/multilingual-e5-small}
 * @param onnxFile the ONNX export inside the repository
 * @param pooling {@code mean} or {@code cls}
 * @param queryPrefix prepended to queries; {@code passagePrefix} to stored texts
 * @param dimension the vector size
 * @param maxTokens the longest input the model was trained on
 * @param licence the model's licence as its card states it
 * @param note what it is good for
 */
public record ModelCard(String id, String onnxFile, String pooling, String queryPrefix, String passagePrefix,
    int dimension, int maxTokens, String licence, String note) {

  public static final String TOKENIZER_FILE = "tokenizer.json";

  /** The same card with another ONNX file of the repository (a quantized export, say). */
  public ModelCard withOnnxFile(String file) {
    return new ModelCard(id, file, pooling, queryPrefix, passagePrefix, dimension, maxTokens, licence, note);
  }

  /** The directory name under {@code data/models/hub/}: {@code org--name}. */
  public String directoryName() {
    return id.replace("/", "--");
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("onnx_file", onnxFile).put("pooling", pooling)
        .put("query_prefix", queryPrefix).put("passage_prefix", passagePrefix).put("dimension", dimension)
        .put("max_tokens", maxTokens).put("licence", licence).put("note", note);
  }
}
