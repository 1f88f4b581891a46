package dev.memorymcp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.storage.MemoryStore.Write;
import dev.memorymcp.storage.sqlite.SqliteMemoryStore;
import dev.memorymcp.storage.sqlite.VectorIndexOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("recall scenario: the store's own HNSW search against its exact scan, on a real SQLite file and Lucene index")
class StoreRecallScenarioTest {
  static final String NS = "bench-recall-test";
  static final int DIM = 32;

  @TempDir
  Path dir;

  @Test
  @DisplayName("a namespace over the exact threshold: recall@10 per ef, growing with it, with the index's segments reported")
  void measuresTheStoresOwnIndex() throws Exception {
    fill(VectorIndexOptions.DEFAULTS.exactBelow() + 2_000);
    JsonObject out = new StoreRecallScenario(dir, NS).run(40, 10, 0.35, List.of(2, 100));
    assertThat(out.getInteger("queries")).isEqualTo(40);
    JsonObject low = out.getJsonArray("hnsw").getJsonObject(0);
    JsonObject high = out.getJsonArray("hnsw").getJsonObject(1);
    assertThat(high.getJsonObject("index").getString("state")).isEqualTo("warm");
    assertThat(high.getJsonObject("index").getInteger("segments")).isPositive();
    assertThat(high.getDouble("recall_at_k")).isGreaterThanOrEqualTo(0.9).isLessThanOrEqualTo(1.0);
    assertThat(low.getDouble("recall_at_k")).as("ef 2 asks for the k only").isLessThan(high.getDouble("recall_at_k"));
  }

  @Test
  @DisplayName("refuses a data directory a running service holds (its lock), naming it")
  void refusesALiveStore() throws Exception {
    fill(10);
    try (var held = dev.memorymcp.bus.ProcessLock.acquire(dir.resolve("memory.db.lock"), () -> "held")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StoreRecallScenario(dir, NS).run(5, 10, 0.35, List.of(100)))
          .hasMessageContaining("is in use by another memory service process").hasMessageContaining(dir.toString());
    }
  }

  @Test
  @DisplayName("recall@k is the share of the exact top k found, averaged over the queries")
  void recallIsTheSharedShare() {
    assertThat(StoreRecallScenario.recall(List.of(List.of("a", "b"), List.of("c", "x")),
        List.of(List.of("a", "b"), List.of("c", "d")))).isEqualTo(0.75);
  }

  /** {@code n} memories with random unit vectors, written as the service writes them (dedupe off). */
  private void fill(int n) {
    Vertx vertx = Vertx.vertx();
    SqliteMemoryStore store = new SqliteMemoryStore(vertx, dir.resolve("memory.db"), "NORMAL", VectorIndexOptions.DEFAULTS);
    try {
      store.open().await();
      Random rnd = new Random(3);
      for (int from = 0; from < n; from += 1_000) {
        List<Write> writes = new ArrayList<>();
        for (int i = from; i < Math.min(n, from + 1_000); i++) {
          Memory m = new Memory("m" + i, NS, "global", null, "note", null, "memory number " + i, null, List.of(), null,
              0.5, 1.0, new JsonObject(), "manual", null, 1_000L + i, 1_000L + i, null, 0, null, "test-model");
          MemoryEvent created = MemoryEvent.of(m.id(), NS, MemoryEvent.CREATE, "test", null,
              new JsonObject().put("memory", m.toJson()), m.createdAt());
          writes.add(new Write(true, m, unit(rnd), created, List.of()));
        }
        store.writeAll(writes).await();
      }
    } finally {
      store.close().await();
      vertx.close().await();
    }
  }

  private static float[] unit(Random rnd) {
    float[] v = new float[DIM];
    double norm = 0;
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < DIM; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
