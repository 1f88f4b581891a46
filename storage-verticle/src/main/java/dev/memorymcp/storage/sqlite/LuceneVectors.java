package dev.memorymcp.storage.sqlite;

import static dev.memorymcp.storage.sqlite.LuceneDocuments.KEY;
import static dev.memorymcp.storage.sqlite.LuceneDocuments.SEP;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Reads the float32 vectors the Lucene index holds (each stored beside its int8 copy), with their
 * hashes: for a search's hits, for memories by id, and every document's hash for the offload pass
 * ({@link VectorOffload}). A namespace served by the index keeps no vectors on the heap, so its
 * candidates are re-scored with these. Doc values and vector values are iterators, so each leaf is
 * read in ascending document order.
 */
final class LuceneVectors {
  private LuceneVectors() {}

  /** A document's memory id, the hash of its vector (0: none) and the vector, or null when asked without. */
  record Indexed(String id, long vectorHash, float[] vector) {}

  /** The hits (global doc ids, best first) of {@code namespace}, in the same order, with their vectors when {@code withVectors}. */
  static List<Indexed> ofHits(IndexReader reader, int[] docs, String namespace, boolean withVectors) throws IOException {
    List<LeafReaderContext> leaves = reader.leaves();
    Indexed[] out = new Indexed[docs.length];
    Map<Integer, List<int[]>> byLeaf = new HashMap<>(); // leaf → {doc in leaf, position in docs}
    for (int i = 0; i < docs.length; i++) {
      int leaf = ReaderUtil.subIndex(docs[i], leaves);
      byLeaf.computeIfAbsent(leaf, l -> new ArrayList<>()).add(new int[] {docs[i] - leaves.get(leaf).docBase, i});
    }
    String prefix = namespace + SEP;
    for (Map.Entry<Integer, List<int[]>> e : byLeaf.entrySet()) {
      List<int[]> wanted = e.getValue();
      wanted.sort(Comparator.comparingInt(w -> w[0]));
      read(leaves.get(e.getKey()).reader(), wanted, prefix, withVectors, (w, indexed) -> out[w[1]] = indexed);
    }
    List<Indexed> hits = new ArrayList<>(docs.length);
    for (Indexed x : out) {
      if (x != null) {
        hits.add(x);
      }
    }
    return hits;
  }

  /** The live documents of {@code ids} in {@code namespace}, with their vectors when {@code withVectors}, by id (absent: not indexed). */
  static Map<String, Indexed> ofIds(IndexReader reader, String namespace, Iterable<String> ids, boolean withVectors)
      throws IOException {
    Map<String, Indexed> out = new HashMap<>();
    String prefix = namespace + SEP;
    for (LeafReaderContext leaf : reader.leaves()) {
      Terms terms = leaf.reader().terms(KEY);
      if (terms == null) {
        continue;
      }
      TermsEnum keys = terms.iterator();
      Bits live = leaf.reader().getLiveDocs();
      List<int[]> wanted = new ArrayList<>();
      PostingsEnum postings = null;
      for (String id : ids) {
        if (!keys.seekExact(new BytesRef((prefix + id).getBytes(StandardCharsets.UTF_8)))) {
          continue;
        }
        postings = keys.postings(postings, PostingsEnum.NONE);
        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
          if (live == null || live.get(doc)) {
            wanted.add(new int[] {doc, 0});
          }
        }
      }
      wanted.sort(Comparator.comparingInt(w -> w[0]));
      read(leaf.reader(), wanted, prefix, withVectors, (w, indexed) -> out.put(indexed.id(), indexed));
    }
    return out;
  }

  /** Every live document with a vector: its namespace, id and vector hash, leaf by leaf, in document order. */
  static void forEachHash(IndexReader reader, HashConsumer consumer) throws IOException {
    LuceneDocuments.forEachLive(reader, (keyBytes, vectorHash, textHash) -> {
      if (vectorHash == 0) {
        return;
      }
      String key = keyBytes.utf8ToString();
      int sep = key.indexOf(SEP);
      if (sep > 0) {
        consumer.accept(key.substring(0, sep), key.substring(sep + 1), vectorHash);
      }
    });
  }

  interface HashConsumer {
    void accept(String namespace, String id, long vectorHash);
  }

  private interface Found {
    void accept(int[] wanted, Indexed indexed);
  }

  /** Reads the {@code wanted} documents of one leaf (ascending doc order) whose key starts with {@code prefix}. */
  private static void read(LeafReader leaf, List<int[]> wanted, String prefix, boolean withVectors, Found found)
      throws IOException {
    BinaryDocValues keys = leaf.getBinaryDocValues(KEY);
    NumericDocValues hashes = leaf.getNumericDocValues(LuceneDocuments.VECTOR_HASH);
    FloatVectorValues vectors = withVectors ? leaf.getFloatVectorValues(LuceneDocuments.VECTOR) : null;
    if (keys == null) {
      return;
    }
    for (int[] w : wanted) {
      int doc = w[0];
      if (!keys.advanceExact(doc)) {
        continue;
      }
      String key = keys.binaryValue().utf8ToString();
      if (!key.startsWith(prefix)) {
        continue;
      }
      long hash = hashes != null && hashes.advanceExact(doc) ? hashes.longValue() : 0;
      float[] vector = null;
      if (vectors != null && vectors.docID() <= doc) {
        int at = vectors.docID() == doc ? doc : vectors.advance(doc);
        vector = at == doc ? vectors.vectorValue().clone() : null; // the values reuse one array
      }
      found.accept(w, new Indexed(key.substring(prefix.length()), hash, vector));
    }
  }
}
