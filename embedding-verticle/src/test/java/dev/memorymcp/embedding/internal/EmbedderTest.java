package dev.memorymcp.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Vectors;
import dev.memorymcp.embedding.ModelSpec;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@DisplayName("Embedder with tensor batching (all-minilm-l6-v2-q)")
class EmbedderTest {
  private static final Logger LOG = LoggerFactory.getLogger(EmbedderTest.class);
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("length-sorted tensor batches come back in input order, close to the vectors alone")
  void tensorBatchesRestoreOrder() throws Exception {
    ModelSpec spec = ModelSpec.fromSettings(new JsonObject()
        .put("embedding.model", "all-minilm-l6-v2"));
    Path dir = ModelFiles.materialize(spec, dataDir);
    List<String> texts = IntStream.range(0, 20).mapToObj(i -> (i % 2 == 0 ? "a long text "
        .repeat(20 - i) : "short " + i) + " about subject " + i).toList();
    try (Embedder batched = Embedder.load(dir, spec.pooling(), 128, 2, 8, true);
        Embedder alone = Embedder.load(dir, spec.pooling(), 128, 2, 8, false)) {
      float[][] together = batched.embed(texts);
      float[][] single = alone.embed(texts);
      assertThat(batched.modelCalls()).isEqualTo(3);
      assertThat(alone.modelCalls()).isEqualTo(20);
      double worst = 1;
      for (int i = 0; i < texts.size(); i++) {
        float own = Vectors.dot(together[i], single[i]);
        worst = Math.min(worst, own);
        for (int j = 0; j < texts.size(); j++) {
          if (j != i) {
            assertThat(own).as("text %d vs %d", i, j)
                .isGreaterThan(Vectors.dot(together[i], single[j]));
          }
        }
      }
      LOG.info("tensor batching: worst cosine to the vector alone {}", worst);
      assertThat(worst).isGreaterThan(0.97);
    }
  }
}
