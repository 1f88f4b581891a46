package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;

import static dev.memorymcp.storage.Fixtures.memory;
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
 * Searches through the Lucene index (real Lucene files beside a real SQLite file): vector recall
 * against the exact answer, keyword results against FTS5's on the same file, every change visible
 * to the next search, filters, and repair after the index missed changes (written while it was off).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("SQLite store with the Lucene index (HNSW vectors, BM25 keywords)")
class LuceneIndexSearchTest {
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
        Memory m = memory(ns, id, sentence(i)).tags(i % 100 == 0 ? "rare" : "common").build();
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

  static final String[] WHO = {"Alice", "Bob", "Chen", "Dana", "Emeka", "Fatima"};
  static final String[] DOES = {"prefers", "decided to use", "dislikes", "recommended", "is migrating to"};
  static final String[] WHAT = {"PostgreSQL", "Kotlin coroutines", "the billing service", "dark mode", "Rust",
      "Terraform", "GraphQL", "unit tests", "the staging cluster", "code reviews", "Kafka"};

  /** Generated work facts, so terms match many memories with different frequencies. */
  String sentence(int i) {
    return WHO[rnd.nextInt(WHO.length)] + " " + DOES[rnd.nextInt(DOES.length)] + " " + WHAT[rnd.nextInt(WHAT.length)]
        + " (note " + i + ")";
  }

  List<String> keyword(SqliteMemoryStore s, String ns, List<String> terms, int k, Filters f) {
    return s.keywordSearch(ns, terms, k, f).await().stream().map(Scored::id).toList();
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
    assertHnswRecall("a", 50);
  }

  /** {@code queries} random searches of {@code ns}: all answered by HNSW, in the namespace, recall@10 ≥ 0.95. */
  void assertHnswRecall(String ns, int queries) {
    double recall = 0;
    long before = store.annAnswered();
    for (int q = 0; q < queries; q++) {
      float[] query = Fixtures.random(rnd, DIM);
      List<String> got = search(ns, query, 10, Filters.NONE);
      assertThat(got).hasSize(10).allMatch(id -> id.startsWith(ns + "-"));
      Set<String> want = new HashSet<>(exact(ns, query, 10, null));
      recall += got.stream().filter(want::contains).count() / 10.0;
    }
    assertThat(recall / queries).isGreaterThanOrEqualTo(0.95);
    assertThat(store.annAnswered() - before).as("searches answered by HNSW").isEqualTo(queries);
  }

  @Test
  @DisplayName("keyword search answered by Lucene ranks as FTS5 does on the same file (stemming, phrases, rare terms)")
  void keywordMatchesFts5() {
    List<List<String>> queries = List.of(List.of("Kotlin"), List.of("prefer", "Rust"), List.of("migrating", "terraform"),
        List.of("note 17"), List.of("recommends", "reviews"), List.of("Dana", "dark mode"), List.of("1234"));
    store.close().await();
    SqliteMemoryStore fts = open(VectorIndexOptions.EXACT); // the same file, FTS5 only
    List<List<String>> expected = new ArrayList<>();
    for (List<String> q : queries) {
      expected.add(keyword(fts, "a", q, 10, Filters.NONE));
    }
    fts.close().await();
    store = open(HNSW);
    store.flushVectorIndex();

    long before = store.annAnsweredKeyword();
    double overlap = 0;
    for (int i = 0; i < queries.size(); i++) {
      List<String> lucene = keyword(store, "a", queries.get(i), 10, Filters.NONE);
      List<String> sqlite = expected.get(i);
      assertThat(lucene).as("%s", queries.get(i)).hasSameSizeAs(sqlite).allMatch(id -> id.startsWith("a-"));
      overlap += sqlite.isEmpty() ? 1 : lucene.stream().filter(sqlite::contains).count() / (double) sqlite.size();
    }
    assertThat(store.annAnsweredKeyword() - before).as("answered by Lucene").isEqualTo(queries.size());
    assertThat(overlap / queries.size()).as("top-10 overlap with FTS5").isGreaterThanOrEqualTo(0.8);
    assertThat(keyword(store, "a", List.of("note 17"), 3, Filters.NONE)).first().isEqualTo("a-17");
    assertThat(keyword(store, "a", List.of("1234"), 3, Filters.NONE)).containsExactly("a-1234");
  }

