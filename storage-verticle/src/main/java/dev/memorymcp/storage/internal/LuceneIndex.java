package dev.memorymcp.storage.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.storage.MemoryStore.Scored;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.store.FSDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Lucene index beside the SQLite file for the searches of large namespaces: one document per
 * memory (key namespace + id) with its vector in an HNSW graph and its Latin-script text for BM25
 * ({@link LatinAnalyzer}, the counterpart of the FTS5 table {@code memories_fts}), whose top k
 * Lucene finds without scoring every matching document (block-max WAND). It only proposes
 * candidates: the in-memory {@link VectorIndex} re-scores vector candidates exactly and applies
 * the filters to both, so the index may lag without returning anything wrong. SQLite stays the
 * source of truth; this directory can be deleted at any time and is rebuilt ({@link #sync}).
 *
 * <p>Changes are applied in order on one thread ("memory-ann"): Lucene's writer may block on a
 * flush or merge, which must not happen on an event loop. A change is visible to searches after
 * the next refresh (every {@link #REFRESH_MS} ms); until then its id is listed by
 * {@link #unsearched}, which the caller scores exactly. Commits run every {@link #COMMIT_MS} ms and
 * on close; after a crash, {@link #sync} repairs whatever the last commit missed by comparing
 * each document's vector hash with the loaded vectors.
 */
final class LuceneIndex {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneIndex.class);
  static final int REFRESH_MS = 250;
  static final int BULK_REFRESH_MS = 5_000;
  /** Above this many queued changes the index is "catching_up" rather than warm in health. */
  static final int WARM_BACKLOG = 1_000;
  /** A sync adding at least this share of the documents merges them into one segment afterwards. */
  static final double REBUILD_SHARE = 0.5;
  /** How long a keyword search waits for its namespace's queued changes before asking FTS5. */
  static final int CATCH_UP_MS = 200;
  static final String TEXT = "text";
  static final double RAM_BUFFER_MB = 64;
  private static final LatinAnalyzer ANALYZER = new LatinAnalyzer();
  static final int COMMIT_MS = 60_000;
  /** HNSW graph degree and build beam: Lucene's defaults, recall@10 ≥ 0.99 in bench/RESULTS.md. */
  static final int M = 16;
  static final int BEAM_WIDTH = 100;
  private static final char SEP = '\u0000';

  private final Path dir;
  private final ScheduledExecutorService thread;
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private static final java.util.concurrent.ExecutorService MERGE_WORKERS = Executors.newFixedThreadPool(CORES, r -> {
    Thread t = new Thread(r, "memory-lucene-merge");
    t.setDaemon(true);
    return t;
  });
  /** Runs one search's per-segment parts in parallel. */
  private static final java.util.concurrent.ExecutorService SEGMENT_SEARCH = Executors.newFixedThreadPool(
      Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "memory-lucene-search");
        t.setDaemon(true);
        return t;
      });
  private FSDirectory directory;
  private ConcurrentMergeScheduler merges;
  private IndexWriter writer;
  private volatile SearcherManager searchers;
  /** Per namespace: ids changed after the current searcher was opened, with the change's number. */
  private final Map<String, Map<String, Long>> unsearched = new ConcurrentHashMap<>();
  private final AtomicLong changeNo = new AtomicLong();
  /** Touched only on the index thread. */
  private volatile long applied;
  private long lastRefreshNanos;
  private long refreshedUpTo;
  private boolean dirty;
  private volatile boolean ready;
  private volatile boolean closed;
  private volatile String state = "opening";
  private final AtomicLong syncedDocs = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong answeredKeyword = new AtomicLong();
  private volatile long syncTotal;

  LuceneIndex(Path dir) {
    this.dir = dir;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "memory-ann");
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens (or creates) the Lucene index on the index thread; failures leave it unused, never the store. */
  void open() {
    thread.execute(() -> {
      try {
        openWriter();
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot open the vector index in {}; recreating it", dir, e);
        try {
          closeWriter();
          deleteTree(dir);
          openWriter();
        } catch (IOException | RuntimeException again) {
          state = "failed: " + again.getMessage();
          LOG.error("vector index disabled: exact search serves every namespace", again);
          return;
        }
      }
      thread.scheduleWithFixedDelay(this::periodicRefresh, REFRESH_MS, REFRESH_MS, TimeUnit.MILLISECONDS);
      thread.scheduleWithFixedDelay(this::commit, COMMIT_MS, COMMIT_MS, TimeUnit.MILLISECONDS);
    });
  }

  private void openWriter() throws IOException {
    Files.createDirectories(dir);
    directory = FSDirectory.open(dir);
    // merges re-insert vectors into one graph: spread that over the cores
    KnnVectorsFormat hnsw = new Lucene99HnswVectorsFormat(M, BEAM_WIDTH, CORES, MERGE_WORKERS);
    IndexWriterConfig config = new IndexWriterConfig(ANALYZER).setRAMBufferSizeMB(RAM_BUFFER_MB)
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
        .setCodec(new Lucene912Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return hnsw;
          }
        });
    merges = new ConcurrentMergeScheduler();
    config.setMergeScheduler(merges);
    writer = new IndexWriter(directory, config);
    searchers = new SearcherManager(writer, new SearcherFactory() {
      @Override
      public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
        return new IndexSearcher(reader, SEGMENT_SEARCH); // an HNSW search per segment, spread over the cores
      }
    });
    state = "loading";
  }

  /** Whether searches may ask it (it has been brought in line with the loaded vectors). */
  boolean ready() {
    return ready && !closed;
  }

  /** {state, synced?, total?} for health: opening, loading, syncing, merging, warm, failed, closed. */
  Map<String, Object> status() {
    long queued = backlog();
    String s = closed ? "closed" : !ready ? state : queued >= WARM_BACKLOG ? "catching_up" : "warm";
    return switch (s) {
      case "syncing" -> Map.of("state", s, "synced", syncedDocs.get(), "total", syncTotal);
      case "catching_up" -> Map.of("state", s, "queued", queued);
      default -> Map.of("state", s);
    };
  }

  /** Searches it answered (tests tell the HNSW path from the exact fallback). */
  long answered() {
    return answered.get();
  }

  /** Adds or replaces a memory, with its vector or none (applied in order on the index thread). */
  void upsert(Memory memory, float[] vector) {
    long no = mark(memory.namespace(), memory.id());
    submit(() -> {
      writer.updateDocument(keyTerm(memory.namespace(), memory.id()), document(memory, vector));
      done(no);
    });
  }

  void delete(String namespace, String id) {
    long no = mark(namespace, id);
    submit(() -> {
      writer.deleteDocuments(keyTerm(namespace, id));
      done(no);
    });
  }

  /** Ids of a namespace whose change the searcher may not see yet: score them exactly. */
  Collection<String> unsearched(String namespace) {
    Map<String, Long> m = unsearched.get(namespace);
    return m == null ? List.of() : m.keySet();
  }

  /**
   * Up to {@code n} candidate ids of {@code namespace} near {@code query}, best first, or null when
   * the index cannot answer (not ready, another dimension, closed). {@code namespaceSize} lets a
   * namespace that is (nearly) the whole index skip the namespace filter.
   */
  List<String> search(String namespace, float[] query, int n, int namespaceSize) {
    SearcherManager mgr = searchers;
    if (!ready() || mgr == null) {
      return null;
    }
    IndexSearcher s;
    try {
      s = mgr.acquire();
    } catch (IOException | RuntimeException e) {
      return null;
    }
    try {
      int docs = s.getIndexReader().numDocs();
      boolean whole = namespaceSize >= docs * 0.9;
      int ask = whole ? n + (docs - namespaceSize) : n;
      FieldInfo info = vectorField(s.getIndexReader());
      if (info != null && info.getVectorDimension() != query.length) {
        return null;
      }
      KnnFloatVectorQuery q = new KnnFloatVectorQuery("v", query, Math.max(1, ask),
          whole ? null : new TermQuery(new Term("ns", namespace)));
      List<String> out = new ArrayList<>();
      for (Scored hit : ids(s, s.search(q, Math.max(1, ask)).scoreDocs, namespace)) {
        out.add(hit.id());
      }
      answered.incrementAndGet();
      return out;
    } catch (IOException | RuntimeException e) {
      LOG.warn("vector index search failed; exact search answers", e);
      return null;
    } finally {
      try {
        mgr.release(s);
      } catch (IOException ignored) {
        // a released searcher that fails to close keeps its files until the next refresh
      }
    }
  }

  /**
   * The best {@code n} memories of {@code namespace} by BM25 over their Latin-script text for any
   * of {@code terms} (each a word or a phrase, analysed as the FTS5 table would), best first; null
   * when the index cannot answer now (not ready, or changes to this namespace still being applied
   * after {@link #CATCH_UP_MS} ms), so the caller asks FTS5.
   */
  List<Scored> keyword(String namespace, List<String> terms, int n) {
    if (!ready() || searchers == null || !caughtUp(namespace)) {
      return null;
    }
    BooleanQuery.Builder anyTerm = new BooleanQuery.Builder();
    int clauses = 0;
    for (String term : terms) {
      Query q = termQuery(term);
      if (q != null) {
        anyTerm.add(q, BooleanClause.Occur.SHOULD);
        clauses++;
      }
    }
    if (clauses == 0) {
      return List.of();
    }
    Query query = new BooleanQuery.Builder().add(anyTerm.build(), BooleanClause.Occur.MUST)
        .add(new TermQuery(new Term("ns", namespace)), BooleanClause.Occur.FILTER).build();
    SearcherManager mgr = searchers;
    IndexSearcher s;
    try {
      s = mgr.acquire();
    } catch (IOException | RuntimeException e) {
      return null;
    }
    try {
      List<Scored> out = ids(s, s.search(query, Math.max(1, n)).scoreDocs, namespace);
      answeredKeyword.incrementAndGet();
      return out;
    } catch (IOException | RuntimeException e) {
      LOG.warn("keyword search in the Lucene index failed; FTS5 answers", e);
      return null;
    } finally {
      try {
        mgr.release(s);
      } catch (IOException ignored) {
        // as in search
      }
    }
  }

  /** A term as the analyser splits it: one token is a term query, several a phrase; null when none. */
  private static Query termQuery(String term) {
    List<String> tokens = new ArrayList<>();
    try (TokenStream ts = ANALYZER.tokenStream(TEXT, term)) {
      CharTermAttribute attr = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        tokens.add(attr.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (tokens.isEmpty()) {
      return null;
    }
    return tokens.size() == 1 ? new TermQuery(new Term(TEXT, tokens.get(0)))
        : new PhraseQuery(TEXT, tokens.toArray(String[]::new));
  }

  /**
   * Whether every change to {@code namespace} made so far is searchable; when some are still queued,
   * waits (bounded) for them to be applied and a refresh, as a keyword search cannot score a memory
   * outside the index the way the vector search re-scores one.
   */
  private boolean caughtUp(String namespace) {
    Map<String, Long> pending = unsearched.get(namespace);
    if (pending == null || pending.isEmpty()) {
      return true;
    }
    try {
      thread.submit(this::refresh).get(CATCH_UP_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
        | java.util.concurrent.RejectedExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return pending.isEmpty();
  }

  /** Keyword searches it answered (tests). */
  long answeredKeyword() {
    return answeredKeyword.get();
  }

  /** Hits of {@code namespace} as ids with their scores, in order. */
  private static List<Scored> ids(IndexSearcher s, ScoreDoc[] hits, String namespace) throws IOException {
    List<Scored> out = new ArrayList<>(hits.length);
    String prefix = namespace + SEP;
    for (ScoreDoc hit : hits) {
      String key = key(s.getIndexReader().leaves(), hit.doc);
      if (key != null && key.startsWith(prefix)) {
        out.add(new Scored(key.substring(prefix.length()), hit.score));
      }
    }
    return out;
  }

  /**
   * Brings the index in line with {@code loaded} (namespace → id → vector, the source of truth) on
   * the index thread: removes documents whose memory is gone or whose vector changed, adds what is
   * missing, then refreshes and commits. Searches use the index once it is done.
   */
  void sync(VectorIndex loaded, List<Memory> withoutVectors) {
    ready = false;
    submit(() -> {
      state = "syncing";
      long t0 = System.nanoTime();
      syncTotal = loaded.total();
      syncedDocs.set(0);
      Set<String> seen = new HashSet<>();
      Map<String, Memory> bare = new java.util.HashMap<>();
      withoutVectors.forEach(m -> bare.put(m.namespace() + SEP + m.id(), m));
      int removed = 0;
      int added = 0;
      int dimension = loaded.dimension();
      if (dimension > 0 && indexedDimension() > 0 && indexedDimension() != dimension) {
        LOG.info("vector index holds {}-dimension vectors, the store {}: rebuilding it", indexedDimension(), dimension);
        writer.deleteAll();
        writer.commit();
        closeWriter();
        deleteTree(dir);
        openWriter();
      }
      try (DirectoryReader reader = DirectoryReader.open(writer)) {
        for (LeafReaderContext leaf : reader.leaves()) {
          Bits live = leaf.reader().getLiveDocs();
          BinaryDocValues keys = leaf.reader().getBinaryDocValues("key");
          NumericDocValues hashes = leaf.reader().getNumericDocValues("vh");
          NumericDocValues textHashes = leaf.reader().getNumericDocValues("th");
          if (keys == null || hashes == null || textHashes == null) {
            continue;
          }
          for (int doc = keys.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = keys.nextDoc()) {
            if (live != null && !live.get(doc)) {
              continue;
            }
            String key = keys.binaryValue().utf8ToString();
            long hash = hashes.advanceExact(doc) ? hashes.longValue() : 0;
            long textHash = textHashes.advanceExact(doc) ? textHashes.longValue() : 0;
            int sep = key.indexOf(SEP);
            String ns = sep < 0 ? "" : key.substring(0, sep);
            String id = sep < 0 ? "" : key.substring(sep + 1);
            VectorIndex.Entry e = sep < 0 ? null : loaded.get(ns, id);
            Memory plain = e == null ? bare.get(key) : null;
            if (e != null && e.vector().length == dimension && hash(e.vector()) == hash
                && textHash(e.memory()) == textHash
                || plain != null && hash == 0 && textHash(plain) == textHash) {
              seen.add(key);
            } else {
              writer.deleteDocuments(new Term("key", key));
              removed++;
            }
          }
        }
      }
      long missing = syncTotal + bare.size() - seen.size();
      if (missing > 10_000) {
        writer.getConfig().setRAMBufferSizeMB(256); // a bulk: fewer, larger segments
      }
      for (Memory m : bare.values()) {
        if (!seen.contains(m.namespace() + SEP + m.id())) {
          writer.updateDocument(keyTerm(m.namespace(), m.id()), document(m, null));
          added++;
        }
      }
      for (VectorIndex.Entry e : loaded.entries()) {
        String key = e.memory().namespace() + SEP + e.id();
        if (!seen.contains(key)) {
          writer.updateDocument(new Term("key", key),
              document(e.memory(), e.vector().length == dimension ? e.vector() : null));
          added++;
        }
        if (syncedDocs.incrementAndGet() % 50_000 == 0) {
          LOG.info("vector index sync: {} / {} checked, {} added", syncedDocs.get(), syncTotal, added);
        }
      }
      long upTo = changeNo.get();
      searchers.maybeRefreshBlocking();
      refreshed(upTo);
      dirty = removed + added > 0;
      commit();
      writer.getConfig().setRAMBufferSizeMB(RAM_BUFFER_MB);
      if (added > 0) {
        // a bulk of new segments: an HNSW search visits every segment, so merge them before serving
        state = "merging";
        long m0 = System.nanoTime();
        if (added >= REBUILD_SHARE * (syncTotal + bare.size()) && added > 1) {
          writer.forceMerge(1);
        } else {
          writer.maybeMerge();
        }
        merges.sync();
        writer.commit();
        searchers.maybeRefreshBlocking();
        LOG.info("vector index merged after the sync in {} ms", (System.nanoTime() - m0) / 1_000_000);
      }
      ready = true;
      state = "warm";
      LOG.info("vector index in line with the store: {} documents kept, {} removed, {} added in {} ms",
          seen.size(), removed, added, (System.nanoTime() - t0) / 1_000_000);
    });
  }

  /** Waits until every change queued so far is applied and searchable (tests; bounded). */
  void flush() {
    try {
      thread.submit(this::refresh).get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("vector index did not catch up", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Commits and closes; waits for queued changes (bounded). */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    thread.execute(() -> {
      commit();
      closeWriter();
    });
    thread.shutdown();
    try {
      if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("vector index did not close within 30 s; the next start repairs it");
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes and deletes the directory (the vectors belong to a model no longer served). */
  void discard() {
    close();
    try {
      deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("cannot delete {}", dir, e);
    }
  }

  // ---- index thread ----

  private interface Change {
    void run() throws IOException;
  }

  private void submit(Change change) {
    if (closed) {
      return;
    }
    try {
      thread.execute(() -> {
        if (writer == null) {
          return; // failed to open: exact search serves
        }
        try {
          change.run();
          dirty = true;
        } catch (IOException | RuntimeException e) {
          LOG.warn("vector index change failed; the next sync repairs it", e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing: the next start's sync adds what this missed
    }
  }

  private long mark(String namespace, String id) {
    long no = changeNo.incrementAndGet();
    unsearched.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>()).put(id, no);
    return no;
  }

  private void done(long no) {
    applied = Math.max(applied, no);
  }

  /**
   * Every {@link #REFRESH_MS} ms when the queue is empty; during a bulk (changes still queued) every
   * {@link #BULK_REFRESH_MS} ms only, so the writer flushes fewer, larger segments (fewer merges, each
   * of which re-inserts its vectors into a graph).
   */
  private void periodicRefresh() {
    if (backlog() > 0 && System.nanoTime() - lastRefreshNanos < BULK_REFRESH_MS * 1_000_000L) {
      return;
    }
    refresh();
  }

  /** Changes queued and not applied yet. */
  long backlog() {
    return changeNo.get() - applied;
  }

  private void refresh() {
    lastRefreshNanos = System.nanoTime();
    if (writer == null || refreshedUpTo >= applied) {
      return;
    }
    try {
      long upTo = applied;
      searchers.maybeRefreshBlocking();
      refreshed(upTo);
    } catch (IOException | RuntimeException e) {
      LOG.warn("vector index refresh failed", e);
    }
  }

  /** Forgets the unsearched ids whose change the refreshed searcher holds. */
  private void refreshed(long upTo) {
    refreshedUpTo = Math.max(refreshedUpTo, upTo);
    for (Map<String, Long> ids : unsearched.values()) {
      ids.entrySet().removeIf(e -> e.getValue() <= upTo);
    }
  }

  private void commit() {
    if (writer == null || !dirty) {
      return;
    }
    try {
      writer.commit();
      dirty = false;
    } catch (IOException | RuntimeException e) {
      LOG.warn("vector index commit failed; the next start repairs it", e);
    }
  }

  private void closeWriter() {
    try {
      if (searchers != null) {
        searchers.close();
      }
      if (writer != null) {
        writer.close();
      }
      if (directory != null) {
        directory.close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing the vector index failed", e);
    } finally {
      writer = null;
      directory = null;
    }
  }

  private int indexedDimension() throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      FieldInfo info = vectorField(reader);
      return info == null ? 0 : info.getVectorDimension();
    }
  }

  private static FieldInfo vectorField(org.apache.lucene.index.IndexReader reader) {
    for (LeafReaderContext leaf : reader.leaves()) {
      FieldInfo info = leaf.reader().getFieldInfos().fieldInfo("v");
      if (info != null && info.getVectorDimension() > 0) {
        return info;
      }
    }
    return null;
  }

  private static String key(List<LeafReaderContext> leaves, int doc) throws IOException {
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    BinaryDocValues keys = leaf.reader().getBinaryDocValues("key");
    return keys != null && keys.advanceExact(doc - leaf.docBase) ? keys.binaryValue().utf8ToString() : null;
  }

  private static Term keyTerm(String namespace, String id) {
    return new Term("key", namespace + SEP + id);
  }

  private static Document document(Memory m, float[] vector) {
    String key = m.namespace() + SEP + m.id();
    Document doc = new Document();
    doc.add(new StringField("key", key, Field.Store.NO));
    doc.add(new BinaryDocValuesField("key", new BytesRef(key.getBytes(StandardCharsets.UTF_8))));
    doc.add(new StringField("ns", m.namespace(), Field.Store.NO));
    doc.add(new NumericDocValuesField("vh", vector == null ? 0 : hash(vector)));
    doc.add(new NumericDocValuesField("th", textHash(m)));
    if (vector != null) {
      doc.add(new KnnFloatVectorField("v", vector, VectorSimilarityFunction.DOT_PRODUCT));
    }
    for (String text : texts(m)) {
      doc.add(new TextField(TEXT, text, Field.Store.NO));
    }
    return doc;
  }

  /** The text FTS5's memories_fts holds for a memory: name, content, summary, tags (space-separated). */
  private static List<String> texts(Memory m) {
    List<String> out = new ArrayList<>(4);
    for (String t : new String[] {m.name(), m.content(), m.summary(),
        m.tags() == null || m.tags().isEmpty() ? null : String.join(" ", m.tags())}) {
      if (t != null && !t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /** Tells a document whose text changed. */
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
  static long hash(float[] v) {
    long h = 0xcbf29ce484222325L;
    for (float f : v) {
      h ^= Float.floatToIntBits(f);
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static void deleteTree(Path dir) throws IOException {
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
