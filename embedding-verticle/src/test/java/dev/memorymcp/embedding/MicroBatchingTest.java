package dev.memorymcp.embedding;

import static dev.memorymcp.embedding.TestSupport.embedBody;
import static dev.memorymcp.embedding.TestSupport.maxAbsDiff;
import static dev.memorymcp.embedding.TestSupport.vectors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@DisplayName("EmbeddingVerticle micro-batching and the background lane (cache off)")
class MicroBatchingTest {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatchingTest.class);
  /** The background lane's nice value: not the default (10), so the test shows the setting is the one applied. */
  static final int NICE = 12;
  @TempDir
  static Path dataDir;
  static EmbeddingVerticle verticle;

  @BeforeAll
  static void deploy(Vertx vertx, VertxTestContext ctx) {
    verticle = new EmbeddingVerticle();
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.cache_size", 0)
        .put("embedding.background_nice", NICE);
    vertx.deployVerticle(verticle, TestSupport.worker(cfg))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("40 concurrent requests share model calls and get the vectors they get alone")
  void concurrentRequestsMatchAlone(Vertx vertx, VertxTestContext ctx) {
    List<String> texts = IntStream.range(0, 40).mapToObj(i -> "memory " + i + ": "
        + "the user mentioned topic ".repeat(1 + i % 5) + i).toList();
    Future<List<float[]>> alone = sequentially(vertx, texts);
    alone.compose(single -> {
      EmbeddingStats before = verticle.stats();
      long t0 = System.nanoTime();
      return Future.all(texts.stream()
              .map(t -> Bus.request(vertx, Addresses.EMBED, embedBody("query", t))).toList())
          .map(all -> {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            EmbeddingStats after = verticle.stats();
            LOG.info("40 concurrent requests: {} ms, {} model calls", ms,
                after.modelCalls() - before.modelCalls());
            ctx.verify(() -> {
              for (int i = 0; i < texts.size(); i++) {
                assertThat(maxAbsDiff(vectors(all.resultAt(i)).get(0), single.get(i)))
                    .as("text %d", i).isLessThanOrEqualTo(1e-4);
              }
              assertThat(after.requests() - before.requests()).isEqualTo(40);
              assertThat(after.modelCalls() - before.modelCalls()).isBetween(1L, 39L);
            });
            return all;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  private static Future<List<float[]>> sequentially(Vertx vertx, List<String> texts) {
    List<float[]> out = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String t : texts) {
      chain = chain.compose(v -> Bus.request(vertx, Addresses.EMBED, embedBody("query", t))
          .map(reply -> {
            out.add(vectors(reply).get(0));
            return null;
          }));
    }
    return chain.map(v -> out);
  }

  static JsonObject background(String kind, String... texts) {
    return embedBody(kind, texts).put("priority", "background");
  }

  @Test
  @EnabledOnOs(OS.LINUX) // the lane's priority is a Linux thread's nice value
  @DisplayName("a background text gets the vector it gets in the foreground, from the lane's thread at the configured nice value")
  void sameVectorsOnTheLaneThread(Vertx vertx, VertxTestContext ctx) {
    String text = "The team deploys on Fridays after the review. 金曜日にデプロイする。";
    EmbeddingStats before = verticle.stats();
    Bus.request(vertx, Addresses.EMBED, embedBody("passage", text))
        .compose(fg -> Bus.request(vertx, Addresses.EMBED, background("passage", text)).map(bg -> List.of(fg, bg)))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          EmbeddingStats after = verticle.stats();
          assertThat(maxAbsDiff(vectors(both.get(0)).get(0), vectors(both.get(1)).get(0))).isLessThanOrEqualTo(1e-4);
          assertThat(both.get(1).getString("model")).isEqualTo(both.get(0).getString("model"));
          assertThat(after.backgroundTexts() - before.backgroundTexts()).isEqualTo(1);
          assertThat(after.textsEmbedded() - before.textsEmbedded()).isEqualTo(1); // the foreground one only
          assertThat(after.backgroundNice()).isEqualTo(NICE);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a request's embedding does not queue behind a background batch sent before it")
  void foregroundIsNotQueuedBehindBackground(Vertx vertx, VertxTestContext ctx) {
    String[] batch = IntStream.range(0, 256).mapToObj(i -> "extracted fact " + i + ": the user prefers option " + i)
        .toArray(String[]::new);
    List<String> finished = new ArrayList<>();
    // with one queue for both, the query would wait for all 256 texts (seconds) before it
    Future<JsonObject> bulk = Bus.request(vertx, Addresses.EMBED, background("passage", batch))
        .onSuccess(r -> finished.add("background"));
    Future<JsonObject> query = Bus.request(vertx, Addresses.EMBED, embedBody("query", "what does the user prefer"))
        .onSuccess(r -> finished.add("foreground"));
    Future.all(bulk, query).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(finished).containsExactly("foreground", "background");
      assertThat(vectors(bulk.result())).hasSize(256);
      ctx.completeNow();
    })));
  }
}
