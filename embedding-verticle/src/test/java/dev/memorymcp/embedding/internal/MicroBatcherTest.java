package dev.memorymcp.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The batcher alone, in front of a stand-in model that encodes each text as its length. */
@ExtendWith(VertxExtension.class)
@DisplayName("MicroBatcher")
class MicroBatcherTest {
  private final List<List<String>> calls = new ArrayList<>();

  private float[][] lengths(List<String> texts) {
    calls.add(texts);
    return texts.stream().map(t -> new float[] {t.length()}).toArray(float[][]::new);
  }

  /** Runs the submits on one context, as the verticle does. */
  private static <T> Future<T> onContext(Context ctx, Function<Void, Future<T>> work) {
    return Future.<Future<T>>future(p -> ctx.runOnContext(v -> p.complete(work.apply(null))))
        .compose(f -> f);
  }

  @Test
  @DisplayName("requests within the window share one model call, duplicates sent once")
  void windowGroupsRequests(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    MicroBatcher batcher = new MicroBatcher(context, this::lengths, 32, 50);
    onContext(context, v -> Future.all(batcher.submit(List.of("a", "bbb")),
            batcher.submit(List.of("cc")), batcher.submit(List.of("bbb"))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(calls).containsExactly(List.of("a", "bbb", "cc"));
          assertThat(((float[][]) all.resultAt(0))[1]).containsExactly(3f);
          assertThat(((float[][]) all.resultAt(1))[0]).containsExactly(2f);
          assertThat(((float[][]) all.resultAt(2))[0]).containsExactly(3f);
          assertThat(batcher.modelCalls()).isEqualTo(1);
          assertThat(batcher.textsEmbedded()).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("reaching max_batch flushes at once, without waiting for the window")
  void fullBatchFlushesAtOnce(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    MicroBatcher batcher = new MicroBatcher(context, this::lengths, 2, 60_000);
    onContext(context, v -> Future.all(batcher.submit(List.of("a")), batcher.submit(List.of("b"))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(calls).containsExactly(List.of("a", "b"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a window of 0 flushes once the waiting messages are handled")
  void zeroWindow(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    MicroBatcher batcher = new MicroBatcher(context, this::lengths, 32, 0);
    onContext(context, v -> Future.all(batcher.submit(List.of("a")), batcher.submit(List.of("b"))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(calls).containsExactly(List.of("a", "b"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a model failure fails every request of the flush with INTERNAL")
  void modelFailureFailsAll(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    MicroBatcher batcher = new MicroBatcher(context, texts -> {
      throw new IllegalStateException("boom");
    }, 32, 5);
    onContext(context, v -> {
      Future<float[][]> a = batcher.submit(List.of("a"));
      Future<float[][]> b = batcher.submit(List.of("b"));
      return Future.join(a, b).recover(err -> Future.succeededFuture())
          .map(x -> List.of(a, b));
    }).onComplete(ctx.succeeding(futures -> ctx.verify(() -> {
      for (Future<float[][]> f : futures) {
        assertThat(f.failed()).isTrue();
        assertThat(MemoryException.from(f.cause()).code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(f.cause()).hasMessageContaining("boom");
      }
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("close fails queued requests with UNAVAILABLE")
  void closeFailsQueued(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    MicroBatcher batcher = new MicroBatcher(context, this::lengths, 32, 60_000);
    onContext(context, v -> {
      Future<float[][]> a = batcher.submit(List.of("a"));
      batcher.close();
      return Future.succeededFuture(a);
    }).onComplete(ctx.succeeding(a -> ctx.verify(() -> {
      assertThat(a.failed()).isTrue();
      assertThat(MemoryException.from(a.cause()).code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(calls).isEmpty();
      ctx.completeNow();
    })));
  }
}
