package dev.memorymcp.embedding.internal;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.huggingface.translator.TextEmbeddingTranslatorFactory;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX sentence-embedding model and its predictor (DJL, OnnxRuntime engine). Not thread-safe:
 * one caller at a time, which a worker verticle instance guarantees. Texts go in already prefixed;
 * vectors come out unit length, in input order.
 */
public final class Embedder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Embedder.class);
  private static final List<String> BERT_INPUTS =
      List.of("input_ids", "attention_mask", "token_type_ids");

  private final Model model;
  private final Predictor<String, float[]> predictor;
  private final int maxBatch;
  private final boolean tensorBatching;
  private final int dimension;
  private final AtomicLong modelCalls = new AtomicLong();

  private Embedder(Model model, Predictor<String, float[]> predictor,
      int maxBatch, boolean tensorBatching) throws TranslateException {
    this.model = model;
    this.predictor = predictor;
    this.maxBatch = maxBatch;
    this.tensorBatching = tensorBatching;
    this.dimension = predictor.predict("warm up").length;
  }

  /**
   * Loads {@code dir/model.onnx} with {@code dir/tokenizer.json}. {@code maxTokens} truncates
   * longer texts and {@code threads} is ONNX Runtime's intra-op thread count. With
   * {@code tensorBatching}, texts run as padded tensors of at most {@code maxBatch} rows; without
   * it, one text per inference, so a text's vector never depends on the other texts (see
   * {@link #embed}). Blocks for the load (about a second).
   */
  public static Embedder load(Path dir, String pooling, int maxTokens, int threads, int maxBatch,
      boolean tensorBatching) throws IOException {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true"); // never download anything at run time
    }
    Model model = Model.newInstance("model", Device.cpu(), "OnnxRuntime");
    try {
      model.load(dir, "model", Map.of("sessionOptions", sessionOptions(threads)));
      Predictor<String, float[]> predictor =
          model.newPredictor(translator(model, pooling, maxTokens));
      return new Embedder(model, predictor, maxBatch, tensorBatching);
    } catch (Exception e) {
      model.close();
      throw new IOException("cannot load the embedding model in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * One inter-op thread, {@code threads} intra-op threads that sleep when idle: by default ONNX
   * Runtime's pool spins after each inference, which on a small machine takes the cores from the
   * vector scan that follows a query embedding.
   */
  static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setInterOpNumThreads(1);
    o.setIntraOpNumThreads(threads);
    o.addConfigEntry("session.intra_op.allow_spinning", "0");
    o.addConfigEntry("session.inter_op.allow_spinning", "0");
    return o;
  }

  /** The HuggingFace tokenizer + pooling translator, fed the inputs the model declares. */
  private static Translator<String, float[]> translator(Model model,
      String pooling, int maxTokens) throws TranslateException {
    List<String> inputs = model.describeInput().keys();
    boolean tokenTypes = inputs.contains("token_type_ids");
    LOG.debug("model inputs {}", inputs);
    if (!inputs.equals(BERT_INPUTS.subList(0, tokenTypes ? 3 : 2))) {
      throw new IllegalArgumentException("unsupported model inputs " + inputs + "; expected "
          + BERT_INPUTS + " in that order (token_type_ids optional)");
    }
    Map<String, String> args = Map.of("pooling", pooling, "normalize", "true",
        "includeTokenTypes", Boolean.toString(tokenTypes), "padding", "true",
        "truncation", "true", "maxLength", Integer.toString(maxTokens));
    return new TextEmbeddingTranslatorFactory().newInstance(String.class, float[].class, model,
        args);
  }

  /** The vector size. */
  public int dimension() {
    return dimension;
  }

  /** How many inferences ran (one per text, or one per tensor batch). */
  public long modelCalls() {
    return modelCalls.get();
  }

  /**
   * Embeds texts; the result is in input order. Throws TranslateException when the model fails.
   * The built-in models quantize activations dynamically with one scale per input tensor, so a
   * text in a multi-row tensor gets a slightly different vector (cosine 0.98-0.997) than alone.
   * Without tensor batching each text therefore runs alone and its vector is reproducible; with
   * it, texts are sorted by length into tensors of at most {@code maxBatch} rows to cut padding.
   */
  public float[][] embed(List<String> texts) throws TranslateException {
    if (!tensorBatching) {
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < out.length; i++) {
        modelCalls.incrementAndGet();
        out[i] = predictor.predict(texts.get(i));
      }
      return out;
    }
    int[] order = IntStream.range(0, texts.size()).boxed()
        .sorted(Comparator.comparingInt(i -> texts.get(i).length()))
        .mapToInt(Integer::intValue).toArray();
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < order.length; from += maxBatch) {
      int to = Math.min(order.length, from + maxBatch);
      List<String> chunk = IntStream.range(from, to).mapToObj(i -> texts.get(order[i])).toList();
      modelCalls.incrementAndGet();
      List<float[]> vectors = predictor.batchPredict(chunk);
      for (int i = from; i < to; i++) {
        out[order[i]] = vectors.get(i - from);
      }
    }
    return out;
  }

  /** Frees the predictor and the native model. */
  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
