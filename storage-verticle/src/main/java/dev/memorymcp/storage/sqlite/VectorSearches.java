package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.MemoryStore.Scored;
import dev.memorymcp.storage.sqlite.VectorIndex.Entry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The searches over a {@link VectorIndex}: the exact top k by dot product (the vectors are unit
 * length, so it is the cosine) with a bounded min-heap and the filters applied during the scan, in
 * parts across the cores for a large namespace; the approximate top k from the Lucene index's
 * candidates, re-scored exactly; and BM25 from the Lucene index filtered here. An offloaded vector
 * is read from the index, checked against its entry's hash.
 */
final class VectorSearches {
  private final VectorIndex index;
  /** Null: exact search everywhere. */
  private final LuceneIndex ann;
  private final VectorIndexOptions options;

  VectorSearches(VectorIndex index, LuceneIndex ann, VectorIndexOptions options) {
    this.index = index;
    this.ann = ann;
    this.options = options;
  }

  /**
   * More changes than this not yet searchable in the ANN index: scan exactly instead, while the
   * namespace's vectors are on the heap (offloaded, the scan would read them all from the index).
   */
  static final int UNSEARCHED_LIMIT = 4_096;

  /** Entries per part above which a scan is split across the cores. */
  static final int PARALLEL_MIN_PER_PART = 4_000;
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  /**
   * Exact top-k by dot product among the entries passing {@code filters}, best first. A large
   * namespace is scanned in parts, one per core (the calling thread takes the first), over one
   * snapshot, and the parts' top-k are merged.
   */
  List<Scored> search(String namespace, float[] query, int k, Filters filters, long now) {
    VectorShard s = index.shardOf(namespace);
    if (s == null || k <= 0) {
      return List.of();
    }
    VectorShard.Snapshot snap = s.snapshot;
    if (ann != null && snap.count() >= options.exactBelow()) {
      List<Scored> approximate = approximate(s, namespace, snap.count(), query, k, filters, now);
      if (approximate != null) {
        return approximate;
      }
    }
    int parts = Math.max(1, Math.min(CORES, snap.count() / PARALLEL_MIN_PER_PART));
    int per = (snap.count() + parts - 1) / parts;
    List<java.util.concurrent.ForkJoinTask<TopK>> others = new ArrayList<>();
    List<List<Entry>> offloaded = new ArrayList<>(); // per part: passing the filters, vector in the index
    for (int p = 0; p < parts; p++) {
      offloaded.add(new ArrayList<>());
    }
    for (int p = 1; p < parts; p++) {
      int from = p * per;
      int to = Math.min(snap.count(), from + per);
      List<Entry> mine = offloaded.get(p);
      others.add(java.util.concurrent.ForkJoinPool.commonPool()
          .submit(() -> scan(snap, from, to, query, k, filters, now, mine)));
    }
    TopK top = scan(snap, 0, Math.min(per, snap.count()), query, k, filters, now, offloaded.get(0));
    for (java.util.concurrent.ForkJoinTask<TopK> t : others) {
      top.addAll(t.join());
    }
    List<Entry> toRead = offloaded.stream().flatMap(List::stream).toList();
    if (!toRead.isEmpty()) {
      Map<String, float[]> read = indexedVectors(namespace, toRead);
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Entry e : toRead) {
        consider(e, read.get(e.id()), query, filters, now, top, seen);
      }
    }
    return top.sorted();
  }

  /**
   * Top-k from the ANN index's candidates and the memories it may not see yet, each re-scored
   * exactly and filtered here. Asks for ef candidates first (more in a larger graph,
   * {@link VectorIndexOptions#efFor}, which a segment cap keeps small); when filters narrowing the namespace
   * leave fewer than k of them, asks for four times as many once more. Null when the index cannot
   * answer or the candidates still run short while more exist (the caller then scans exactly).
   */
  private List<Scored> approximate(VectorShard s, String namespace, int size, float[] query, int k,
      Filters filters, long now) {
    java.util.Collection<String> unsearched = ann.unsearched(namespace);
    boolean offloaded = s.heapVectors < size;
    if (unsearched.size() > UNSEARCHED_LIMIT && !offloaded) {
      return null; // a bulk the index has not caught up with: scoring those alone costs a scan
    }
    int graph = ann.searches().largestSegment();
    int ask = Math.max(k, options.efFor(graph < 0 ? size : Math.min(size, graph)));
    for (int attempt = 0; ; attempt++) {
      List<LuceneVectors.Indexed> candidates = ann.searches().search(namespace, query, ask, size, offloaded);
      if (candidates == null) {
        return null;
      }
      TopK top = new TopK(k);
      java.util.Set<String> seen = new java.util.HashSet<>();
      List<Entry> stale = new ArrayList<>(); // offloaded, and this searcher holds another vector of theirs
      for (LuceneVectors.Indexed c : candidates) {
        Entry e = s.get(c.id());
        if (e != null && e.vector() == null && (c.vector() == null || c.vectorHash() != e.vectorHash())) {
          stale.add(e);
        } else {
          consider(e, e == null || e.vector() != null ? null : c.vector(), query, filters, now, top, seen);
        }
      }
      for (String id : unsearched) {
        Entry e = s.get(id);
        if (e != null && e.vector() == null) {
          stale.add(e);
        } else {
          consider(e, null, query, filters, now, top, seen);
        }
      }
      if (!stale.isEmpty()) {
        Map<String, float[]> read = indexedVectors(namespace, stale);
        for (Entry e : stale) {
          consider(e, read.get(e.id()), query, filters, now, top, seen);
        }
      }
      if (top.size() >= k || candidates.size() < ask) {
        return top.sorted(); // k found among the nearest, or the namespace has no more
      }
      if (attempt == 1 || !narrows(filters)) {
        return null; // the filters are narrower than the over-fetch: exact
      }
      ask *= 4;
    }
  }

  /** Scores {@code e} with its heap vector, or {@code offloaded} (its vector read from the index) when it has none. */
  private static void consider(Entry e, float[] offloaded, float[] query, Filters filters, long now, TopK top,
      java.util.Set<String> seen) {
    float[] vector = e == null ? null : e.vector() != null ? e.vector() : offloaded;
    if (vector == null || vector.length != query.length || !seen.add(e.id())) {
      return;
    }
    float score = Vectors.dot(query, vector);
    if (top.accepts(score) && filters.test(e.memory(), now)) {
      top.offer(score, e);
    }
  }

  /**
   * The float32 vectors of offloaded {@code entries}, read from the Lucene index and checked
   * against each entry's hash. Throws when one cannot be read: a search must not leave out a memory
   * without saying so (the index's files failed; a restart reloads the vectors from SQLite).
   */
  Map<String, float[]> indexedVectors(String namespace, List<Entry> entries) {
    Map<String, LuceneVectors.Indexed> read = ann == null ? null
        : ann.searches().vectors(namespace, entries.stream().map(Entry::id).toList());
    Map<String, float[]> out = new HashMap<>();
    int missing = 0;
    for (Entry e : entries) {
      LuceneVectors.Indexed x = read == null ? null : read.get(e.id());
      if (x != null && x.vector() != null && x.vectorHash() == e.vectorHash()) {
        out.put(e.id(), x.vector());
      } else {
        missing++;
      }
    }
    if (missing > 0) {
      throw new IllegalStateException(missing + " vectors of namespace " + namespace
          + " are only in the vector index, which cannot read them now; a restart reloads them from the store");
    }
    return out;
  }

  /**
   * The best k memories of a large namespace by BM25 over Latin-script terms, from the Lucene index,
   * filtered here; null when FTS5 must answer (no Lucene index, a small namespace, the index not
   * caught up, a hit without an in-memory entry such as a memory stored without a vector, or
   * filters narrower than the over-fetch).
   */
  List<Scored> keyword(String namespace, List<String> terms, int k, Filters filters, long now) {
    VectorShard s = index.shardOf(namespace);
    if (ann == null || s == null || s.snapshot.count() < options.exactBelow() || terms.isEmpty() || k <= 0) {
      return null;
    }
    int ask = narrows(filters) ? k * 4 : k + 8; // a few more for expired memories
    List<Scored> hits = ann.searches().keyword(namespace, terms, ask, s.snapshot.count());
    if (hits == null) {
      return null;
    }
    List<Scored> out = new ArrayList<>(k);
    for (Scored hit : hits) {
      Entry e = s.get(hit.id());
      if (e == null) {
        return null;
      }
      if (filters.test(e.memory(), now)) {
        out.add(hit);
        if (out.size() == k) {
          break;
        }
      }
    }
    return out.size() < k && hits.size() >= ask ? null : out;
  }

  /** Whether filters may drop a good share of a namespace (more than expired memories). */
  static boolean narrows(Filters f) {
    return !f.types().isEmpty() || f.scope() != null || f.scopeId() != null || !f.tags().isEmpty()
        || f.category() != null || f.since() != null || f.until() != null || f.minImportance() != null
        || f.minConfidence() != null || f.sessionId() != null || f.scopeIds() != null;
  }

  /** Scores the part's entries with a heap vector; those passing the filters whose vector is offloaded go to {@code offloaded}. */
  private static TopK scan(VectorShard.Snapshot snap, int from, int to, float[] query, int k, Filters filters,
      long now, List<Entry> offloaded) {
    TopK top = new TopK(k);
    for (int i = from; i < to; i++) {
      Entry e = snap.entries()[i];
      if (e.dimension() != query.length) {
        continue; // a vector of another model, waiting for replaceVectors
      }
      float[] vector = e.vector();
      if (vector == null) {
        if (filters.test(e.memory(), now)) {
          offloaded.add(e);
        }
        continue;
      }
      float score = Vectors.dot(query, vector);
      if (top.accepts(score) && filters.test(e.memory(), now)) {
        top.offer(score, e);
      }
    }
    return top;
  }
}
