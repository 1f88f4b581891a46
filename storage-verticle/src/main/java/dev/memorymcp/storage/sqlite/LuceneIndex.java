package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.search.SearcherManager;
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
 * {@link #unsearched} ({@link PendingChanges}), which the caller scores exactly. Commits run every
 * {@link #COMMIT_MS} ms and on close; after a crash, {@link #sync} ({@link LuceneSync}) repairs
 * whatever the last commit missed. The document layout is {@link LuceneDocuments}.
 */
final class LuceneIndex {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneIndex.class);
  static final int REFRESH_MS = 250;
  static final int BULK_REFRESH_MS = 5_000;
  /** Above this many queued changes the index is "catching_up" rather than warm in health. */
  static final int WARM_BACKLOG = 1_000;
  /** A sync adding at least this share of the documents force-merges them afterwards (into segments of vector_index.segment_docs). */
  static final double REBUILD_SHARE = 0.5;
  /** How long a keyword search waits for its namespace's queued changes before asking FTS5. */
  static final int CATCH_UP_MS = 200;
  static final double RAM_BUFFER_MB = 64;
  static final int COMMIT_MS = 60_000;

  private final Path dir;
  private final VectorIndexOptions.Format format;
  private final int segmentDocs;
  private final ScheduledExecutorService thread;
  /** Null until opened, and after a failed open or close. */
  private volatile LuceneFiles files;
  private final PendingChanges pending = new PendingChanges();
  /** Touched only on the index thread. */
  private long lastRefreshNanos;
  private long refreshedUpTo;
  private boolean dirty;
  private volatile boolean ready;
  private volatile boolean closed;
  private volatile String state = "opening";
  private final AtomicLong syncedDocs = new AtomicLong();
  private final LuceneSearches searches = new LuceneSearches(this);
  private volatile long syncTotal;
  /** Told which vectors the searcher holds after each refresh; null while syncing, or with heap vectors kept. */
  private volatile VectorOffload offload;
  /** Runs on the index thread as a sync starts comparing (tests hold the sync there). */
  private volatile Runnable beforeSyncRun = () -> {};

  LuceneIndex(Path dir, VectorIndexOptions options) {
    this.dir = dir;
    this.format = options.format();
    this.segmentDocs = options.segmentDocs();
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
          LuceneDocuments.deleteTree(dir);
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
    files = LuceneFiles.open(dir, RAM_BUFFER_MB, format, segmentDocs);
    state = "loading";
  }

  /**
   * What the index holds ({@link IndexedHashes}), read on the index thread after it opened; NONE
   * when it failed to open or holds another format (the sync will rebuild it).
   */
  java.util.concurrent.CompletableFuture<IndexedHashes> indexedHashes() {
    return IndexedHashes.readOn(thread, () -> files, format);
  }

  /** Whether searches may ask it (it has been brought in line with the loaded vectors). */
  boolean ready() {
    return ready && !closed;
  }

  /**
   * Whether vector searches may ask it: once ready, and while a start's sync runs, when the load
   * left vectors in the index (the searcher from before the sync holds those, the rest are
   * {@link #unsearched}): without this, a search in that window read every offloaded vector by key.
   */
  boolean servesVectors() {
    return !closed && (ready || pending.servingDuringSync());
  }

  /**
   * {state, synced?, total?, queued?, segments?, largest_segment?} for health: opening, loading,
   * syncing, merging, prefetching, warm (with the segments searched and the documents of the
   * largest, which sets the search's ef), catching_up, failed, closed.
   */
  Map<String, Object> status() {
    long queued = backlog();
    String s = closed ? "closed" : !ready ? state : queued >= WARM_BACKLOG ? "catching_up" : "warm";
    int[] segments = "warm".equals(s) ? searches.segmentSizes() : null;
    return switch (s) {
      case "syncing" -> Map.of("state", s, "synced", syncedDocs.get(), "total", syncTotal);
      case "catching_up" -> Map.of("state", s, "queued", queued);
      default -> segments == null ? Map.of("state", s) : Map.of("state", s, "segments", segments.length,
          "largest_segment", java.util.Arrays.stream(segments).max().orElse(0));
    };
  }

  /** Adds or replaces a memory, with its vector or none (applied in order on the index thread). */
  void upsert(Memory memory, float[] vector) {
    long no = pending.queue(memory.namespace(), memory.id());
    submit(() -> {
      files.writer.updateDocument(LuceneDocuments.keyTerm(memory.namespace(), memory.id()),
          LuceneDocuments.document(memory, vector));
      pending.applied(no);
    });
  }

  void delete(String namespace, String id) {
    long no = pending.queue(namespace, id);
    submit(() -> {
      files.writer.deleteDocuments(LuceneDocuments.keyTerm(namespace, id));
      pending.applied(no);
    });
  }

  /** Ids of a namespace whose change the searcher may not see yet: score them exactly. */
  Collection<String> unsearched(String namespace) {
    return pending.unsearched(namespace);
  }

  /** Its searches: HNSW candidates, BM25, vectors by id. */
  LuceneSearches searches() {
    return searches;
  }

  /** The current searchers (null before the index opened). */
  SearcherManager searchers() {
    LuceneFiles f = files;
    return f == null ? null : f.searchers;
  }

  /**
   * Whether every change to {@code namespace} made so far is searchable; when some are still queued,
   * waits (bounded) for them to be applied and a refresh, as a keyword search cannot score a memory
   * outside the index the way the vector search re-scores one.
   */
  boolean caughtUp(String namespace) {
    Collection<String> waiting = pending.unsearched(namespace);
    if (waiting.isEmpty()) {
      return true;
    }
    return refreshWithin(CATCH_UP_MS) && waiting.isEmpty();
  }

  /**
   * Queues a refresh behind every change queued so far and waits for it; false when it did not run
   * within {@code millis} (or the index is closing).
   */
  private boolean refreshWithin(long millis) {
    try {
      thread.submit(this::refresh).get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
        | java.util.concurrent.RejectedExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Brings the index in line with {@code loaded} (namespace → id → vector, the source of truth) on
   * the index thread: removes documents whose memory is gone or whose vector changed, adds what is
   * missing, then refreshes and commits. Searches use the index once it is done; vector searches
   * meanwhile too when the load left vectors in it ({@link #servesVectors}).
   */
  void sync(VectorIndex loaded, List<Memory> withoutVectors) {
    ready = false;
    offload = null;
    submit(() -> {
      state = "syncing";
      long t0 = System.nanoTime();
      syncTotal = loaded.total();
      syncedDocs.set(0);
      int dimension = loaded.dimension();
      LuceneFiles.Indexed indexed = files.indexed(format);
      String rebuildFor = dimension > 0 && indexed.dimension() > 0 && indexed.dimension() != dimension
          ? indexed.dimension() + "-dimension vectors, the store " + dimension
          : indexed.otherFormat() ? "vectors in another format than vector_index.format=" + format : null;
      if (rebuildFor != null) {
        LOG.info("vector index holds {}: rebuilding it", rebuildFor);
        rebuild(loaded);
      } else {
        pending.notInSearcher(loaded.heapIdsWhereOffloaded()); // the searcher is not refreshed until the end of the run
      }
      beforeSyncRun.run();
      LuceneSync.Result r = LuceneSync.run(files.writer, loaded, withoutVectors, dimension, syncedDocs);
      long upTo = pending.lastQueued();
      files.searchers.maybeRefreshBlocking();
      refreshed(upTo);
      pending.notInSearcher(Map.of()); // the refreshed searcher holds every loaded memory
      dirty = r.removed() + r.added() > 0;
      commit();
      files.writer.getConfig().setRAMBufferSizeMB(RAM_BUFFER_MB);
      if (r.added() > 0) {
        mergeAfterBulk(r.added() >= REBUILD_SHARE * r.total() && r.added() > 1);
      }
      state = "prefetching";
      LuceneFiles.prefetch(dir);
      ready = true;
      pending.notInSearcher(null);
      state = "warm";
      VectorOffload to = loaded.offloader();
      offload = to;
      if (to != null) {
        withReader(to::afterSync);
      }
      VectorLoad.collectAfter(syncTotal);
      LOG.info("vector index in line with the store: {} documents kept, {} removed, {} added in {} ms",
          r.kept(), r.removed(), r.added(), (System.nanoTime() - t0) / 1_000_000);
    });
  }

  /**
   * Deletes the index files and opens an empty index (the sync then adds every document); the
   * vectors {@code loaded} offloaded to these files come back onto the heap first.
   */
  private void rebuild(VectorIndex loaded) throws IOException {
    VectorOffload.restoreAll(loaded, files.writer);
    closeWriter();
    LuceneDocuments.deleteTree(dir);
    openWriter();
    state = "syncing"; // health shows the rebuild's progress, not "loading"
  }

  /** An HNSW search visits every segment: merge a bulk's segments (after a rebuild into as few as the segment cap allows) before serving. */
  private void mergeAfterBulk(boolean rebuilt) throws IOException {
    state = "merging";
    long t0 = System.nanoTime();
    files.mergeAfterBulk(rebuilt);
    LOG.info("vector index merged after the sync in {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  /** Sets what runs as a sync starts comparing (tests). */
  void beforeSyncRun(Runnable hook) {
    beforeSyncRun = hook;
  }

  /** Waits until every change queued so far is applied and searchable (tests; bounded). */
  void flush() {
    if (!refreshWithin(60_000)) {
      throw new IllegalStateException("vector index did not catch up within 60 s");
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
        if (files == null) {
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
    return pending.backlog();
  }

  private void refresh() {
    lastRefreshNanos = System.nanoTime();
    if (files == null || refreshedUpTo >= pending.applied()) {
      return;
    }
    try {
      long upTo = pending.applied();
      files.searchers.maybeRefreshBlocking();
      refreshed(upTo);
    } catch (IOException | RuntimeException e) {
      LOG.warn("vector index refresh failed", e);
    }
  }

  /**
   * Forgets the unsearched ids whose change the refreshed searcher holds, and lets the offload drop
   * the heap copies of their vectors.
   */
  private void refreshed(long upTo) {
    refreshedUpTo = Math.max(refreshedUpTo, upTo);
    VectorOffload to = ready ? offload : null;
    Map<String, List<String>> now = pending.searchable(upTo, to != null);
    if (to != null && !now.isEmpty()) {
      withReader(reader -> to.changed(reader, now, namespace -> unsearched(namespace).size()));
    }
  }

  /** Runs {@code call} on the current searcher's reader (index thread); a failure leaves the heap vectors where they are. */
  private void withReader(LuceneFiles.ReaderCall call) {
    LuceneFiles f = files;
    try {
      if (f != null) {
        f.withReader(call);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("reading the vector hashes for the offload failed; the vectors stay on the heap", e);
    }
  }

  private void commit() {
    if (files == null || !dirty) {
      return;
    }
    try {
      files.writer.commit();
      dirty = false;
    } catch (IOException | RuntimeException e) {
      LOG.warn("vector index commit failed; the next start repairs it", e);
    }
  }

  private void closeWriter() {
    LuceneFiles f = files;
    files = null;
    if (f != null) {
      f.close();
    }
  }
}
