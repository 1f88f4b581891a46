package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.storage.MemoryStore.Scored;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene index's document layout: one document per memory, keyed by namespace + id, with the
 * hashes that tell a stale document, the vector (when the memory has one) and the Latin-script text.
 */
final class LuceneDocuments {
  private LuceneDocuments() {}

  /** namespace + SEP + id: a term (updates, deletes) and a doc value (hits back to ids). */
  static final String KEY = "key";
  /** The namespace, a filter term. */
  static final String NAMESPACE = "ns";
  /** Hash of the vector (0: none) and of the text, compared by the sync. */
  static final String VECTOR_HASH = "vh";
  static final String TEXT_HASH = "th";
  static final String VECTOR = "v";
  static final String TEXT = "text";
  static final char SEP = '\u0000';
  static final Analyzer ANALYZER = new LatinAnalyzer();

  static String key(String namespace, String id) {
    return namespace + SEP + id;
  }

  static Term keyTerm(String namespace, String id) {
    return new Term(KEY, key(namespace, id));
  }

  static Document document(Memory m, float[] vector) {
    String key = key(m.namespace(), m.id());
    Document doc = new Document();
    doc.add(new StringField(KEY, key, Field.Store.NO));
    doc.add(new BinaryDocValuesField(KEY, new BytesRef(key.getBytes(StandardCharsets.UTF_8))));
    doc.add(new StringField(NAMESPACE, m.namespace(), Field.Store.NO));
    doc.add(new NumericDocValuesField(VECTOR_HASH, vector == null ? 0 : vectorHash(vector)));
    doc.add(new NumericDocValuesField(TEXT_HASH, textHash(m)));
    if (vector != null) {
      doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
    }
    for (String text : texts(m)) {
      doc.add(new TextField(TEXT, text, Field.Store.NO));
    }
    return doc;
  }

  /** The text FTS5's memories_fts holds for a memory: name, content, summary, tags (space-separated). */
  static List<String> texts(Memory m) {
    List<String> out = new ArrayList<>(4);
    for (String t : new String[] {m.name(), m.content(), m.summary(),
        m.tags() == null || m.tags().isEmpty() ? null : String.join(" ", m.tags())}) {
      if (t != null && !t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /** FNV-1a over the text's characters (never 0): tells a document whose text changed. */
  static long textHash(Memory m) {
    long h = 0xcbf29ce484222325L;
    for (String t : texts(m)) {
      for (int i = 0; i < t.length(); i++) {
        h ^= t.charAt(i);
        h *= 0x100000001b3L;
      }
      h ^= 0x1f;
      h *= 0x100000001b3L;
    }
    return h == 0 ? 1 : h;
  }

  /** FNV-1a over the float bits: tells a document whose vector changed. */
  static long vectorHash(float[] v) {
    long h = 0xcbf29ce484222325L;
    for (float f : v) {
      h ^= Float.floatToIntBits(f);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** A query term as the analyser splits it: one token is a term query, several a phrase; null when none. */
  static Query termQuery(String term) {
    List<String> tokens = new ArrayList<>();
    try (TokenStream ts = ANALYZER.tokenStream(TEXT, term)) {
      CharTermAttribute attr = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        tokens.add(attr.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (tokens.isEmpty()) {
      return null;
    }
    return tokens.size() == 1 ? new TermQuery(new Term(TEXT, tokens.get(0)))
        : new PhraseQuery(TEXT, tokens.toArray(String[]::new));
  }

  /** Hits of {@code namespace} as ids with their scores, in order. */
  static List<Scored> ids(IndexReader reader, ScoreDoc[] hits, String namespace) throws IOException {
    List<Scored> out = new ArrayList<>(hits.length);
    String prefix = namespace + SEP;
    for (ScoreDoc hit : hits) {
      List<LeafReaderContext> leaves = reader.leaves();
      LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(hit.doc, leaves));
      BinaryDocValues keys = leaf.reader().getBinaryDocValues(KEY);
      String key = keys != null && keys.advanceExact(hit.doc - leaf.docBase) ? keys.binaryValue().utf8ToString() : null;
      if (key != null && key.startsWith(prefix)) {
        out.add(new Scored(key.substring(prefix.length()), hit.score));
      }
    }
    return out;
  }

  /** Receives a document's key bytes (valid during the call only) and its hashes. */
  interface DocumentHashes {
    void accept(BytesRef key, long vectorHash, long textHash) throws IOException;
  }

  /** Every live document's key with its vector hash (0: no vector) and text hash, leaf by leaf in document order. */
  static void forEachLive(IndexReader reader, DocumentHashes consumer) throws IOException {
    for (LeafReaderContext leaf : reader.leaves()) {
      org.apache.lucene.util.Bits live = leaf.reader().getLiveDocs();
      BinaryDocValues keys = leaf.reader().getBinaryDocValues(KEY);
      org.apache.lucene.index.NumericDocValues vectorHashes = leaf.reader().getNumericDocValues(VECTOR_HASH);
      org.apache.lucene.index.NumericDocValues textHashes = leaf.reader().getNumericDocValues(TEXT_HASH);
      if (keys == null || vectorHashes == null || textHashes == null) {
        continue;
      }
      for (int doc = keys.nextDoc(); doc != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS; doc = keys.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        consumer.accept(keys.binaryValue(), vectorHashes.advanceExact(doc) ? vectorHashes.longValue() : 0,
            textHashes.advanceExact(doc) ? textHashes.longValue() : 0);
      }
    }
  }

  /** The vector field's description (its dimension), or null when no document has a vector. */
  static FieldInfo vectorField(IndexReader reader) {
    for (LeafReaderContext leaf : reader.leaves()) {
      FieldInfo info = leaf.reader().getFieldInfos().fieldInfo(VECTOR);
      if (info != null && info.getVectorDimension() > 0) {
        return info;
      }
    }
    return null;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
