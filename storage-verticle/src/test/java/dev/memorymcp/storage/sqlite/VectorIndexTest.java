package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;

import static dev.memorymcp.storage.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.MemoryStore.Scored;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VectorIndex: exact top-k, updates, concurrency, speed")
class VectorIndexTest {

  private static final Filters NOTE_ONLY = new Filters(List.of("note"), null, null, List.of(),
      null, null, null, null, null, null, false);

  @Test
  @DisplayName("top-k equals a full sort of the dot products among the filtered entries")
  void topKMatchesBruteForce() {
    assertTopKMatchesBruteForce(500);
  }

  @Test
  @DisplayName("a namespace large enough to be scanned in parts gives the same top-k as a full sort")
  void partedScanMatchesBruteForce() {
    assertTopKMatchesBruteForce(VectorSearches.PARALLEL_MIN_PER_PART * 2 + 123);
  }

  @Test
  @DisplayName("memories read row by row share their repeated strings in the index, and keep every value")
  void repeatedStringsShared() {
    VectorIndex index = new VectorIndex();
    List<Memory> stored = new ArrayList<>();
    for (int i = 0; i < 2; i++) { // new String(...): distinct copies, as two rows read from SQLite are
      Memory m = memory(new String("ns"), "m" + i, "text " + i).type(new String("fact"))
          .scope(new String("project"), new String("apollo")).tags(new String("infra"), new String("db"))
          .category(new String("ops")).session(new String("s-1")).build();
      stored.add(m);
      index.putLoaded(m, new float[] {1, 0});
    }
    Memory a = index.get("ns", "m0").memory();
    Memory b = index.get("ns", "m1").memory();
    assertThat(a).isEqualTo(stored.get(0));
    assertThat(b).isEqualTo(stored.get(1));
    assertThat(a.namespace()).isSameAs(b.namespace());
    assertThat(a.type()).isSameAs(b.type());
    assertThat(a.scope()).isSameAs(b.scope());
    assertThat(a.scopeId()).isSameAs(b.scopeId());
    assertThat(a.category()).isSameAs(b.category());
    assertThat(a.sessionId()).isSameAs(b.sessionId());
    assertThat(a.tags().get(0)).isSameAs(b.tags().get(0));
  }

