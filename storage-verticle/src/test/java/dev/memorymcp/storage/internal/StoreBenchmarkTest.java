package dev.memorymcp.storage.internal;

import static dev.memorymcp.storage.internal.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.storage.MemoryStore.Scored;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Measurements printed as "[bench] ..."; nothing here asserts a time. */
@DisplayName("store measurements (printed, not asserted)")
class StoreBenchmarkTest extends StoreTestBase {

  private static final int DIM = 384;

  private Memory sample(Random rnd, int i) {
    return memory("bench", "m" + i, "Memory number " + i + ": we decided to deploy service "
        + rnd.nextInt(1000) + " on day " + rnd.nextInt(30) + ". 東京の会議で決めました。")
        .tags("t" + (i % 10)).build();
  }

  /** Mean latency of sequential creates (each awaited) in ms. */
  private double createLatency(SqliteMemoryStore s, Random rnd, int from, int n) {
    long t0 = System.nanoTime();
    for (int i = from; i < from + n; i++) {
      Memory m = sample(rnd, i);
      s.create(m, Fixtures.random(rnd, DIM), Fixtures.createEvent(m), List.of()).await();
    }
    return (System.nanoTime() - t0) / 1e6 / n;
  }

  @Test
  @DisplayName("create latency with synchronous=NORMAL and FULL")
  void createLatencyNormalVsFull() {
    Random rnd = new Random(1);
    createLatency(store, rnd, 0, 100); // warm-up
    double normal = createLatency(store, rnd, 100, 300);
    store.close().await();
    store = open("FULL");
    createLatency(store, rnd, 400, 100);
    double full = createLatency(store, rnd, 500, 300);
    System.out.printf("[bench] create (row + 2 FTS + vector + event, one tx), sequential: "
        + "NORMAL %.2f ms, FULL %.2f ms per memory%n", normal, full);
    assertThat(store.count("bench").await()).isEqualTo(800);
  }

  @Test
  @DisplayName("10k memories with 384-d vectors: load, vectorSearch and keywordSearch times")
  void searchAt10k() {
    Random rnd = new Random(2);
    int n = 10_000;
    long t0 = System.nanoTime();
    for (int batch = 0; batch < n; batch += 500) {
      List<Future<Void>> writes = new ArrayList<>();
      for (int i = batch; i < batch + 500; i++) {
        Memory m = sample(rnd, i);
        writes.add(store.create(m, Fixtures.random(rnd, DIM), Fixtures.createEvent(m), List.of()));
      }
      Future.all(writes).await();
    }
    double createMs = (System.nanoTime() - t0) / 1e6;

    long t1 = System.nanoTime();
    reopen();
    double openMs = (System.nanoTime() - t1) / 1e6;
    assertThat(store.indexedVectors("bench")).isEqualTo(n);

    long[] vec = new long[100];
    long[] kw = new long[100];
    for (int i = 0; i < 150; i++) {
      float[] q = Fixtures.random(rnd, DIM);
      long a = System.nanoTime();
      List<Scored> hits = store.vectorSearch("bench", q, 50, Filters.NONE).await();
      long b = System.nanoTime();
      store.keywordSearch("bench", List.of("deploy", "service", String.valueOf(rnd.nextInt(1000)),
          "東京"), 50, Filters.NONE).await();
      long c = System.nanoTime();
      assertThat(hits).hasSize(50);
      if (i >= 50) {
        vec[i - 50] = b - a;
        kw[i - 50] = c - b;
      }
    }
    Arrays.sort(vec);
    Arrays.sort(kw);
    System.out.printf("[bench] 10k memories: pipelined create %.2f ms/memory; reopen (index load) "
            + "%.0f ms; vectorSearch k=50 p50 %.2f ms p90 %.2f ms (via executeBlocking); "
            + "keywordSearch (3 latin + 1 short CJK term) p50 %.2f ms p90 %.2f ms%n",
        createMs / n, openMs, vec[50] / 1e6, vec[90] / 1e6, kw[50] / 1e6, kw[90] / 1e6);
  }
}
