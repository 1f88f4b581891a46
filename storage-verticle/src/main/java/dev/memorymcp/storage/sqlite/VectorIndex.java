package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.MemoryStore.Scored;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory index: per namespace, every memory with its vector. Filters are checked during the
 * scan, and reads by id ({@link #get}) are served from here without SQL: the recall path loads its
 * candidates from memory. Costs about the size of the text on the heap.
 * Search is an exact dot product (the vectors are unit length, so it is the cosine) with a bounded
 * min-heap for the top k and the filters applied during the scan.
 *
 * <p>In a namespace the Lucene index serves, a vector leaves the heap once the index's searcher holds
 * it ({@link VectorOffload}; unless vector_index.heap_vectors): its entry keeps the vector's
 * dimension and hash, and the candidates are re-scored with the index's float32 copy, checked
 * against that hash ({@link LuceneVectors}).
 *
 * <p>Thread-safe: searches read each namespace's snapshot without locking ({@link VectorShard}).
 */
final class VectorIndex {
  private static final Logger LOG = LoggerFactory.getLogger(VectorIndex.class);

  /**
   * One indexed memory, whole, with its vector, or null once the vector is offloaded to the Lucene
   * index; {@code dimension} and {@code vectorHash} describe the vector either way.
   */
  record Entry(String id, float[] vector, int dimension, long vectorHash, Memory memory) {
    /** With the hash computed when asked: a load of a million would spend its start-up CPU on them. */
    Entry(String id, float[] vector, Memory memory) {
      this(id, vector, vector.length, 0, memory);
    }

    /** The vector's hash ({@link LuceneDocuments#vectorHash}), kept for an offloaded vector. */
    @Override
    public long vectorHash() {
      return vector == null ? vectorHash : LuceneDocuments.vectorHash(vector);
    }

    Entry withMemory(Memory m) {
      return new Entry(id, vector, dimension, vectorHash, m);
    }
  }

  private final Map<String, VectorShard> shards = new ConcurrentHashMap<>();
  /** Proposes candidates in large namespaces; null: exact search everywhere. */
  private final LuceneIndex ann;
  private final VectorIndexOptions options;
  private final java.util.concurrent.atomic.LongAdder loadedOffloaded = new java.util.concurrent.atomic.LongAdder();

  /** Exact search only. */
  VectorIndex() {
    this(null, VectorIndexOptions.EXACT);
  }

  VectorIndex(LuceneIndex ann, VectorIndexOptions options) {
    this.ann = options.hnsw() ? ann : null;
    this.options = options;
  }

  /** Adds or replaces the vector and filter fields of a memory (the vector is copied). */
  void put(Memory memory, float[] vector) {
    float[] copy = vector.clone();
    putLoaded(memory, copy);
    if (ann != null) {
      ann.upsert(memory, copy);
    }
  }

  /**
   * Adds a memory read from the store, taking ownership of {@code vector}, without telling the ANN
   * index: a load is followed by {@link LuceneIndex#sync}, which compares everything at once.
   */
  void putLoaded(Memory memory, float[] vector) {
    shard(memory.namespace()).put(new Entry(memory.id(), vector, IndexedMemory.canonical(memory)));
  }

  /**
   * As {@link #putLoaded(Memory, float[])}, but without the vector when {@code indexed} (read from
   * the Lucene index before the load) holds it and the memory's text in a namespace it will serve.
   */
  void putLoaded(Memory memory, float[] vector, IndexedHashes indexed) {
    if (ann == null || options.heapVectors() || !indexed.holds(memory, vector, options.exactBelow())) {
      putLoaded(memory, vector);
      return;
    }
    shard(memory.namespace()).put(new Entry(memory.id(), null, vector.length, LuceneDocuments.vectorHash(vector),
        IndexedMemory.canonical(memory)));
    loadedOffloaded.increment();
  }

  /** Whether a load should read the Lucene index's hashes first (the vectors it serves leave the heap). */
  boolean offloads() {
    return ann != null && !options.heapVectors();
  }

  /** Memories loaded without their vector on the heap (tests). */
  long loadedOffloaded() {
    return loadedOffloaded.sum();
  }

  /** Every entry of every namespace (one snapshot per namespace). */
  List<Entry> entries() {
    List<Entry> out = new ArrayList<>(total());
    for (VectorShard s : shards.values()) {
      VectorShard.Snapshot snap = s.snapshot;
      out.addAll(Arrays.asList(snap.entries()).subList(0, snap.count()));
    }
    return out;
  }

  /** Number of entries in all namespaces. */
  int total() {
    return shards.values().stream().mapToInt(s -> s.snapshot.count()).sum();
  }

  /** The dimension most entries have (the store's model), or 0 when empty. */
  int dimension() {
    Map<Integer, Integer> count = new HashMap<>();
    for (VectorShard s : shards.values()) {
      VectorShard.Snapshot snap = s.snapshot;
      for (int i = 0; i < snap.count(); i += Math.max(1, snap.count() / 64)) {
        count.merge(snap.entries()[i].dimension(), 1, Integer::sum);
      }
    }
    return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(0);
  }

  /**
   * Replaces an indexed memory, keeping its vector (a memory without one only goes to the Lucene
   * index). An offloaded vector is read back from the index for the new document.
   */
  void refresh(Memory memory) {
    Memory shared = IndexedMemory.canonical(memory);
    update(memory.namespace(), memory.id(), old -> IndexedMemory.withAccess(shared, old));
    if (ann != null) {
      Entry e = get(memory.namespace(), memory.id());
      float[] vector = e == null ? null : e.vector();
      if (e != null && vector == null) {
        try {
          vector = indexedVectors(memory.namespace(), List.of(e)).get(e.id());
        } catch (IllegalStateException unreadable) {
          // the index holds the vector it was offloaded to unless its files failed: keep the old document rather than drop the vector
          LOG.error("memory {}: {}; its text in the vector index stays stale until a restart re-syncs", e.id(), unreadable.getMessage());
          return;
        }
      }
      ann.upsert(memory, vector);
    }
  }

  /** Counts one access of an indexed memory at {@code at}; no-op when absent. */
  void touch(String namespace, String id, long at) {
    update(namespace, id, m -> new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(),
        m.name(), m.content(), m.summary(), m.tags(), m.category(), m.importance(),
        m.confidence(), m.metadata(), m.source(), m.sessionId(), m.createdAt(), m.updatedAt(),
        m.expiresAt(), m.accessCount() + 1,
        m.lastAccessed() == null ? at : Math.max(m.lastAccessed(), at), m.embeddingModel()));
  }

  private void update(String namespace, String id, UnaryOperator<Memory> change) {
    VectorShard s = shards.get(namespace);
    if (s != null) {
      s.update(id, change);
    }
  }

  void remove(String namespace, String id) {
    VectorShard s = shards.get(namespace);
    if (s != null) {
      s.remove(id);
    }
    if (ann != null) {
      ann.delete(namespace, id);
    }
  }

  /** Number of vectors in a namespace. */
  int size(String namespace) {
    VectorShard s = shards.get(namespace);
    return s == null ? 0 : s.snapshot.count();
  }

  /** The offload that drops this index's vectors from the heap once Lucene holds them; null when they stay. */
  VectorOffload offloader() {
    return offloads() ? new VectorOffload(this) : null;
  }

  /** Whether the Lucene index serves {@code namespace}'s vector searches (it is large enough). */
  boolean servedByIndex(String namespace) {
    return ann != null && size(namespace) >= options.exactBelow();
  }

  /**
   * The Lucene index's searcher holds memory {@code id} with a vector of hash {@code indexedHash}:
   * in a namespace it serves, the heap copy goes when it is that vector.
   */
  void offload(String namespace, String id, long indexedHash) {
    VectorShard s = shards.get(namespace);
    if (s != null && indexedHash != 0 && servedByIndex(namespace)) {
      s.offload(id, indexedHash);
    }
  }

  /** Vectors of {@code namespace} on the heap (the rest are offloaded to the Lucene index). */
  int heapVectors(String namespace) {
    VectorShard s = shards.get(namespace);
    return s == null ? 0 : s.heapVectors;
  }

  /** The namespaces holding entries (or having held them). */
  java.util.Set<String> namespaces() {
    return java.util.Set.copyOf(shards.keySet());
  }

  /**
   * Copies of the vectors of {@code ids} that have one, by id, offloaded ones read from the Lucene
   * index (throws when it cannot read them, see {@link #indexedVectors}).
   */
  Map<String, float[]> vectors(String namespace, java.util.Collection<String> ids) {
    Map<String, float[]> out = new java.util.LinkedHashMap<>();
    List<Entry> offloaded = new ArrayList<>();
    for (String id : ids) {
      Entry e = get(namespace, id);
      if (e != null && e.vector() != null) {
        out.put(id, e.vector().clone());
      } else if (e != null) {
        offloaded.add(e);
        out.put(id, null); // keeps the caller's order
      }
    }
    if (!offloaded.isEmpty()) {
      out.putAll(indexedVectors(namespace, offloaded));
    }
    return out;
  }

  /** The entry of a memory, or null. */
  Entry get(String namespace, String id) {
    VectorShard s = shards.get(namespace);
    return s == null ? null : s.get(id);
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
    VectorShard s = shards.get(namespace);
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
   * exactly and filtered here. Asks for ef candidates first (more in a larger namespace,
   * {@link VectorIndexOptions#efFor}); when filters narrowing the namespace
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
    int ask = Math.max(k, options.efFor(size));
    for (int attempt = 0; ; attempt++) {
      List<LuceneVectors.Indexed> candidates = ann.search(namespace, query, ask, size, offloaded);
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
  private Map<String, float[]> indexedVectors(String namespace, List<Entry> entries) {
    Map<String, LuceneVectors.Indexed> read = ann == null ? null
        : ann.vectors(namespace, entries.stream().map(Entry::id).toList());
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
    VectorShard s = shards.get(namespace);
    if (ann == null || s == null || s.snapshot.count() < options.exactBelow() || terms.isEmpty() || k <= 0) {
      return null;
    }
    int ask = narrows(filters) ? k * 4 : k + 8; // a few more for expired memories
    List<Scored> hits = ann.keyword(namespace, terms, ask, s.snapshot.count());
    if (hits == null) {
      return null;
    }
    List<Scored> out = new ArrayList<>(k);
    for (Scored hit : hits) {
      Entry e = s.get(hit.id());
      if (e == null) {
        return null;
      }
      if (filters.test(e.memory, now)) {
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
      if (top.accepts(score) && filters.test(e.memory, now)) {
        top.offer(score, e);
      }
    }
    return top;
  }

  private VectorShard shard(String namespace) {
    return shards.computeIfAbsent(namespace, n -> new VectorShard());
  }
}
