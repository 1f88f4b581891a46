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
import org.apache.lucene.store.FSDirectory;
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

  final FSDirectory directory;
  final ConcurrentMergeScheduler merges;
  final IndexWriter writer;
  final SearcherManager searchers;

  private LuceneFiles(FSDirectory directory, ConcurrentMergeScheduler merges, IndexWriter writer,
      SearcherManager searchers) {
    this.directory = directory;
    this.merges = merges;
    this.writer = writer;
    this.searchers = searchers;
  }

  /** Opens the index in {@code dir}, creating it when missing; new segments get {@code format}. */
  static LuceneFiles open(Path dir, double ramBufferMb, VectorIndexOptions.Format format) throws IOException {
    Files.createDirectories(dir);
    FSDirectory directory = FSDirectory.open(dir);
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
    config.setMergePolicy(mergePolicy());
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
    return new LuceneFiles(directory, merges, writer, searchers);
  }

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

  /** Merges a bulk's segments (into one after a rebuild), commits, and refreshes the searchers. */
  void mergeAfterBulk(boolean rebuilt) throws IOException {
    if (rebuilt) {
      writer.forceMerge(1);
    } else {
      writer.maybeMerge();
    }
    merges.sync();
    writer.commit();
    searchers.maybeRefreshBlocking();
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
