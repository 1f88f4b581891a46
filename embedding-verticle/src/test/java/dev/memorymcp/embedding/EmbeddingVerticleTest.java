package dev.memorymcp.embedding;

import static dev.memorymcp.embedding.TestSupport.embedBody;
import static dev.memorymcp.embedding.TestSupport.maxAbsDiff;
import static dev.memorymcp.embedding.TestSupport.norm;
import static dev.memorymcp.embedding.TestSupport.vectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Vectors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
@DisplayName("EmbeddingVerticle with the default model (e5-small-v2-q)")
class EmbeddingVerticleTest {
  @TempDir
  static Path dataDir;
  static EmbeddingVerticle verticle;

  @BeforeAll
  static void deploy(Vertx vertx, VertxTestContext ctx) {
    verticle = new EmbeddingVerticle();
    vertx.deployVerticle(verticle, TestSupport.worker(TestSupport.settings(dataDir)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("a query and a passage of the same text get different unit vectors of 384 dims")
  void queryAndPassageDiffer(Vertx vertx, VertxTestContext ctx) {
    String text = "The user prefers dark mode in the editor";
    Future.all(Bus.request(vertx, Addresses.EMBED, embedBody("query", text)),
            Bus.request(vertx, Addresses.EMBED, embedBody("passage", text)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonObject q = all.resultAt(0);
          float[] query = vectors(q).get(0);
          float[] passage = vectors(all.<JsonObject>resultAt(1)).get(0);
          assertThat(q.getString("model")).isEqualTo("e5-small-v2-q");
          assertThat(q.getInteger("dimension")).isEqualTo(384);
          assertThat(query).hasSize(384);
          assertThat(passage).hasSize(384);
          assertThat(norm(query)).isCloseTo(1.0, within(1e-4));
          assertThat(norm(passage)).isCloseTo(1.0, within(1e-4));
          assertThat(maxAbsDiff(query, passage)).isGreaterThan(1e-3);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a paraphrase pair scores higher than an unrelated pair")
  void paraphraseBeatsUnrelated(Vertx vertx, VertxTestContext ctx) {
    Bus.request(vertx, Addresses.EMBED, embedBody("query",
            "The user prefers dark mode in the editor", "User likes a dark theme for the IDE",
            "The quarterly tax payment is due in April"))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          List<float[]> v = vectors(reply);
          float paraphrase = Vectors.dot(v.get(0), v.get(1));
          float unrelated = Vectors.dot(v.get(0), v.get(2));
          assertThat(paraphrase).isGreaterThan(unrelated + 0.05f);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a repeated text is answered from the cache without a model call")
  void repeatedTextIsCached(Vertx vertx, VertxTestContext ctx) {
    JsonObject body = embedBody("passage", "Cache me: the user's cat is called Miso");
    Bus.request(vertx, Addresses.EMBED, body).compose(first -> {
      EmbeddingStats before = verticle.stats();
      return Bus.request(vertx, Addresses.EMBED, body).map(second -> {
        ctx.verify(() -> {
          EmbeddingStats after = verticle.stats();
          assertThat(after.cacheHits() - before.cacheHits()).isEqualTo(1);
          assertThat(after.modelCalls()).isEqualTo(before.modelCalls());
          assertThat(vectors(second).get(0)).containsExactly(vectors(first).get(0));
        });
        return second;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("a request mixing cached, new and repeated texts keeps its order")
  void mixedRequestKeepsOrder(Vertx vertx, VertxTestContext ctx) {
    List<String> texts = List.of("order b: the meeting moved to Tuesday",
        "order a: the user drinks oat milk", "order b: the meeting moved to Tuesday",
        "order c: deploys happen on Fridays");
    Future<JsonObject> together = Bus.request(vertx, Addresses.EMBED,
            embedBody("passage", texts.get(1)))
        .compose(cached -> Bus.request(vertx, Addresses.EMBED,
            embedBody("passage", texts.toArray(String[]::new))));
    together.compose(all -> Future.all(texts.stream()
            .map(t -> Bus.request(vertx, Addresses.EMBED, embedBody("passage", t))).toList())
        .map(alone -> {
          ctx.verify(() -> {
            List<float[]> v = vectors(all);
            for (int i = 0; i < texts.size(); i++) {
              assertThat(v.get(i)).containsExactly(vectors(alone.<JsonObject>resultAt(i)).get(0));
            }
          });
          return all;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  static List<Arguments> badBodies() {
    JsonArray tooMany = new JsonArray(Collections.nCopies(257, "x"));
    return List.of(
        Arguments.of("missing texts", new JsonObject().put("kind", "query"), "texts"),
        Arguments.of("texts not an array", new JsonObject().put("texts", "hi").put("kind", "query"),
            "texts"),
        Arguments.of("empty texts", new JsonObject().put("texts", new JsonArray())
            .put("kind", "query"), "texts"),
        Arguments.of("a number in texts", new JsonObject().put("texts", new JsonArray().add("a")
            .add(42)).put("kind", "query"), "texts"),
        Arguments.of("257 texts", new JsonObject().put("texts", tooMany).put("kind", "passage"),
            "texts"),
        Arguments.of("kind foo", embedBody("foo", "hello"), "kind"),
        Arguments.of("missing kind", new JsonObject().put("texts", new JsonArray().add("a")),
            "kind"),
        Arguments.of("unknown priority", embedBody("query", "a").put("priority", "urgent"), "priority"),
        Arguments.of("priority not a string", embedBody("query", "a").put("priority", 1), "priority"));
  }

  @ParameterizedTest(name = "{0} fails with 400 naming {2}")
  @MethodSource("badBodies")
  void badInputFails(String label, JsonObject body, String field, Vertx vertx,
      VertxTestContext ctx) {
    vertx.eventBus().request(Addresses.EMBED, body)
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(ReplyException.class);
          assertThat(((ReplyException) err).failureCode()).isEqualTo(ErrorCode.BAD_REQUEST.code);
          MemoryException me = MemoryException.from(err);
          assertThat(me.error()).isEqualTo("INVALID_FIELD");
          assertThat(me.details().getString("field")).isEqualTo(field);
          assertThat(me.getMessage()).startsWith(field + ":");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("256 texts are accepted and answered in order")
  void maxTextsAccepted(Vertx vertx, VertxTestContext ctx) {
    String[] texts = IntStream.range(0, 256).mapToObj(i -> "note " + i).toArray(String[]::new);
    Bus.request(vertx, Addresses.EMBED, embedBody("passage", texts))
        .compose(all -> Bus.request(vertx, Addresses.EMBED, embedBody("passage", "note 200"))
            .map(one -> {
              ctx.verify(() -> {
                assertThat(vectors(all)).hasSize(256);
                assertThat(vectors(all).get(200)).containsExactly(vectors(one).get(0));
              });
              return one;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("EMBED_INFO describes the loaded model")
  void info(Vertx vertx, VertxTestContext ctx) {
    Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject())
        .onComplete(ctx.succeeding(info -> ctx.verify(() -> {
          assertThat(info).isEqualTo(new JsonObject().put("model", "e5-small-v2-q")
              .put("dimension", 384).put("multilingual", false).put("max_tokens", 512)
              .put("pooling", "mean"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("the model is extracted under data_dir/models/<name>")
  void modelExtracted(VertxTestContext ctx) {
    ctx.verify(() -> {
      Path dir = dataDir.resolve("models").resolve("e5-small-v2-q");
      assertThat(dir.resolve("model.onnx")).isRegularFile();
      assertThat(dir.resolve("tokenizer.json")).isRegularFile();
      assertThat(dir.toFile().list()).containsExactlyInAnyOrder("model.onnx", "tokenizer.json");
    });
    ctx.completeNow();
  }
}
