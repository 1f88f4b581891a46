package dev.memorymcp.storage.internal;

import static dev.memorymcp.storage.internal.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.MemoryStore.Scored;
import dev.memorymcp.storage.MemoryStore.Write;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vector search through the HNSW index (real Lucene files beside a real SQLite file): recall
 * against the exact answer, every change visible to the next search before the index refreshes,
 * filters, and repair after the index missed changes (written while it was off).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("SQLite store with the HNSW vector index")
class HnswVectorSearchTest {
  static final int DIM = 32;
  static final int PER_NAMESPACE = 1500;
  static final VectorIndexOptions HNSW = new VectorIndexOptions(true, 0, 40);

  @TempDir
  Path dir;
  Vertx vertx;
  SqliteMemoryStore store;
  final Random rnd = new Random(11);
  /** What was written, per namespace: id → vector. */
  final Map<String, Map<String, float[]>> written = new LinkedHashMap<>();

  @BeforeEach
  void fill(Vertx vertx) {
    this.vertx = vertx;
    store = open(HNSW);
    for (String ns : List.of("a", "b")) {
      List<Write> writes = new ArrayList<>();
      for (int i = 0; i < PER_NAMESPACE; i++) {
        String id = ns + "-" + i;
        float[] v = Fixtures.random(rnd, DIM);
        Memory m = memory(ns, id, "memory " + i).tags(i % 100 == 0 ? "rare" : "common").build();
        writes.add(new Write(true, m, v, Fixtures.createEvent(m), List.of()));
        written.computeIfAbsent(ns, n -> new LinkedHashMap<>()).put(id, v);
      }
      store.writeAll(writes).await();
    }
    store.flushVectorIndex();
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close().await();
    }
  }

  SqliteMemoryStore open(VectorIndexOptions options) {
    SqliteMemoryStore s = new SqliteMemoryStore(vertx, dir.resolve("memory.db"), "NORMAL", options);
    s.open().await();
    return s;
  }

  List<String> exact(String ns, float[] q, int k, Set<String> allowed) {
    return written.get(ns).entrySet().stream()
        .filter(e -> allowed == null || allowed.contains(e.getKey()))
        .sorted(Comparator.comparingDouble((Map.Entry<String, float[]> e) -> -Vectors.dot(q, e.getValue())))
        .limit(k).map(Map.Entry::getKey).toList();
  }

  List<String> search(String ns, float[] q, int k, Filters f) {
    return store.vectorSearch(ns, q, k, f).await().stream().map(Scored::id).toList();
  }

  @Test
  @DisplayName("the index is built in the data dir and finds the exact top 10 (recall ≥ 0.95), in its own namespace only")
  void recallAgainstExact() throws Exception {
    assertThat(store.vectorIndexStatus()).containsEntry("state", "warm");
    assertThat(Files.list(dir.resolve("vector-index")).count()).isPositive();
    double recall = 0;
    int queries = 50;
    long before = store.annAnswered();
    for (int q = 0; q < queries; q++) {
      float[] query = Fixtures.random(rnd, DIM);
      List<String> got = search("a", query, 10, Filters.NONE);
      assertThat(got).hasSize(10).allMatch(id -> id.startsWith("a-"));
      Set<String> want = new HashSet<>(exact("a", query, 10, null));
      recall += got.stream().filter(want::contains).count() / 10.0;
    }
    assertThat(recall / queries).isGreaterThanOrEqualTo(0.95);
    assertThat(store.annAnswered() - before).as("searches answered by HNSW").isEqualTo(queries);
  }

  @Test
  @DisplayName("a memory created, changed or deleted is seen by the very next search")
  void changesAreVisibleAtOnce() {
    float[] q = Fixtures.random(rnd, DIM);
    Memory m = memory("a", "fresh", "fresh memory").build();
    store.create(m, q, Fixtures.createEvent(m), List.of()).await();
    assertThat(search("a", q, 5, Filters.NONE)).first().isEqualTo("fresh");

    String target = exact("a", q, 1, null).get(0); // the best of the filled ones
    Memory moved = memory("a", "fresh", "fresh memory, changed").build();
    store.update(moved, negate(q), Fixtures.updateEvent(m, moved)).await(); // now the farthest
    assertThat(search("a", q, 5, Filters.NONE)).doesNotContain("fresh");

    store.delete("a", List.of(target), "test", null).await();
    assertThat(search("a", q, 5, Filters.NONE)).doesNotContain(target);
  }

  @Test
  @DisplayName("narrow filters still get their k best (the exact scan takes over when the candidates run short)")
  void narrowFilters() {
    Set<String> rare = new HashSet<>();
    written.get("a").keySet().stream().filter(id -> Integer.parseInt(id.substring(2)) % 100 == 0).forEach(rare::add);
    float[] q = Fixtures.random(rnd, DIM);
    Filters tagged = new Filters(List.of(), null, null, List.of("rare"), null, null, null, null, null, null, false);
    assertThat(search("a", q, 5, tagged)).containsExactlyElementsOf(exact("a", q, 5, rare));
  }

  @Test
  @DisplayName("after a restart the index is reused, and changes it missed (made with it off) are repaired")
  void repairsMissedChanges() {
    store.close().await();
    SqliteMemoryStore exactOnly = open(VectorIndexOptions.EXACT); // writes that never reach the index
    float[] q = Fixtures.random(rnd, DIM);
    Memory m = memory("a", "missed", "written while the index was off").build();
    exactOnly.create(m, q, Fixtures.createEvent(m), List.of()).await();
    String deleted = exact("a", q, 1, null).get(0);
    exactOnly.delete("a", List.of(deleted), "test", null).await();
    exactOnly.close().await();

    store = open(HNSW);
    store.flushVectorIndex();
    assertThat(store.vectorIndexStatus()).containsEntry("state", "warm");
    long before = store.annAnswered();
    List<String> got = search("a", q, 5, Filters.NONE);
    assertThat(store.annAnswered()).isEqualTo(before + 1);
    assertThat(got).first().isEqualTo("missed");
    assertThat(got).doesNotContain(deleted);
  }

  @Test
  @DisplayName("deleting the index directory only costs a rebuild: the next start makes it again")
  void rebuildsFromScratch() throws Exception {
    store.close().await();
    try (var walk = Files.walk(dir.resolve("vector-index"))) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    store = open(HNSW);
    store.flushVectorIndex();
    float[] q = Fixtures.random(rnd, DIM);
    List<String> got = search("b", q, 10, Filters.NONE);
    assertThat(got).hasSize(10);
    assertThat(new HashSet<>(got)).containsAnyElementsOf(exact("b", q, 3, null));
  }

  private static float[] negate(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }
}