  private static void assertTopKMatchesBruteForce(int n) {
    Random rnd = new Random(7);
    VectorIndex index = new VectorIndex();
    List<Memory> memories = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Memory m = memory("ns", "m" + i, "x").type(i % 3 == 0 ? "note" : "fact").build();
      float[] v = Fixtures.random(rnd, 16);
      memories.add(m);
      vectors.add(v);
      index.put(m, v);
    }
    float[] q = Fixtures.random(rnd, 16);
    long now = System.currentTimeMillis();
    for (Filters f : List.of(Filters.NONE, NOTE_ONLY)) {
      List<String> expected = new ArrayList<>();
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < memories.size(); i++) {
        if (f.test(memories.get(i), now)) {
          order.add(i);
        }
      }
      order.sort(Comparator.comparingDouble(i -> -Vectors.dot(q, vectors.get(i))));
      order.stream().limit(25).forEach(i -> expected.add("m" + i));
      assertThat(index.search("ns", q, 25, f, now)).extracting(Scored::id)
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  @DisplayName("put replaces, remove swaps the last entry in, refresh keeps the vector")
  void updates() {
    VectorIndex index = new VectorIndex();
    for (int i = 0; i < 40; i++) {
      index.put(memory("ns", "m" + i, "x").build(), Fixtures.unit(1, i));
    }
    index.remove("ns", "m0");
    index.remove("ns", "m39");
    index.remove("ns", "nope");
    index.put(memory("ns", "m5", "x").build(), Fixtures.unit(0, 1));
    index.refresh(memory("ns", "m6", "x").type("decision").build());
    index.touch("ns", "m6", 123L);

    assertThat(index.size("ns")).isEqualTo(38);
    assertThat(index.get("ns", "m0")).isNull();
    assertThat(index.get("ns", "m5").vector()).containsExactly(Fixtures.unit(0, 1));
    assertThat(index.get("ns", "m6").memory().accessCount()).isEqualTo(1);
    assertThat(index.get("ns", "m6").memory().content()).isEqualTo("x"); // the index keeps the whole memory
    Filters decisions = new Filters(List.of("decision"), null, null, List.of(), null, null, null,
        null, null, null, false);
    assertThat(index.search("ns", Fixtures.unit(1, 6), 5, decisions, 0L)).extracting(Scored::id)
        .containsExactly("m6");
    List<Scored> all = index.search("ns", Fixtures.unit(1, 0), 100, Filters.NONE, 0L);
    assertThat(all).hasSize(38).extracting(Scored::id).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("searches running during writes never fail or return an id twice")
  void concurrentReadersAndWriters() throws Exception {
    VectorIndex index = new VectorIndex();
    Random rnd = new Random(1);
    for (int i = 0; i < 3000; i++) {
      index.put(memory("ns", "m" + i, "x").build(), Fixtures.random(rnd, 32));
    }
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      Thread reader = new Thread(() -> {
        Random r = new Random();
        try {
          while (!stop.get()) {
            List<Scored> hits = index.search("ns", Fixtures.random(r, 32), 50, Filters.NONE, 0L);
            Set<String> seen = new HashSet<>();
            for (Scored s : hits) {
              if (!seen.add(s.id())) {
                throw new AssertionError("duplicate " + s.id());
              }
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      reader.start();
      readers.add(reader);
    }
    for (int i = 0; i < 3000; i++) {
      int n = rnd.nextInt(4000);
      if (rnd.nextBoolean()) {
        index.remove("ns", "m" + n);
      } else {
        index.put(memory("ns", "m" + n, "x").build(), Fixtures.random(rnd, 32));
      }
    }
    stop.set(true);
    for (Thread t : readers) {
      t.join();
    }
    assertThat(errors).isEmpty();
  }

  @Test
  @DisplayName("10k x 384: prints search time and heap used (no timing assertion)")
  void searchSpeedAt10k() {
    Random rnd = new Random(3);
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long heapBefore = rt.totalMemory() - rt.freeMemory();
    VectorIndex index = new VectorIndex();
    for (int i = 0; i < 10_000; i++) {
      index.put(memory("ns", "m" + i, "x").tags("t" + (i % 10)).build(), Fixtures.random(rnd, 384));
    }
    System.gc();
    long heapAfter = rt.totalMemory() - rt.freeMemory();
    long now = System.currentTimeMillis();
    for (int i = 0; i < 200; i++) { // warm-up for the JIT
      index.search("ns", Fixtures.random(rnd, 384), 50, Filters.NONE, now);
    }
    int runs = 200;
    long[] nanos = new long[runs];
    for (int i = 0; i < runs; i++) {
      float[] q = Fixtures.random(rnd, 384);
      long t0 = System.nanoTime();
      index.search("ns", q, 50, Filters.NONE, now);
      nanos[i] = System.nanoTime() - t0;
    }
    Filters tagged = new Filters(List.of(), null, null, List.of("t3"), null, null, null, null, null,
        null, false);
    long[] filteredNanos = new long[runs];
    List<Scored> filtered = List.of();
    for (int i = 0; i < runs; i++) {
      float[] q = Fixtures.random(rnd, 384);
      long t0 = System.nanoTime();
      filtered = index.search("ns", q, 50, tagged, now);
      filteredNanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    Arrays.sort(filteredNanos);
    System.out.printf("[bench] VectorIndex 10k x 384, k=50: p50 %.2f ms, p90 %.2f ms, max %.2f ms;"
            + " with a tag filter (1 in 10 pass) p50 %.2f ms; heap for the index ~%d MiB%n",
        nanos[runs / 2] / 1e6, nanos[runs * 9 / 10] / 1e6, nanos[runs - 1] / 1e6,
        filteredNanos[runs / 2] / 1e6, (heapAfter - heapBefore) >> 20);
    assertThat(filtered).hasSize(50);
  }
}
