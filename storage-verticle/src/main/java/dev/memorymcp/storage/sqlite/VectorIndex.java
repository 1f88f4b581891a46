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
 * candidates from memory. Costs about the size of the text on the heap. The searches over it are
 * {@link VectorSearches}.
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
  private final VectorSearches searches;
  private final java.util.concurrent.atomic.LongAdder loadedOffloaded = new java.util.concurrent.atomic.LongAdder();

  /** Exact search only. */
  VectorIndex() {
    this(null, VectorIndexOptions.EXACT);
  }

  VectorIndex(LuceneIndex ann, VectorIndexOptions options) {
    this.ann = options.hnsw() ? ann : null;
    this.options = options;
    this.searches = new VectorSearches(this, this.ann, options);
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
    long current = offloads() ? indexed.currentVectorHash(memory, vector, options.exactBelow()) : 0;
    if (current == 0) {
      putLoaded(memory, vector);
      return;
    }
    shard(memory.namespace()).put(new Entry(memory.id(), null, vector.length, current, IndexedMemory.canonical(memory)));
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
          vector = searches.indexedVectors(memory.namespace(), List.of(e)).get(e.id());
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

  /**
   * Per namespace that has offloaded entries, the ids of those whose vector is on the heap: at the
   * start of a sync, the memories the index did not hold as loaded. Null when nothing is offloaded.
   */
  Map<String, List<String>> heapIdsWhereOffloaded() {
    Map<String, List<String>> out = new HashMap<>();
    for (Map.Entry<String, VectorShard> ns : shards.entrySet()) {
      VectorShard.Snapshot snap = ns.getValue().snapshot;
      if (ns.getValue().heapVectors < snap.count()) {
        out.put(ns.getKey(), ids(snap, true));
      }
    }
    return out.isEmpty() ? null : out;
  }

  /** The ids of {@code namespace}'s entries whose vector is offloaded. */
  List<String> offloadedIds(String namespace) {
    VectorShard s = shards.get(namespace);
    return s == null || s.heapVectors == s.snapshot.count() ? List.of() : ids(s.snapshot, false);
  }

  /** The ids of the entries of {@code snap} whose vector is on the heap ({@code onHeap}) or offloaded. */
  private static List<String> ids(VectorShard.Snapshot snap, boolean onHeap) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < snap.count(); i++) {
      if ((snap.entries()[i].vector() != null) == onHeap) {
        out.add(snap.entries()[i].id());
      }
    }
    return out;
  }

  /** Puts an offloaded vector back on the heap when it is the entry's (same dimension and hash). */
  boolean restore(String namespace, String id, float[] vector) {
    VectorShard s = shards.get(namespace);
    return s != null && s.restore(id, vector);
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
   * index (throws when it cannot read them, see {@link VectorSearches#indexedVectors}).
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
      out.putAll(searches.indexedVectors(namespace, offloaded));
    }
    return out;
  }

  /** The entry of a memory, or null. */
  Entry get(String namespace, String id) {
    VectorShard s = shards.get(namespace);
    return s == null ? null : s.get(id);
  }

  /** Exact top-k among the entries passing {@code filters}, best first (see {@link VectorSearches#search}). */
  List<Scored> search(String namespace, float[] query, int k, Filters filters, long now) {
    return searches.search(namespace, query, k, filters, now);
  }

  /** The best k by BM25 from the Lucene index, or null for FTS5 (see {@link VectorSearches#keyword}). */
  List<Scored> keyword(String namespace, List<String> terms, int k, Filters filters, long now) {
    return searches.keyword(namespace, terms, k, filters, now);
  }

  /** The shard of {@code namespace}, or null. */
  VectorShard shardOf(String namespace) {
    return shards.get(namespace);
  }

  private VectorShard shard(String namespace) {
    return shards.computeIfAbsent(namespace, n -> new VectorShard());
  }
}
