package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.MemoryStore.Scored;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The searches of the {@link LuceneIndex}: HNSW candidates and BM25 over Latin-script text, each on the current searcher; null when it cannot answer, so the caller falls back. */
final class LuceneSearches {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneSearches.class);

  private final LuceneIndex index;
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong answeredKeyword = new AtomicLong();

  LuceneSearches(LuceneIndex index) {
    this.index = index;
  }

  /** Vector searches it answered (tests tell the HNSW path from the exact fallback). */
  long answered() {
    return answered.get();
  }

  /** Keyword searches it answered (tests). */
  long answeredKeyword() {
    return answeredKeyword.get();
  }

  /**
   * Up to {@code n} candidates of {@code namespace} near {@code query}, best first, with their vector
   * hashes and, when {@code withVectors}, their float32 vectors; null when the index cannot answer
   * (not ready, another dimension, closed). {@code namespaceSize} lets a namespace that is (nearly)
   * the whole index skip the namespace filter.
   */
  List<LuceneVectors.Indexed> search(String namespace, float[] query, int n, int namespaceSize, boolean withVectors) {
    if (!index.servesVectors()) {
      return null;
    }
    return withSearcher("vector search", s -> {
      int docs = s.getIndexReader().numDocs();
      boolean whole = namespaceSize >= docs * 0.9;
      int ask = Math.max(1, whole ? n + (docs - namespaceSize) : n);
      FieldInfo info = LuceneDocuments.vectorField(s.getIndexReader());
      if (info != null && info.getVectorDimension() != query.length) {
        return null;
      }
      KnnFloatVectorQuery q = new KnnFloatVectorQuery(LuceneDocuments.VECTOR, query, ask,
          whole ? null : new TermQuery(new Term(LuceneDocuments.NAMESPACE, namespace)));
      ScoreDoc[] hits = s.search(q, ask).scoreDocs;
      int[] docIds = new int[hits.length];
      for (int i = 0; i < hits.length; i++) {
        docIds[i] = hits[i].doc;
      }
      List<LuceneVectors.Indexed> out = LuceneVectors.ofHits(s.getIndexReader(), docIds, namespace, withVectors);
      answered.incrementAndGet();
      return out;
    });
  }

  /**
   * Documents in the current searcher's largest segment (one HNSW graph), or -1 when there is no
   * searcher: the search's ef follows the graph's size, not the namespace's.
   */
  int largestSegment() {
    int[] sizes = segmentSizes();
    return sizes == null ? -1 : java.util.Arrays.stream(sizes).max().orElse(0);
  }

  /** The documents of each segment of the current searcher, deleted ones included (each an HNSW graph's nodes); null when there is none. */
  int[] segmentSizes() {
    return withSearcher("segment sizes", s -> s.getIndexReader().leaves().stream().mapToInt(leaf -> leaf.reader().maxDoc()).toArray());
  }

  /**
   * The indexed float32 vectors of {@code ids} with their hashes, by id (absent: not in the current
   * searcher); null when there is no searcher. Needs no sync: a caller checks each hash.
   */
  Map<String, LuceneVectors.Indexed> vectors(String namespace, Iterable<String> ids) {
    return withSearcher("vector read", s -> LuceneVectors.ofIds(s.getIndexReader(), namespace, ids, true));
  }

  /**
   * The best {@code n} memories of {@code namespace} by BM25 over their Latin-script text for any
   * of {@code terms} (each a word or a phrase, analysed as the FTS5 table would), best first; null
   * when the index cannot answer now (not ready, or changes to this namespace still being applied
   * after {@link #CATCH_UP_MS} ms), so the caller asks FTS5.
   */
  List<Scored> keyword(String namespace, List<String> terms, int n, int namespaceSize) {
    if (!index.ready() || !index.caughtUp(namespace)) {
      return null;
    }
    BooleanQuery.Builder anyTerm = new BooleanQuery.Builder();
    int clauses = 0;
    for (String term : terms) {
      Query q = LuceneDocuments.termQuery(term);
      if (q != null) {
        anyTerm.add(q, BooleanClause.Occur.SHOULD);
        clauses++;
      }
    }
    if (clauses == 0) {
      return List.of();
    }
    Query any = anyTerm.build();
    Query inNamespace = new BooleanQuery.Builder().add(any, BooleanClause.Occur.MUST)
        .add(new TermQuery(new Term(LuceneDocuments.NAMESPACE, namespace)), BooleanClause.Occur.FILTER).build();
    return withSearcher("keyword search", s -> {
      // a namespace that is the whole index needs no filter: over a million documents the filter's
      // postings cost more than the scoring (7.7 against 2.8 ms, bench/RESULTS.md); ids() still
      // drops another namespace's hit, and a short answer sends the caller to FTS5
      Query query = namespaceSize >= s.getIndexReader().numDocs() ? any : inNamespace;
      List<Scored> out = LuceneDocuments.ids(s.getIndexReader(), s.search(query, Math.max(1, n)).scoreDocs, namespace);
      answeredKeyword.incrementAndGet();
      return out;
    });
  }

  private interface SearcherCall<T> {
    T apply(IndexSearcher searcher) throws IOException;
  }

  /** Runs {@code call} on the current searcher; null when there is none or it fails (the caller falls back). */
  private <T> T withSearcher(String what, SearcherCall<T> call) {
    SearcherManager mgr = index.searchers();
    if (mgr == null) {
      return null;
    }
    IndexSearcher s;
    try {
      s = mgr.acquire();
    } catch (IOException | RuntimeException e) {
      return null;
    }
    try {
      return call.apply(s);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{} in the Lucene index failed; the exact path answers", what, e);
      return null;
    } finally {
      try {
        mgr.release(s);
      } catch (IOException ignored) {
        // a released searcher that fails to close keeps its files until the next refresh
      }
    }
  }
}
