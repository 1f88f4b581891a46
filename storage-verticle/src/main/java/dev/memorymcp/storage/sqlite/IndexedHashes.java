package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * What the Lucene index held before the load: per document with a vector, its vector and text
 * hashes, and the documents per namespace. The load leaves off the heap the vector of a memory
 * whose document is current in a namespace the index will serve ({@link #currentVectorHash}; the namespace's
 * size counts its documents with or without a vector), so a start does
 * not first put every vector on the heap (1.5 GB at 1M) for the sync to drop. Writes wait for the
 * load, so nothing changes the index between this read and the sync. Transient: 32 bytes a document
 * while the load runs.
 */
final class IndexedHashes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IndexedHashes.class);
  static final IndexedHashes NONE = new IndexedHashes(new HashTable(0), Map.of(), 0);

  private final HashTable byKey;
  private final Map<String, Integer> perNamespace;
  private final int dimension;

  private IndexedHashes(HashTable byKey, Map<String, Integer> perNamespace, int dimension) {
    this.byKey = byKey;
    this.perNamespace = perNamespace;
    this.dimension = dimension;
  }

  /** Every live document with a vector of {@code reader}, whose vectors have {@code dimension}. */
  static IndexedHashes read(IndexReader reader, int dimension) throws IOException {
    HashTable byKey = new HashTable(reader.numDocs());
    Map<String, Integer> perNamespace = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      countNamespaces(leaf.reader(), perNamespace);
    }
    LuceneDocuments.forEachLive(reader, (key, vectorHash, textHash) -> {
      if (vectorHash != 0) {
        byKey.put(keyHash(key.bytes, key.offset, key.length), combine(vectorHash, textHash));
      }
    });
    return new IndexedHashes(byKey, perNamespace, dimension);
  }

  /** Adds the leaf's live documents per namespace (a namespace term's document count, not a pass over the documents). */
  private static void countNamespaces(LeafReader leaf, Map<String, Integer> perNamespace) throws IOException {
    Terms namespaces = leaf.terms(LuceneDocuments.NAMESPACE);
    if (namespaces == null) {
      return;
    }
    Bits live = leaf.getLiveDocs();
    TermsEnum terms = namespaces.iterator();
    PostingsEnum postings = null;
    for (BytesRef term = terms.next(); term != null; term = terms.next()) {
      int count = terms.docFreq();
      if (live != null) { // docFreq counts deleted documents too
        count = 0;
        postings = terms.postings(postings, PostingsEnum.NONE);
        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
          count += live.get(doc) ? 1 : 0;
        }
      }
      perNamespace.merge(term.utf8ToString(), count, Integer::sum);
    }
  }

  /**
   * The hash of {@code vector} when the index holds {@code memory} with this vector and its current
   * text, in a namespace of at least {@code servedFrom} indexed memories; 0 otherwise. (The caller
   * keeps the hash, so the load computes it once a row.)
   */
  long currentVectorHash(Memory memory, float[] vector, int servedFrom) {
    if (vector.length != dimension || perNamespace.getOrDefault(memory.namespace(), 0) < servedFrom) {
      return 0;
    }
    byte[] key = LuceneDocuments.key(memory.namespace(), memory.id()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long indexed = byKey.get(keyHash(key, 0, key.length));
    if (indexed == HashTable.ABSENT) {
      return 0;
    }
    long vectorHash = LuceneDocuments.vectorHash(vector);
    return indexed == combine(vectorHash, LuceneDocuments.textHash(memory)) && vectorHash != 0 ? vectorHash : 0;
  }

  /**
   * What the index of {@code files} holds, or NONE when it holds no vectors or another format than
   * {@code format} (the sync will rebuild it).
   */
  static IndexedHashes of(LuceneFiles files, VectorIndexOptions.Format format) throws IOException {
    LuceneFiles.Indexed indexed = files.indexed(format);
    if (indexed.otherFormat() || indexed.dimension() == 0) {
      return NONE;
    }
    long t0 = System.nanoTime();
    try (var reader = org.apache.lucene.index.DirectoryReader.open(files.writer)) {
      IndexedHashes out = read(reader, indexed.dimension());
      LOG.info("vector index: {} documents' hashes read in {} ms before the load", out.size(), (System.nanoTime() - t0) / 1_000_000);
      return out;
    }
  }

  /** {@link #of} on {@code thread} (the index thread) for the files open then; NONE when it cannot read them. */
  static java.util.concurrent.CompletableFuture<IndexedHashes> readOn(java.util.concurrent.Executor thread,
      java.util.function.Supplier<LuceneFiles> files, VectorIndexOptions.Format format) {
    var out = new java.util.concurrent.CompletableFuture<IndexedHashes>();
    try {
      thread.execute(() -> {
        try {
          LuceneFiles f = files.get();
          out.complete(f == null ? NONE : of(f, format));
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot read the vector index's hashes; the load keeps every vector on the heap until the sync", e);
          out.complete(NONE);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      out.complete(NONE);
    }
    return out;
  }

  /** Documents read (tests, log). */
  int size() {
    return byKey.size();
  }

  private static long combine(long vectorHash, long textHash) {
    long c = vectorHash * 0x9E3779B97F4A7C15L + textHash;
    return c == HashTable.ABSENT ? 1 : c;
  }

  /** FNV-1a over a key's UTF-8 bytes: a million keys as longs instead of strings (16 against about 150 bytes each). */
  private static long keyHash(byte[] bytes, int offset, int length) {
    long h = 0xcbf29ce484222325L;
    for (int i = offset; i < offset + length; i++) {
      h ^= bytes[i] & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /**
   * long → long, open addressing (linear probing). A false "current" needs two keys with the same
   * 64-bit hash and the row's own vector and text hashes matching the other document's.
   */
  private static final class HashTable {
    static final long ABSENT = 0;
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    HashTable(int expected) {
      int capacity = Integer.highestOneBit(Math.max(2, expected) * 2 - 1) << 1; // load factor ≤ 0.5
      keys = new long[capacity];
      values = new long[capacity];
      mask = capacity - 1;
    }

    void put(long key, long value) {
      if (size >= keys.length / 2) {
        return; // more documents than counted (cannot happen: sized from the reader); the load keeps that vector
      }
      int i = slot(key);
      if (values[i] == ABSENT) {
        size++;
      }
      keys[i] = key;
      values[i] = value;
    }

    long get(long key) {
      return keys.length == 0 ? ABSENT : values[slot(key)];
    }

    int size() {
      return size;
    }

    private int slot(long key) {
      int i = (int) (key ^ (key >>> 32)) & mask;
      while (values[i] != ABSENT && keys[i] != key) {
        i = (i + 1) & mask;
      }
      return i;
    }
  }
}
