package dev.memorymcp.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-encoder path with a STAND-IN model (src/test/resources/stand-in-reranker/make_model.py):
 * no real cross-encoder can be downloaded here, so this checks tokenizing pairs, batching, the
 * sigmoid and the order of the scores, not ranking quality. Its logit is 2 × ("relevant" tokens) − 1.
 */
@DisplayName("cross-encoder reranker (stand-in model)")
class CrossEncoderTest {

  /** A reranker directory: the stand-in model.onnx and the built-in e5 model's BERT tokenizer. */
  static Path standIn(Path dir) throws IOException {
    try (InputStream model = CrossEncoderTest.class.getResourceAsStream("/stand-in-reranker/model.onnx");
        InputStream tokenizer = CrossEncoderTest.class.getResourceAsStream("/e5-small-v2-q-tokenizer.json")) {
      Files.copy(model, dir.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(tokenizer, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  @Test
  @DisplayName("scores (query, text) pairs in input order, sigmoid of the logit, batched")
  void scores(@TempDir Path dir) throws Exception {
    try (CrossEncoder ce = CrossEncoder.load(standIn(dir), "stand-in", 128, 1)) {
      float[] s = ce.score("which one?", List.of("nothing here", "a relevant line", "relevant and relevant again", "日本語の文"));
      assertThat(s).hasSize(4);
      assertThat(s[0]).isCloseTo(sigmoid(-1), org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(s[1]).isCloseTo(sigmoid(1), org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(s[2]).isCloseTo(sigmoid(3), org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(s[3]).isCloseTo(sigmoid(-1), org.assertj.core.data.Offset.offset(1e-5f));
      // the query is read with each text: a query saying "relevant" lifts every pair alike
      float[] both = ce.score("relevant?", List.of("nothing here"));
      assertThat(both[0]).isCloseTo(sigmoid(1), org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  @DisplayName("a directory without model.onnx or tokenizer.json is refused, naming what is missing")
  void missingFiles(@TempDir Path dir) {
    assertThatThrownBy(() -> CrossEncoder.load(dir, "x", 128, 1)).hasMessageContaining("model.onnx")
        .hasMessageContaining("models pull");
  }

  static float sigmoid(double x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }
}
