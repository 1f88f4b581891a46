package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;

import static dev.memorymcp.storage.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.storage.MemoryStore.Scored;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
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

  /**
   * The short-CJK-term query before V2 (a substring scan of the namespace), for comparison:
   * params term, namespace, now, limit.
   */
  private static final String SUBSTRING_SCAN = "SELECT id, score FROM (SELECT id, c, s, "
      + "(instr(hay, ?) > 0) AS score FROM (SELECT m.id AS id, m.created_at AS c, m.seq AS s, "
      + "coalesce(m.name, '') || char(10) || m.content || char(10) || coalesce(m.summary, '') "
      + "|| char(10) || m.tags AS hay FROM memories m WHERE m.namespace = ? "
      + "AND (m.expires_at IS NULL OR m.expires_at > ?))) "
      + "WHERE score > 0 ORDER BY score DESC, c DESC, s DESC LIMIT ?";

  /** 2000 made-up words (each in about 60 of 10k texts) and 20 two-character Japanese words. */
  private static final List<String> WORDS = words();
  private static final List<String> JA = List.of("東京", "会議", "仕事", "予算", "設計", "開発",
      "顧客", "品質", "試験", "資料", "報告", "計画", "家族", "旅行", "料理", "映画", "音楽", "天気",
      "健康", "趣味");

  private static List<String> words() {
    String[] syllables = {"ka", "to", "mi", "ren", "sol", "va", "dex", "lo", "pri", "gan", "ur",
        "bel", "cor", "fin", "nu", "sta", "qui", "wor", "ze", "hal"};
    List<String> out = new ArrayList<>();
    Random rnd = new Random(99);
    while (out.size() < 2000) {
      String w = syllables[rnd.nextInt(20)] + syllables[rnd.nextInt(20)]
          + syllables[rnd.nextInt(20)];
      if (!out.contains(w)) {
        out.add(w);
      }
    }
    return out;
  }

  private Memory sample(Random rnd, int i) {
    StringBuilder text = new StringBuilder("Memory " + i + ":");
    for (int w = 0; w < 12; w++) {
      text.append(' ').append(WORDS.get(rnd.nextInt(WORDS.size())));
    }
    text.append("。").append(JA.get(rnd.nextInt(JA.size()))).append("の")
        .append(JA.get(rnd.nextInt(JA.size()))).append("について話しました。");
    return memory("bench", "m" + i, text.toString()).tags("t" + (i % 10)).build();
  }

  private static String word(Random rnd) {
    return WORDS.get(rnd.nextInt(WORDS.size()));
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
    createLatency(store, rnd, 0, 200); // warm-up
    double[] normal = new double[2];
    double[] full = new double[2];
    int next = 200;
    for (int round = 0; round < 2; round++) {
      for (String mode : List.of("NORMAL", "FULL")) {
        store.close().await();
        store = open(mode);
        double ms = createLatency(store, rnd, next, 200);
        next += 200;
        (mode.equals("FULL") ? full : normal)[round] = ms;
      }
    }
    System.out.printf("[bench] create (row + 3 FTS rows + vector + event, one tx), sequential, "
        + "2 rounds: NORMAL %.2f / %.2f ms, FULL %.2f / %.2f ms per memory%n",
        normal[0], normal[1], full[0], full[1]);
    assertThat(store.count("bench").await()).isEqualTo(next);
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
    System.out.printf("[bench] 10k memories: database file %.1f MB after reopen%n",
        dbFile().toFile().length() / 1e6);
    assertThat(store.indexedVectors("bench")).isEqualTo(n);

    long[] vec = new long[100];
    long[] kw = new long[100];
    long[] latin = new long[100];
    for (int i = 0; i < 150; i++) {
      float[] q = Fixtures.random(rnd, DIM);
      List<String> words = List.of(word(rnd), word(rnd), word(rnd));
      List<String> mixed = List.of(word(rnd), word(rnd), word(rnd), JA.get(rnd.nextInt(JA.size())));
      long a = System.nanoTime();
      List<Scored> hits = store.vectorSearch("bench", q, 50, Filters.NONE).await();
      long b = System.nanoTime();
      store.keywordSearch("bench", mixed, 50, Filters.NONE).await();
      long c = System.nanoTime();
      store.keywordSearch("bench", words, 50, Filters.NONE).await();
      long d = System.nanoTime();
      assertThat(hits).hasSize(50);
      if (i >= 50) {
        vec[i - 50] = b - a;
        kw[i - 50] = c - b;
        latin[i - 50] = d - c;
      }
    }
    long[] jaScan = new long[100];
    long[] jaGram = new long[100];
    for (int i = 0; i < 150; i++) {
      String ja = JA.get(rnd.nextInt(JA.size()));
      long a = System.nanoTime();
      int scanned = store.readerPool().preparedQuery(SUBSTRING_SCAN)
          .execute(Tuple.of(ja, "bench", System.currentTimeMillis(), 50)).await().size();
      long b = System.nanoTime();
      List<Scored> grams = store.keywordSearch("bench", List.of(ja), 50, Filters.NONE).await();
      long c = System.nanoTime();
      assertThat(grams).hasSize(scanned);
      if (i >= 50) {
        jaScan[i - 50] = b - a;
        jaGram[i - 50] = c - b;
      }
    }
    Arrays.sort(vec);
    Arrays.sort(kw);
    Arrays.sort(latin);
    Arrays.sort(jaScan);
    Arrays.sort(jaGram);
    System.out.printf("[bench] 10k memories: pipelined create %.2f ms/memory; reopen (index load) "
            + "%.0f ms; vectorSearch k=50 p50 %.2f ms p90 %.2f ms (via executeBlocking); "
            + "keywordSearch 3 Latin words p50 %.2f ms p90 %.2f ms, 3 Latin + 1 two-character "
            + "Japanese word p50 %.2f ms p90 %.2f ms; one two-character Japanese word: "
            + "before (V1 instr scan SQL) p50 %.2f ms p90 %.2f ms, after (keywordSearch via "
            + "memories_fts_cjk) p50 %.2f ms p90 %.2f ms%n",
        createMs / n, openMs, vec[50] / 1e6, vec[90] / 1e6, latin[50] / 1e6, latin[90] / 1e6,
        kw[50] / 1e6, kw[90] / 1e6, jaScan[50] / 1e6, jaScan[90] / 1e6, jaGram[50] / 1e6,
        jaGram[90] / 1e6);
  }
}