  @Test
  @DisplayName("keywords: a memory written is found by the next search, one deleted is not, with or without a vector")
  void keywordChangesAreVisibleAtOnce() {
    Memory m = memory("a", "zebra", "the zebracorn service is flaky").build();
    store.create(m, Fixtures.random(rnd, DIM), Fixtures.createEvent(m), List.of()).await();
    assertThat(keyword(store, "a", List.of("zebracorn"), 5, Filters.NONE)).containsExactly("zebra");
    Memory bare = memory("a", "bare", "the zebracorn dashboard, stored without a vector").build();
    store.create(bare, null, Fixtures.createEvent(bare), List.of()).await();
    assertThat(keyword(store, "a", List.of("zebracorn"), 5, Filters.NONE)).containsExactlyInAnyOrder("zebra", "bare");
    store.delete("a", List.of("zebra"), "test", null).await();
    assertThat(keyword(store, "a", List.of("zebracorn"), 5, Filters.NONE)).containsExactly("bare");
    Filters rare = new Filters(List.of(), null, null, List.of("rare"), null, null, null, null, null, null, false);
    assertThat(keyword(store, "a", List.of("note"), 5, rare)).hasSize(5)
        .allMatch(id -> Integer.parseInt(id.substring(2)) % 100 == 0);
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

    // a filter most memories pass is answered from HNSW's first candidates, not by a scan
    Set<String> common = new HashSet<>(written.get("a").keySet());
    common.removeAll(rare);
    Filters mostly = new Filters(List.of(), null, null, List.of("common"), null, null, null, null, null, null, false);
    long before = store.annAnswered();
    List<String> got = search("a", q, 10, mostly);
    assertThat(store.annAnswered()).isEqualTo(before + 1);
    assertThat(got).hasSize(10).allMatch(common::contains);
    assertThat(new HashSet<>(got)).containsAnyElementsOf(exact("a", q, 3, common));
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
    Memory bare = memory("a", "bare-missed", "the quokkatron ledger, stored without a vector").build();
    exactOnly.create(bare, null, Fixtures.createEvent(bare), List.of()).await(); // fewer vectors than memories
    exactOnly.close().await();

    store = open(HNSW);
    store.flushVectorIndex();
    assertThat(store.vectorIndexStatus()).containsEntry("state", "warm");
    long before = store.annAnswered();
    List<String> got = search("a", q, 5, Filters.NONE);
    assertThat(store.annAnswered()).isEqualTo(before + 1);
    assertThat(got).first().isEqualTo("missed");
    assertThat(got).doesNotContain(deleted);
    long keywordBefore = store.annAnsweredKeyword();
    assertThat(keyword(store, "a", List.of("quokkatron"), 5, Filters.NONE)).containsExactly("bare-missed");
    assertThat(store.annAnsweredKeyword()).as("answered by the repaired Lucene index").isEqualTo(keywordBefore + 1);
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

  @Test
  @DisplayName("vector_index.format: int8 by default; float32 rebuilds the index at the next start with recall ≥ 0.95, and the default again rebuilds it back")
  void formatChangeRebuilds() throws Exception {
    store.close().await();
    assertThat(indexedFormat()).as("int8 by default").isEqualTo(INT8_FORMAT);
    store = open(new VectorIndexOptions(true, 0, 40, VectorIndexOptions.Format.FLOAT32));
    store.flushVectorIndex();
    assertThat(store.vectorIndexStatus()).containsEntry("state", "warm");
    assertHnswRecall("b", 30);
    store.close().await();
    assertThat(indexedFormat()).as("float32 after the rebuild").isEqualTo("Lucene99HnswVectorsFormat");

    store = open(HNSW);
    store.flushVectorIndex();
    assertThat(search("a", written.get("a").get("a-7"), 1, Filters.NONE)).containsExactly("a-7");
    store.close().await();
    store = null;
    assertThat(indexedFormat()).as("int8 again").isEqualTo(INT8_FORMAT);
  }

  @Test
  @DisplayName("vector_index.segment_docs caps every segment: a rebuild packs the memories into segments of at most the cap, later writes never merge past it, recall holds")
  void segmentCap() throws Exception {
    store.close().await();
    store = open(new VectorIndexOptions(true, 0, 40, VectorIndexOptions.Format.FLOAT32, false, 1_000)); // rebuilds
    store.flushVectorIndex();
    assertThat(store.vectorIndexStatus()).containsEntry("state", "warm");
    assertThat(store.vectorIndexStatus()).as("3,000 memories after the rebuild")
        .containsEntry("segments", 3).containsEntry("largest_segment", 1_000);
    for (int batch = 0; batch < 15; batch++) { // small writes: a segment per refresh, then merges
      List<Write> writes = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String id = "a-" + (PER_NAMESPACE + batch * 100 + i);
        float[] v = Fixtures.random(rnd, DIM);
        Memory m = memory("a", id, sentence(i)).build();
        writes.add(new Write(true, m, v, Fixtures.createEvent(m), List.of()));
        written.get("a").put(id, v);
      }
      store.writeAll(writes).await();
      store.flushVectorIndex();
    }
    store.close().await();
    store = open(new VectorIndexOptions(true, 0, 40, VectorIndexOptions.Format.FLOAT32, false, 1_000));
    store.flushVectorIndex();
    Map<String, Object> after = store.vectorIndexStatus();
    assertThat((Integer) after.get("largest_segment")).as("after 1,500 more memories: %s", after).isLessThanOrEqualTo(1_000);
    assertThat((Integer) after.get("segments")).as("after 1,500 more memories: %s", after).isBetween(5, 9);
    assertHnswRecall("a", 30);
  }

  static final String INT8_FORMAT = "Lucene99HnswScalarQuantizedVectorsFormat";

  /** The vector format of every segment of the index directory (read while the store is closed). */
  private String indexedFormat() throws Exception {
    try (var d = org.apache.lucene.store.FSDirectory.open(dir.resolve("vector-index"));
        var reader = org.apache.lucene.index.DirectoryReader.open(d)) {
      Set<String> formats = new HashSet<>();
      for (var leaf : reader.leaves()) {
        var info = leaf.reader().getFieldInfos().fieldInfo(LuceneDocuments.VECTOR);
        formats.add(info == null ? "none"
            : info.getAttribute(org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY));
      }
      assertThat(formats).as("one format in every segment").hasSize(1);
      return formats.iterator().next();
    }
  }

  private static float[] negate(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }
}
