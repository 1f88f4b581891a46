package dev.memorymcp.storage.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FileSwitchDirectory;
import org.apache.lucene.store.NIOFSDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open Lucene index of a {@link LuceneIndex}: its directory, writer (HNSW vectors, float32 or
 * int8, with the codec's graph parameters), merge scheduler and searchers. Used from the index thread,
 * but the searchers, which any thread may acquire.
 */
final class LuceneFiles {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneFiles.class);
  /** HNSW graph degree and build beam: Lucene's defaults, recall@10 ≥ 0.99 in bench/RESULTS.md. */
  static final int M = 16;
  static final int BEAM_WIDTH = 100;
  static final int SEGMENTS_PER_TIER = 4;
  static final double FLOOR_SEGMENT_MB = 16;
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private static final ExecutorService MERGE_WORKERS = Executors.newFixedThreadPool(CORES, r -> {
    Thread t = new Thread(r, "memory-lucene-merge");
    t.setDaemon(true);
    return t;
  });
  /** Runs one search's per-segment parts in parallel. */
  private static final ExecutorService SEGMENT_SEARCH = Executors.newFixedThreadPool(CORES, r -> {
    Thread t = new Thread(r, "memory-lucene-search");
    t.setDaemon(true);
    return t;
  });

  final Directory directory;
  final ConcurrentMergeScheduler merges;
  final IndexWriter writer;
  final SearcherManager searchers;
  /**
   * Documents a segment grows to at most (vector_index.segment_docs). One HNSW graph needs a wider
   * search to keep its recall as it grows (at 1M memories in one segment recall@10 was 0.97 at ef
   * 400); a search explores every segment's smaller graph, in parallel over the cores
   * (bench/RESULTS.md).
   */
  private final int segmentDocs;

  private LuceneFiles(Directory directory, ConcurrentMergeScheduler merges, IndexWriter writer,
      SearcherManager searchers, int segmentDocs) {
    this.segmentDocs = segmentDocs;
    this.directory = directory;
    this.merges = merges;
    this.writer = writer;
    this.searchers = searchers;
  }

  /**
   * Opens the index in {@code dir}, creating it when missing; new segments get {@code format}, and
   * merges stop at about {@code segmentDocs} documents.
   */
  static LuceneFiles open(Path dir, double ramBufferMb, VectorIndexOptions.Format format, int segmentDocs)
      throws IOException {
    Files.createDirectories(dir);
    Directory directory = directory(dir, format);
    KnnVectorsFormat hnsw = vectorsFormat(format);
    IndexWriterConfig config = new IndexWriterConfig(LuceneDocuments.ANALYZER).setRAMBufferSizeMB(ramBufferMb)
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
        .setCodec(new Lucene912Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return hnsw;
          }
        });
    ConcurrentMergeScheduler merges = new ConcurrentMergeScheduler();
    config.setMergeScheduler(merges);
    config.setMergePolicy(new SegmentCap(mergePolicy(), segmentDocs));
    config.setMaxBufferedDocs(segmentDocs); // a flush never makes a segment over the cap either
    IndexWriter writer;
    try {
      writer = new IndexWriter(directory, config);
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
    SearcherManager searchers = new SearcherManager(writer, new SearcherFactory() {
      @Override
      public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
        return new IndexSearcher(reader, SEGMENT_SEARCH); // an HNSW search per segment, spread over the cores
      }
    });
    LuceneFiles files = new LuceneFiles(directory, merges, writer, searchers, segmentDocs);
    try {
      files.capSegments();
    } catch (IOException e) {
      LOG.warn("cannot read the index's segment sizes; merges are not capped until the next sync", e);
    }
    return files;
  }

  /**
   * The index files, memory-mapped (Lucene's default), but for int8 the float32 vectors ({@code .vec}),
   * read with positional reads: the graph search reads the int8 copy, and the float32 one is only
   * read for the few hundred candidates a search re-scores. Mapped, every page a search touched would
   * count in the process's resident memory until the kernel reclaimed it; read, it stays in the page
   * cache only (1.5 GB at 1M memories of 384 dimensions).
   */
  static Directory directory(Path dir, VectorIndexOptions.Format format) throws IOException {
    FSDirectory mapped = FSDirectory.open(dir);
    if (format == VectorIndexOptions.Format.FLOAT32) {
      return mapped; // the graph search reads the float32 vectors: mapped they are fastest
    }
    return new FileSwitchDirectory(java.util.Set.of(FLOAT_VECTORS_EXTENSION), new NIOFSDirectory(dir), mapped, true);
  }

  /** The extension of the float32 vector data file of Lucene99FlatVectorsFormat (beside the int8 .veq). */
  static final String FLOAT_VECTORS_EXTENSION = "vec";

  /** Lucene's format for {@code format}; merges re-insert vectors into one graph, spread over the cores. */
  static KnnVectorsFormat vectorsFormat(VectorIndexOptions.Format format) {
    return switch (format) {
      case FLOAT32 -> new Lucene99HnswVectorsFormat(M, BEAM_WIDTH, CORES, MERGE_WORKERS);
      // 7 bits, Lucene's default confidence interval; int8 alone lost 2-3 points of recall@10,
      // the float32 re-score of the candidates wins them back (bench/RESULTS.md)
      case INT8 -> new Lucene99HnswScalarQuantizedVectorsFormat(M, BEAM_WIDTH, CORES, 7, false, null, MERGE_WORKERS);
    };
  }

  /**
   * An HNSW search visits every segment, so steady writes (a small segment per refresh) must not
   * leave many: at most {@link #SEGMENTS_PER_TIER} per size tier instead of Lucene's ten, and
   * segments under {@link #FLOOR_SEGMENT_MB} counted as that size, so the small ones merge early
   * (cheap) without merging into the large one more often.
   */
  static TieredMergePolicy mergePolicy() {
    TieredMergePolicy policy = new TieredMergePolicy();
    policy.setSegmentsPerTier(SEGMENTS_PER_TIER);
    policy.setFloorSegmentMB(FLOOR_SEGMENT_MB);
    return policy;
  }

  /**
   * Tells the tiered merge policy, which counts bytes, about the cap of {@link #segmentDocs}
   * documents: that many documents at the index's bytes per document so far (the vectors'
   * dimension and the texts' length set it), so it leaves segments near the cap alone rather than
   * propose merges {@link SegmentCap} drops. Nothing while no commit holds documents.
   */
  void capSegments() throws IOException {
    long bytes = 0;
    int docs = 0;
    try {
      for (var segment : org.apache.lucene.index.SegmentInfos.readLatestCommit(directory)) {
        bytes += segment.sizeInBytes();
        docs += segment.info.maxDoc();
      }
    } catch (org.apache.lucene.index.IndexNotFoundException nothingCommitted) {
      return;
    }
    if (docs > 0 && bytes > 0) {
      double mb = (double) bytes / docs * segmentDocs / (1 << 20);
      ((SegmentCap) writer.getConfig().getMergePolicy()).tiered().setMaxMergedSegmentMB(Math.max(FLOOR_SEGMENT_MB, mb));
    }
  }

  /**
   * The vectors indexed so far: their dimension (0: none yet), and whether a segment holds them in
   * another format than {@code format} (a changed setting).
   */
  record Indexed(int dimension, boolean otherFormat) {}

  /** Reads {@link Indexed} from one reader over the current segments. */
  Indexed indexed(VectorIndexOptions.Format format) throws IOException {
    String want = vectorsFormat(format).getName();
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      FieldInfo first = LuceneDocuments.vectorField(reader);
      boolean other = false;
      for (var leaf : reader.leaves()) {
        FieldInfo info = leaf.reader().getFieldInfos().fieldInfo(LuceneDocuments.VECTOR);
        other |= info != null && info.getVectorDimension() > 0
            && !want.equals(info.getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY));
      }
      return new Indexed(first == null ? 0 : first.getVectorDimension(), other);
    }
  }

  /**
   * Merges a bulk's segments (after a rebuild into as few as hold {@link #segmentDocs} each,
   * {@link SegmentCap}), commits, and refreshes the searchers.
   */
  void mergeAfterBulk(boolean rebuilt) throws IOException {
    capSegments();
    if (rebuilt) {
      writer.forceMerge(1); // the cap decides the count
    } else {
      writer.maybeMerge();
    }
    merges.sync();
    writer.commit();
    searchers.maybeRefreshBlocking();
  }

  /** Extensions of the HNSW files: float32 vectors, int8 vectors, graph. */
  static final java.util.Set<String> VECTOR_FILES = java.util.Set.of("vec", "veq", "vex");

  /**
   * Reads the vector and graph files of {@code dir} once, in order, into the page cache (logs the
   * bytes read; a failure only costs the first searches a disk access). From a cold cache a search's graph walk and re-score read a few hundred places
   * at random, a disk access each (hybrid p50 40 ms at 1M against 22 with the float32 vectors on the
   * heap, which the load had read in order); read in order they cost seconds once. The pages are
   * the kernel's to drop under memory pressure; nothing is pinned.
   */
  static void prefetch(Path dir) {
    long t0 = System.nanoTime();
    try {
      long bytes = readVectorFiles(dir);
      LOG.info("vector index files read into the page cache: {} MB in {} ms", bytes >> 20, (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException e) {
      LOG.warn("reading the vector index files ahead failed; the first searches read them from disk", e);
    }
  }

  private static long readVectorFiles(Path dir) throws IOException {
    long bytes = 0;
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(1 << 20);
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> VECTOR_FILES.contains(FileSwitchDirectory.getExtension(f.getFileName().toString()))).toList()) {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
          for (int n; (n = channel.read(buffer.clear())) >= 0; ) {
            bytes += n;
          }
        } catch (java.nio.file.NoSuchFileException merged) {
          // a merge removed it meanwhile: its successor is read by the next start
        }
      }
    }
    return bytes;
  }

  /** A call on an index reader. */
  interface ReaderCall {
    void run(IndexReader reader) throws IOException;
  }

  /** Runs {@code call} on the current searcher's reader. */
  void withReader(ReaderCall call) throws IOException {
    var s = searchers.acquire();
    try {
      call.run(s.getIndexReader());
    } finally {
      searchers.release(s);
    }
  }

  /** Closes the searchers, the writer (which commits) and the directory. */
  void close() {
    try {
      searchers.close();
      writer.close();
      directory.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing the vector index failed", e);
    }
  }
}
