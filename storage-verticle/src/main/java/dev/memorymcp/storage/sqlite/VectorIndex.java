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

/**
 * The in-memory index: per namespace, every memory with its vector. Filters are checked during the
 * scan, and reads by id ({@link #get}) are served from here without SQL: the recall path loads its
 * candidates from memory. Costs about the size of the text on the heap.
 * Search is an exact dot product (the vectors are unit length, so it is the cosine) with a bounded
 * min-heap for the top k and the filters applied during the scan.
 *
 * <p>Thread-safe. Searches read an immutable snapshot (array + count) without locking; writers
 * serialise per namespace. Appends write past the published count, replacing an entry is one
 * reference write, and a removal copies the array, so a running scan never sees an entry twice.
 */
final class VectorIndex {

  /** One indexed memory, whole, with its vector. */
  record Entry(String id, float[] vector, Memory memory) {}

  private final Map<String, Shard> shards = new ConcurrentHashMap<>();
  /** Proposes candidates in large namespaces; null: exact search everywhere. */
  private final LuceneIndex ann;
  private final VectorIndexOptions options;

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
    shard(memory.namespace()).put(new Entry(memory.id(), vector, canonical(memory)));
  }

  /**
   * The memory with its low-cardinality strings shared (namespace, scope, scope id, type, category,
   * source, session id, model, tags): read row by row, each was a copy of its own, about 60 bytes
   * apiece, which at a million memories is hundreds of MiB of heap.
   */
  static Memory canonical(Memory m) {
    List<String> tags = m.tags() == null || m.tags().isEmpty() ? List.of()
        : m.tags().stream().map(String::intern).toList();
    return new Memory(m.id(), intern(m.namespace()), intern(m.scope()), intern(m.scopeId()), intern(m.type()),
        m.name(), m.content(), m.summary(), tags, intern(m.category()), m.importance(), m.confidence(),
        m.metadata(), intern(m.source()), intern(m.sessionId()), m.createdAt(), m.updatedAt(), m.expiresAt(),
        m.accessCount(), m.lastAccessed(), intern(m.embeddingModel()));
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }

  /** Every entry of every namespace (one snapshot per namespace). */
  List<Entry> entries() {
    List<Entry> out = new ArrayList<>(total());
    for (Shard s : shards.values()) {
      Snapshot snap = s.snapshot;
      out.addAll(Arrays.asList(snap.entries).subList(0, snap.count));
    }
    return out;
  }

  /** Number of entries in all namespaces. */
  int total() {
    return shards.values().stream().mapToInt(s -> s.snapshot.count).sum();
  }

  /** The dimension most entries have (the store's model), or 0 when empty. */
  int dimension() {
    Map<Integer, Integer> count = new HashMap<>();
    for (Shard s : shards.values()) {
      Snapshot snap = s.snapshot;
      for (int i = 0; i < snap.count; i += Math.max(1, snap.count / 64)) {
        count.merge(snap.entries[i].vector().length, 1, Integer::sum);
      }
    }
    return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(0);
  }

  /** Replaces an indexed memory, keeping its vector (a memory without one only goes to the Lucene index). */
  void refresh(Memory memory) {
    Memory shared = canonical(memory);
    update(memory.namespace(), memory.id(), old -> withAccess(shared, old));
    if (ann != null) {
      Entry e = get(memory.namespace(), memory.id());
      ann.upsert(memory, e == null ? null : e.vector());
    }
  }

  /** The store keeps access counters across updates (recordAccess may land in between): so does the index. */
  static Memory withAccess(Memory m, Memory old) {
    if (old == null || old.accessCount() <= m.accessCount()) {
      return m;
    }
    return new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(), m.name(),
        m.content(), m.summary(), m.tags(), m.category(), m.importance(), m.confidence(),
        m.metadata(), m.source(), m.sessionId(), m.createdAt(), m.updatedAt(), m.expiresAt(),
        old.accessCount(), old.lastAccessed(), m.embeddingModel());
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
    Shard s = shards.get(namespace);
    if (s != null) {
      s.update(id, change);
    }
  }

  void remove(String namespace, String id) {
    Shard s = shards.get(namespace);
    if (s != null) {
      s.remove(id);
    }
    if (ann != null) {
      ann.delete(namespace, id);
    }
  }

  /** Number of vectors in a namespace. */
  int size(String namespace) {
    Shard s = shards.get(namespace);
    return s == null ? 0 : s.snapshot.count;
  }

  /** The entry of a memory, or null. */
  Entry get(String namespace, String id) {
    Shard s = shards.get(namespace);
    return s == null ? null : s.get(id);
  }

  /** More changes than this not yet searchable in the ANN index: scan exactly instead. */
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
    Shard s = shards.get(namespace);
    if (s == null || k <= 0) {
      return List.of();
    }
    Snapshot snap = s.snapshot;
    if (ann != null && snap.count >= options.exactBelow()) {
      List<Scored> approximate = approximate(s, namespace, snap.count, query, k, filters, now);
      if (approximate != null) {
        return approximate;
      }
    }
    int parts = Math.max(1, Math.min(CORES, snap.count / PARALLEL_MIN_PER_PART));
    if (parts == 1) {
      return scan(snap, 0, snap.count, query, k, filters, now).sorted();
    }
    int per = (snap.count + parts - 1) / parts;
    List<java.util.concurrent.ForkJoinTask<TopK>> others = new ArrayList<>();
    for (int p = 1; p < parts; p++) {
      int from = p * per;
      int to = Math.min(snap.count, from + per);
      others.add(java.util.concurrent.ForkJoinPool.commonPool()
          .submit(() -> scan(snap, from, to, query, k, filters, now)));
    }
    TopK top = scan(snap, 0, per, query, k, filters, now);
    for (java.util.concurrent.ForkJoinTask<TopK> t : others) {
      TopK part = t.join();
      top.addAll(part);
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
  private List<Scored> approximate(Shard s, String namespace, int size, float[] query, int k,
      Filters filters, long now) {
    java.util.Collection<String> unsearched = ann.unsearched(namespace);
    if (unsearched.size() > UNSEARCHED_LIMIT) {
      return null; // a bulk the index has not caught up with: scoring those alone costs a scan
    }
    int ask = Math.max(k, options.efFor(size));
    for (int attempt = 0; ; attempt++) {
      List<String> candidates = ann.search(namespace, query, ask, size);
      if (candidates == null) {
        return null;
      }
      TopK top = new TopK(k);
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (String id : candidates) {
        consider(s.get(id), query, filters, now, top, seen);
      }
      for (String id : unsearched) {
        consider(s.get(id), query, filters, now, top, seen);
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

  private static void consider(Entry e, float[] query, Filters filters, long now, TopK top,
      java.util.Set<String> seen) {
    if (e == null || e.vector.length != query.length || !seen.add(e.id)) {
      return;
    }
    float score = Vectors.dot(query, e.vector);
    if (top.accepts(score) && filters.test(e.memory, now)) {
      top.offer(score, e);
    }
  }

  /**
   * The best k memories of a large namespace by BM25 over Latin-script terms, from the Lucene index,
   * filtered here; null when FTS5 must answer (no Lucene index, a small namespace, the index not
   * caught up, a hit without an in-memory entry such as a memory stored without a vector, or
   * filters narrower than the over-fetch).
   */
  List<Scored> keyword(String namespace, List<String> terms, int k, Filters filters, long now) {
    Shard s = shards.get(namespace);
    if (ann == null || s == null || s.snapshot.count < options.exactBelow() || terms.isEmpty() || k <= 0) {
      return null;
    }
    int ask = narrows(filters) ? k * 4 : k + 8; // a few more for expired memories
    List<Scored> hits = ann.keyword(namespace, terms, ask, s.snapshot.count);
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

  private static TopK scan(Snapshot snap, int from, int to, float[] query, int k, Filters filters,
      long now) {
    TopK top = new TopK(k);
    for (int i = from; i < to; i++) {
      Entry e = snap.entries[i];
      if (e.vector.length != query.length) {
        continue; // a vector of another model, waiting for replaceVectors
      }
      float score = Vectors.dot(query, e.vector);
      if (top.accepts(score) && filters.test(e.memory, now)) {
        top.offer(score, e);
      }
    }
    return top;
  }

  private Shard shard(String namespace) {
    return shards.computeIfAbsent(namespace, n -> new Shard());
  }

  private record Snapshot(Entry[] entries, int count) {}

  private static final class Shard {
    private volatile Snapshot snapshot = new Snapshot(new Entry[16], 0);
    /** id to slot; guarded by this. */
    private final Map<String, Integer> slots = new HashMap<>();

    synchronized Entry get(String id) {
      Integer slot = slots.get(id);
      return slot == null ? null : snapshot.entries[slot];
    }

    synchronized void put(Entry e) {
      Snapshot s = snapshot;
      Integer slot = slots.get(e.id());
      if (slot != null) {
        s.entries[slot] = new Entry(e.id(), e.vector(), withAccess(e.memory(), s.entries[slot].memory()));
        snapshot = new Snapshot(s.entries, s.count);
        return;
      }
      Entry[] entries = s.entries;
      if (s.count == entries.length) {
        entries = Arrays.copyOf(entries, entries.length * 2);
      }
      entries[s.count] = e;
      slots.put(e.id(), s.count);
      snapshot = new Snapshot(entries, s.count + 1);
    }

    synchronized void update(String id, UnaryOperator<Memory> change) {
      Integer slot = slots.get(id);
      if (slot != null) {
        Snapshot s = snapshot;
        Entry old = s.entries[slot];
        s.entries[slot] = new Entry(id, old.vector(), change.apply(old.memory()));
        snapshot = new Snapshot(s.entries, s.count);
      }
    }

    synchronized void remove(String id) {
      Integer slot = slots.remove(id);
      if (slot == null) {
        return;
      }
      Snapshot s = snapshot;
      Entry[] entries = Arrays.copyOf(s.entries, s.entries.length);
      int last = s.count - 1;
      if (slot != last) {
        entries[slot] = entries[last];
        slots.put(entries[slot].id(), slot);
      }
      entries[last] = null;
      snapshot = new Snapshot(entries, last);
    }
  }
}
