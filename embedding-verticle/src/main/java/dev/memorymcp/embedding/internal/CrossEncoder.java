package dev.memorymcp.embedding.internal;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.translator.CrossEncoderTranslator;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.djl.util.StringPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A cross-encoder reranker: an ONNX sequence-classification export ({@code model.onnx}) and its
 * {@code tokenizer.json}, scoring (query, text) pairs read together, which a bi-encoder's cosine
 * cannot do. Scores are the sigmoid of the model's first logit, 0..1, higher is more relevant. Not
 * thread-safe: one caller at a time (the embedding worker).
 */
public final class CrossEncoder implements AutoCloseable {
  private final Model model;
  private final Predictor<StringPair, float[]> predictor;
  private final String name;

  private CrossEncoder(Model model, Predictor<StringPair, float[]> predictor, String name) {
    this.model = model;
    this.predictor = predictor;
    this.name = name;
  }

  /** Loads {@code dir/model.onnx} and {@code dir/tokenizer.json}; pairs longer than {@code maxTokens} are cut. */
  public static CrossEncoder load(Path dir, String name, int maxTokens, int threads) throws IOException {
    for (String f : List.of("model.onnx", "tokenizer.json")) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new IOException("the reranker directory " + dir + " has no " + f
            + " (pull a known reranker with `memory-server models pull NAME`, or point at a directory with both)");
      }
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    Model model = Model.newInstance("reranker", Device.cpu(), "OnnxRuntime");
    try {
      model.load(dir, "model", Map.of("sessionOptions", Embedder.sessionOptions(threads)));
      HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
          Map.of("maxLength", Integer.toString(maxTokens), "truncation", "true", "padding", "true"));
      boolean tokenTypes = model.describeInput().keys().contains("token_type_ids");
      CrossEncoderTranslator translator = CrossEncoderTranslator.builder(tokenizer)
          .optIncludeTokenTypes(tokenTypes).optSigmoid(true).build();
      return new CrossEncoder(model, model.newPredictor(translator), name);
    } catch (Exception e) {
      model.close();
      throw new IOException("cannot load the reranker in " + dir + ": " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  /** One score per text, in input order: how well each answers {@code query}. */
  public float[] score(String query, List<String> texts) throws TranslateException {
    List<float[]> out = predictor.batchPredict(texts.stream().map(t -> new StringPair(query, t)).toList());
    float[] scores = new float[out.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = out.get(i)[0];
    }
    return scores;
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
