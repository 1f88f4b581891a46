package dev.memorymcp.storage.sqlite;

import static dev.memorymcp.storage.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.Fixtures;
import dev.memorymcp.storage.MemoryStore.Scored;
import dev.memorymcp.storage.MemoryStore.Write;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vectors leave the heap once the Lucene index holds them, in namespaces it serves, and every
 * search still scores with the exact float32 vector: HNSW candidates, the exact scan under narrow
 * filters, reads by id, a text-only update, a changed vector, a restart. Real SQLite and Lucene files.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Vectors offloaded from the heap to the Lucene index")
class VectorOffloadTest {
  static final int DIM = 32;
  static final int SERVED_FROM = 1_500;
  static final VectorIndexOptions OFFLOAD = new VectorIndexOptions(true, SERVED_FROM, 60);
  static final Filters RARE = new Filters(List.of(), null, null, List.of("rare"), null, null, null, null, null, null, false);

  @TempDir
  Path dir;
  Vertx vertx;
  SqliteMemoryStore store;
  final Random rnd = new Random(5);
  final Map<String, float[]> written = new LinkedHashMap<>();

  @BeforeEach
  void init(Vertx vertx) {
    this.vertx = vertx;
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
    s.flushVectorIndex();
    return s;
  }

  void write(String ns, int from, int to) {
    List<Write> writes = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String id = ns + "-" + i;
      float[] v = Fixtures.random(rnd, DIM);
      Memory m = memory(ns, id, "note " + i).tags(i % 50 == 0 ? "rare" : "common").build();
      writes.add(new Write(true, m, v, Fixtures.createEvent(m), List.of()));
      if (ns.equals("big")) {
        written.put(id, v);
      }
    }
    store.writeAll(writes).await();
    store.flushVectorIndex();
  }

  /** Writes "big" with the index serving it, then opens the same file with the index off (its files untouched). */
  void bigThenIndexOff() {
    store = open(OFFLOAD);
    write("big", 0, SERVED_FROM + 100);
    store.close().await();
    store = open(VectorIndexOptions.EXACT);
  }

  /** The exact top k of "big" among the ids passing {@code allowed}. */
  List<String> exact(float[] q, int k, Predicate<String> allowed) {
    return written.entrySet().stream().filter(e -> allowed.test(e.getKey()))
        .sorted(Comparator.comparingDouble((Map.Entry<String, float[]> e) -> -Vectors.dot(q, e.getValue())))
        .limit(k).map(Map.Entry::getKey).toList();
  }

  /** Searches "big": every hit's score is the exact dot product with the vector written. */
  List<String> searchBig(float[] q, int k, Filters f) {
    List<Scored> hits = store.vectorSearch("big", q, k, f).await();
    for (Scored hit : hits) {
      assertThat((double) hit.score()).as(hit.id()).isCloseTo(Vectors.dot(q, written.get(hit.id())), within(1e-5));
    }
    return hits.stream().map(Scored::id).toList();
  }

  @Test
  @DisplayName("a served namespace keeps no vector on the heap, a small one keeps all; searches score exactly")
  void offloadsServedNamespaces() {
    store = open(OFFLOAD);
    write("big", 0, SERVED_FROM - 100); // below the threshold: stays on the heap
    assertThat(store.heapVectors("big")).isEqualTo(SERVED_FROM - 100);
    write("big", SERVED_FROM - 100, SERVED_FROM + 200); // crosses it: the whole namespace goes
    write("small", 0, 300);
    assertThat(store.heapVectors("big")).isZero();
    assertThat(store.heapVectors("small")).isEqualTo(300);

    long before = store.annAnswered();
    int hitsInExactTop = 0;
    for (int i = 0; i < 20; i++) {
      float[] q = Fixtures.random(rnd, DIM);
      List<String> got = searchBig(q, 10, Filters.NONE);
      assertThat(got).hasSize(10);
      hitsInExactTop += (int) got.stream().filter(exact(q, 10, id -> true)::contains).count();
    }
    assertThat(store.annAnswered() - before).as("answered by HNSW").isEqualTo(20);
    assertThat(hitsInExactTop / 200.0).as("recall@10").isGreaterThanOrEqualTo(0.95);

    float[] q = Fixtures.random(rnd, DIM);
    Predicate<String> rare = id -> Integer.parseInt(id.substring(4)) % 50 == 0;
    assertThat(searchBig(q, 5, RARE)).as("narrow filters: the exact scan reads the offloaded vectors")
        .containsExactlyElementsOf(exact(q, 5, rare));

    Map<String, float[]> byId = store.vectors("big", List.of("big-3", "big-1600")).await();
    assertThat(byId.keySet()).containsExactly("big-3", "big-1600");
    assertThat(byId.get("big-3")).containsExactly(written.get("big-3"));
    assertThat(byId.get("big-1600")).containsExactly(written.get("big-1600"));
  }

  @Test
  @DisplayName("a text-only update keeps the offloaded vector; a new vector replaces it; a restart offloads again")
  void updatesAndRestart() {
    store = open(OFFLOAD);
    write("big", 0, SERVED_FROM + 100);
    assertThat(store.heapVectors("big")).isZero();

    Memory before = store.get("big", "big-42").await();
    Memory renamed = memory("big", "big-42", "note 42, now about the quokkatron").build();
    store.update(renamed, null, Fixtures.updateEvent(before, renamed)).await(); // keeps its vector
    store.flushVectorIndex();
    assertThat(searchBig(written.get("big-42"), 1, Filters.NONE)).containsExactly("big-42");
    assertThat(store.keywordSearch("big", List.of("quokkatron"), 3, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("big-42");

    float[] moved = Fixtures.random(rnd, DIM);
    Memory again = memory("big", "big-42", "note 42, moved").build();
    store.update(again, moved, Fixtures.updateEvent(renamed, again)).await();
    written.put("big-42", moved);
    assertThat(searchBig(moved, 1, Filters.NONE)).as("before the refresh (heap vector)").containsExactly("big-42");
    store.flushVectorIndex();
    assertThat(store.heapVectors("big")).isZero();
    assertThat(searchBig(moved, 1, Filters.NONE)).as("after it (offloaded again)").containsExactly("big-42");

    store.close().await();
    store = open(OFFLOAD);
    assertThat(store.loadedOffloaded()).as("the load left every indexed vector off the heap").isEqualTo(SERVED_FROM + 100);
    assertThat(store.heapVectors("big")).as("after the restart's sync").isZero();
    float[] q = Fixtures.random(rnd, DIM);
    assertThat(searchBig(q, 5, RARE)).containsExactlyElementsOf(
        exact(q, 5, id -> Integer.parseInt(id.substring(4)) % 50 == 0));
    assertThat(searchBig(moved, 1, Filters.NONE)).containsExactly("big-42");
  }

  @Test
  @DisplayName("a restart loads onto the heap only the vectors the index missed (changed while it was off), then offloads them too")
  void loadKeepsWhatTheIndexMissed() {
    bigThenIndexOff();
    Memory before = store.get("big", "big-5").await();
    Memory renamed = memory("big", "big-5", "note 5, now about the wombatron").build();
    store.update(renamed, null, Fixtures.updateEvent(before, renamed)).await(); // text only
    float[] moved = Fixtures.random(rnd, DIM);
    Memory six = store.get("big", "big-6").await();
    store.update(six, moved, Fixtures.updateEvent(six, six)).await(); // vector only
    written.put("big-6", moved);
    store.close().await();

    store = open(OFFLOAD);
    assertThat(store.loadedOffloaded()).as("all but the two the index missed").isEqualTo(SERVED_FROM + 100 - 2);
    assertThat(store.heapVectors("big")).as("after the sync").isZero();
    assertThat(searchBig(moved, 1, Filters.NONE)).containsExactly("big-6");
    assertThat(searchBig(written.get("big-5"), 1, Filters.NONE)).containsExactly("big-5");
    assertThat(store.keywordSearch("big", List.of("wombatron"), 3, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("big-5");
  }

  @Test
  @DisplayName("a rebuild for another dimension puts the vectors the load left in the old index back on the heap first")
  void rebuildKeepsOffloadedVectors() {
    bigThenIndexOff(); // most memories now get another dimension
    List<Write> wider = new ArrayList<>();
    for (int i = 0; i < SERVED_FROM + 300; i++) {
      Memory m = memory("wide", "wide-" + i, "wide note " + i).build();
      wider.add(new Write(true, m, Fixtures.random(rnd, DIM * 2), Fixtures.createEvent(m), List.of()));
    }
    store.writeAll(wider).await();
    store.close().await();

    store = open(OFFLOAD);
    assertThat(store.loadedOffloaded()).as("the load trusted the old index for big").isEqualTo(SERVED_FROM + 100);
    assertThat(store.heapVectors("big")).as("back on the heap: the rebuilt index holds no vectors of their dimension")
        .isEqualTo(SERVED_FROM + 100);
    float[] q = Fixtures.random(rnd, DIM);
    assertThat(searchBig(q, 5, Filters.NONE)).containsExactlyElementsOf(exact(q, 5, id -> true));
    assertThat(store.vectors("big", List.of("big-7")).await().get("big-7")).containsExactly(written.get("big-7"));
  }

  @Test
  @DisplayName("while a start's sync runs, vector searches use the searcher from before it and score exactly what it lacks")
  void servesDuringTheSync() throws Exception {
    bigThenIndexOff();
    float[] moved = Fixtures.random(rnd, DIM);
    Memory six = store.get("big", "big-6").await();
    store.update(six, moved, Fixtures.updateEvent(six, six)).await();
    written.put("big-6", moved);
    store.delete("big", List.of("big-9"), "test", null).await();
    float[] nine = written.remove("big-9");
    store.close().await();

    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    store = new SqliteMemoryStore(vertx, dir.resolve("memory.db"), "NORMAL", OFFLOAD);
    store.beforeIndexSync(() -> {
      held.countDown();
      try {
        release.await(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    store.open().await();
    try {
      assertThat(held.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the sync started").isTrue();
      assertThat(store.vectorIndexStatus()).containsEntry("state", "syncing");
      long before = store.annAnswered();
      assertThat(searchBig(moved, 1, Filters.NONE)).as("changed while the index was off: scored from the heap")
          .containsExactly("big-6");
      assertThat(searchBig(nine, 3, Filters.NONE)).as("deleted while it was off").doesNotContain("big-9");
      int inExactTop = 0;
      for (int i = 0; i < 10; i++) {
        float[] q = Fixtures.random(rnd, DIM);
        inExactTop += (int) searchBig(q, 10, Filters.NONE).stream().filter(exact(q, 10, id -> true)::contains).count();
      }
      assertThat(inExactTop / 100.0).as("recall@10 during the sync").isGreaterThanOrEqualTo(0.95);
      assertThat(store.annAnswered() - before).as("answered by HNSW while the sync ran").isEqualTo(12);
    } finally {
      release.countDown();
    }
    store.flushVectorIndex();
    assertThat(store.heapVectors("big")).isZero();
    assertThat(searchBig(moved, 1, Filters.NONE)).containsExactly("big-6");
  }

  @Test
  @DisplayName("vector_index.heap_vectors=true keeps every vector on the heap")
  void heapVectorsKept() {
    store = open(new VectorIndexOptions(true, SERVED_FROM, 60, VectorIndexOptions.Format.INT8, true));
    write("big", 0, SERVED_FROM + 100);
    assertThat(store.heapVectors("big")).isEqualTo(SERVED_FROM + 100);
    float[] q = Fixtures.random(rnd, DIM);
    assertThat(searchBig(q, 10, Filters.NONE)).hasSize(10);
  }

  @Test
  @DisplayName("int8: the float32 vector file is read, not mapped, so the pages a re-score reads stay out of resident memory")
  void floatVectorsNotMapped() throws Exception {
    Path maps = Path.of("/proc/self/maps");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(maps), "Linux only: /proc/self/maps");
    Path index = dir.resolve("vector-index");
    LuceneFiles files = LuceneFiles.open(index, 16, VectorIndexOptions.Format.INT8, VectorIndexOptions.DEFAULTS.segmentDocs());
    try {
      files.writer.getConfig().setUseCompoundFile(false); // a segment's files stand alone, as a merged large one's do
      for (int i = 0; i < 200; i++) {
        files.writer.addDocument(LuceneDocuments.document(memory("big", "big-" + i, "note " + i).build(), Fixtures.random(rnd, DIM)));
      }
      files.writer.commit();
      files.searchers.maybeRefreshBlocking();
      var searcher = files.searchers.acquire();
      try {
        var read = LuceneVectors.ofIds(searcher.getIndexReader(), "big", List.of("big-7", "big-150"), true);
        assertThat(read.values()).hasSize(2).allMatch(x -> x.vector() != null && x.vector().length == DIM);
        List<String> mapped = Files.readAllLines(maps).stream().filter(l -> l.contains(index.toString())).toList();
        assertThat(mapped).as("the int8 vectors are mapped").anyMatch(l -> l.endsWith(".veq"));
        assertThat(mapped).as("the float32 vectors are not").noneMatch(l -> l.endsWith(".vec"));
      } finally {
        files.searchers.release(searcher);
      }
    } finally {
      files.close();
    }
  }
}
