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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@DisplayName("EmbeddingVerticle micro-batching (cache off)")
class MicroBatchingTest {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatchingTest.class);
  @TempDir
  static Path dataDir;
  static EmbeddingVerticle verticle;

  @BeforeAll
  static void deploy(Vertx vertx, VertxTestContext ctx) {
    verticle = new EmbeddingVerticle();
    JsonObject cfg = TestSupport.settings(dataDir).put("embedding.cache_size", 0);
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
}
