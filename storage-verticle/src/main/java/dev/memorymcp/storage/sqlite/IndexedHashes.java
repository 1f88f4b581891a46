package dev.memorymcp.storage.sqlite;

import static dev.memorymcp.storage.sqlite.LuceneDocuments.KEY;
import static dev.memorymcp.storage.sqlite.LuceneDocuments.SEP;

import dev.memorymcp.bus.Memory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * What the Lucene index held before the load: per document with a vector, its vector and text
 * hashes, and the documents per namespace. The load leaves off the heap the vector of a memory
 * whose document is current in a namespace the index will serve ({@link #holds}), so a start does
 * not first put every vector on the heap (1.5 GB at 1M) for the sync to drop. Writes wait for the
 * load, so nothing changes the index between this read and the sync. Transient: about 150 bytes a
 * document while the load runs.
 */
final class IndexedHashes {
  static final IndexedHashes NONE = new IndexedHashes(Map.of(), Map.of(), 0);

  private final Map<String, Long> byKey;
  private final Map<String, Integer> perNamespace;
  private final int dimension;

  private IndexedHashes(Map<String, Long> byKey, Map<String, Integer> perNamespace, int dimension) {
    this.byKey = byKey;
    this.perNamespace = perNamespace;
    this.dimension = dimension;
  }

  /** Every live document with a vector of {@code reader}, whose vectors have {@code dimension}. */
  static IndexedHashes read(IndexReader reader, int dimension) throws IOException {
    Map<String, Long> byKey = new HashMap<>();
    Map<String, Integer> perNamespace = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      Bits live = leaf.reader().getLiveDocs();
      BinaryDocValues keys = leaf.reader().getBinaryDocValues(KEY);
      NumericDocValues vectorHashes = leaf.reader().getNumericDocValues(LuceneDocuments.VECTOR_HASH);
      NumericDocValues textHashes = leaf.reader().getNumericDocValues(LuceneDocuments.TEXT_HASH);
      if (keys == null || vectorHashes == null || textHashes == null) {
        continue;
      }
      for (int doc = vectorHashes.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = vectorHashes.nextDoc()) {
        long vectorHash = vectorHashes.longValue();
        if (vectorHash == 0 || (live != null && !live.get(doc)) || !keys.advanceExact(doc) || !textHashes.advanceExact(doc)) {
          continue;
        }
        String key = keys.binaryValue().utf8ToString();
        int sep = key.indexOf(SEP);
        if (sep > 0) {
          byKey.put(key, combine(vectorHash, textHashes.longValue()));
          perNamespace.merge(key.substring(0, sep), 1, Integer::sum);
        }
      }
    }
    return new IndexedHashes(byKey, perNamespace, dimension);
  }

  /**
   * Whether the index holds {@code memory} with this {@code vector} and its current text, in a
   * namespace of at least {@code servedFrom} indexed memories.
   */
  boolean holds(Memory memory, float[] vector, int servedFrom) {
    if (vector.length != dimension || perNamespace.getOrDefault(memory.namespace(), 0) < servedFrom) {
      return false;
    }
    Long indexed = byKey.get(LuceneDocuments.key(memory.namespace(), memory.id()));
    return indexed != null
        && indexed == combine(LuceneDocuments.vectorHash(vector), LuceneDocuments.textHash(memory));
  }

  /** Documents read (tests, log). */
  int size() {
    return byKey.size();
  }

  private static long combine(long vectorHash, long textHash) {
    return vectorHash * 0x9E3779B97F4A7C15L + textHash;
  }
}
