package dev.memorymcp.embedding;

import static dev.memorymcp.embedding.TestSupport.embedBody;
import static dev.memorymcp.embedding.TestSupport.norm;
import static dev.memorymcp.embedding.TestSupport.vectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Vectors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Choosing the embedding model")
class ModelChoiceTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("all-minilm-l6-v2 loads with 384 dimensions and no prefixes")
  void miniLmLoads(Vertx vertx, VertxTestContext ctx) {
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.model", "all-minilm-l6-v2");
    deployAndInfo(vertx, cfg)
        .compose(info -> Future.all(
                Bus.request(vertx, Addresses.EMBED, embedBody("query", "dark mode")),
                Bus.request(vertx, Addresses.EMBED, embedBody("passage", "dark mode")))
            .map(all -> {
              ctx.verify(() -> {
                assertThat(info.getString("model")).isEqualTo("all-minilm-l6-v2-q");
                assertThat(info.getInteger("dimension")).isEqualTo(384);
                float[] q = vectors(all.resultAt(0)).get(0);
                assertThat(q).hasSize(384);
                assertThat(norm(q)).isCloseTo(1.0, within(1e-4));
                assertThat(q).containsExactly(vectors(all.resultAt(1)).get(0));
              });
              return info;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("bge-small-en-v1.5 loads with CLS pooling")
  void bgeLoads(Vertx vertx, VertxTestContext ctx) {
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.model", "bge-small-en-v1.5");
    deployAndInfo(vertx, cfg).onComplete(ctx.succeeding(info -> ctx.verify(() -> {
      assertThat(info.getString("model")).isEqualTo("bge-small-en-v1.5-q");
      assertThat(info.getString("pooling")).isEqualTo("cls");
      assertThat(info.getInteger("dimension")).isEqualTo(384);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("bge-small-zh-v1.5 loads (512 dimensions, multilingual) and places a Japanese paraphrase nearest")
  void bgeZhReadsJapanese(Vertx vertx, VertxTestContext ctx) {
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.model", "bge-small-zh-v1.5");
    deployAndInfo(vertx, cfg)
        .compose(info -> Bus.request(vertx, Addresses.EMBED, embedBody("query", "ペットの犬について"))
            .compose(q -> Bus.request(vertx, Addresses.EMBED, embedBody("passage",
                "私は柴犬を飼っていて、毎朝散歩に連れて行く", "来週の会議は東京の本社で開かれる"))
                .map(p -> List.of(info, q, p))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonObject info = all.get(0);
          assertThat(info.getString("model")).isEqualTo("bge-small-zh-v1.5-q");
          assertThat(info.getInteger("dimension")).isEqualTo(512);
          assertThat(info.getBoolean("multilingual")).isTrue();
          float[] q = vectors(all.get(1)).get(0);
          List<float[]> p = vectors(all.get(2));
          assertThat((double) Vectors.dot(q, p.get(0))).isGreaterThan(Vectors.dot(q, p.get(1)) + 0.05);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a custom model directory loads, named after the directory")
  void customDirLoads(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path models = ModelFilesTest.extractE5(dataDir);
    Path custom = Files.createDirectories(dataDir.resolve("my-e5"));
    Files.copy(models.resolve("model.onnx"), custom.resolve("model.onnx"));
    Files.copy(models.resolve("tokenizer.json"), custom.resolve("tokenizer.json"));
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.model", "custom")
        .put("embedding.model_dir", custom.toString()).put("embedding.query_prefix", "query: ")
        .put("embedding.passage_prefix", "passage: ").put("embedding.multilingual", true);
    deployAndInfo(vertx, cfg).onComplete(ctx.succeeding(info -> ctx.verify(() -> {
      assertThat(info.getString("model")).isEqualTo("custom:my-e5");
      assertThat(info.getBoolean("multilingual")).isTrue();
      assertThat(info.getInteger("dimension")).isEqualTo(384);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("a custom directory without tokenizer.json fails to deploy, naming the file")
  void customDirWithoutTokenizerFails(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path custom = Files.createDirectories(dataDir.resolve("broken"));
    Files.writeString(custom.resolve("model.onnx"), "not really a model");
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.model", "custom")
        .put("embedding.model_dir", custom.toString());
    vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(cfg))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("tokenizer.json").hasMessageContaining(custom.toString());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a custom directory whose model.onnx is not a model fails to deploy")
  void customDirWithBrokenModelFails(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path custom = Files.createDirectories(dataDir.resolve("garbage"));
    Files.writeString(custom.resolve("model.onnx"), "not really a model");
    Files.copy(ModelFilesTest.extractE5(dataDir).resolve("tokenizer.json"),
        custom.resolve("tokenizer.json"));
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.model", "custom")
        .put("embedding.model_dir", custom.toString());
    vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(cfg))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).hasMessageContaining("cannot load the embedding model in " + custom);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("an unknown model name is rejected with the valid names")
  void unknownModelRejected() {
    assertThatThrownBy(() -> ModelSpec.fromSettings(new JsonObject()
        .put("embedding.model", "gpt-embed")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpt-embed")
        .hasMessageContaining("e5-small-v2, all-minilm-l6-v2, bge-small-en-v1.5, bge-small-zh-v1.5, custom");
  }

  @Test
  @DisplayName("a custom pooling other than mean, cls or max is rejected")
  void badPoolingRejected() throws Exception {
    Path custom = Files.createDirectories(dataDir.resolve("pool"));
    Files.writeString(custom.resolve("model.onnx"), "x");
    Files.writeString(custom.resolve("tokenizer.json"), "{}");
    assertThatThrownBy(() -> ModelSpec.fromSettings(new JsonObject()
        .put("embedding.model", "custom").put("embedding.model_dir", custom.toString())
        .put("embedding.pooling", "lasttoken")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding.pooling");
  }

  private static Future<JsonObject> deployAndInfo(Vertx vertx, JsonObject cfg) {
    return vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(cfg))
        .compose(id -> Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject()));
  }
}
