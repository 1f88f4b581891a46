package dev.memorymcp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/**
 * In-process comparison of vector indexes at sizes the service cannot be filled to quickly: the
 * exact scan the service uses today against Lucene's HNSW (float32, and int8 scalar-quantized), on
 * vectors the service's own model made. The base vectors come from an export
 * ({@code GET /api/v1/export?with_vectors=true}); above the base count, and for the queries, each
 * vector is a base vector plus Gaussian noise, renormalised (so the set holds clusters of near
 * copies, a harder case for a graph than distinct texts). Recall@k is against the exact top k.
 */
final class VectorsScenario {
  private final List<float[]> base;
  private final Path workDir;
  private final Random random = new Random(7);

  VectorsScenario(Path export, Path workDir) throws IOException {
    this.base = readVectors(export);
    this.workDir = workDir;
    if (base.isEmpty()) {
      throw new IOException(export + " holds no vectors (export with ?with_vectors=true)");
    }
  }

  private List<Integer> efs = List.of(10, 50, 100);
  private List<String> formats = List.of("float32", "int8");

  JsonObject run(List<Integer> sizes, int queries, int k, double noise, int m, int beam, List<Integer> efs,
      List<String> formats) throws IOException {
    this.efs = efs;
    this.formats = formats;
    JsonArray out = new JsonArray();
    for (int size : sizes) {
      out.add(atSize(size, queries, k, noise, m, beam));
    }
    return new JsonObject().put("base_vectors", base.size()).put("dimension", base.get(0).length)
        .put("noise", noise).put("k", k).put("efs", new JsonArray(efs)).put("hnsw_m", m).put("hnsw_beam_width", beam).put("sizes", out);
  }

  private JsonObject atSize(int size, int queryCount, int k, double noise, int m, int beam) throws IOException {
    float[][] data = new float[size][];
    for (int i = 0; i < size; i++) {
      data[i] = i < base.size() ? base.get(i) : perturb(base.get(i % base.size()), noise);
    }
    float[][] queries = new float[queryCount][];
    for (int q = 0; q < queryCount; q++) {
      queries[q] = perturb(base.get(random.nextInt(base.size())), noise);
    }
    System.out.printf("%n%,d vectors (%,d from the model, the rest perturbed copies), %d queries, k=%d%n",
        size, Math.min(size, base.size()), queryCount, k);
    JsonObject step = new JsonObject().put("size", size);
    List<Double> exactMs = new ArrayList<>();
    int[][] truth = new int[queryCount][];
    for (int q = 0; q < queryCount; q++) {
      long s = System.nanoTime();
      truth[q] = exact(data, queries[q], k);
      exactMs.add((System.nanoTime() - s) / 1e6);
    }
    step.put("exact", new JsonObject().put("latency_ms", Stats.summary(exactMs))
        .put("heap_mib", Math.round((double) size * (data[0].length * 4L + 16) / (1 << 20))));
    System.out.printf("  exact scan (one thread)   p50 %.2f ms  p99 %.2f ms%n",
        Stats.summary(exactMs).getDouble("p50"), Stats.summary(exactMs).getDouble("p99"));
    if (formats.contains("float32")) {
      step.put("hnsw_float32", lucene("float32", new Lucene99HnswVectorsFormat(m, beam), data, queries, truth, k, size));
    }
    if (formats.contains("int8")) {
      step.put("hnsw_int8", lucene("int8", new Lucene99HnswScalarQuantizedVectorsFormat(m, beam), data, queries, truth, k, size));
    }
    return step;
  }

  private JsonObject lucene(String name, KnnVectorsFormat format, float[][] data, float[][] queries,
      int[][] truth, int k, int size) throws IOException {
    Path dir = workDir.resolve(name + "-" + size);
    deleteTree(dir);
    long t0 = System.nanoTime();
    IndexWriterConfig config = new IndexWriterConfig().setRAMBufferSizeMB(256).setCodec(new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return format;
      }
    });
    try (FSDirectory d = FSDirectory.open(dir); IndexWriter w = new IndexWriter(d, config)) {
      for (int i = 0; i < data.length; i++) {
        Document doc = new Document();
        doc.add(new KnnFloatVectorField("v", data[i], VectorSimilarityFunction.DOT_PRODUCT));
        doc.add(new NumericDocValuesField("i", i));
        w.addDocument(doc);
        if ((i + 1) % 200_000 == 0) {
          System.out.printf("    %s: %,d indexed (%.0f s)%n", name, i + 1, (System.nanoTime() - t0) / 1e9);
        }
      }
      w.commit();
    }
    double buildS = (System.nanoTime() - t0) / 1e9;
    long bytes;
    try (Stream<Path> files = Files.list(dir)) {
      bytes = files.mapToLong(p -> p.toFile().length()).sum();
    }
    long o0 = System.nanoTime();
    try (FSDirectory d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
      double openMs = (System.nanoTime() - o0) / 1e6;
      IndexSearcher searcher = new IndexSearcher(reader);
      JsonObject out = new JsonObject().put("build_s", Stats.round(buildS)).put("segments", reader.leaves().size())
          .put("disk_mib", bytes >> 20).put("open_ms", Stats.round(openMs));
      System.out.printf("  HNSW %-8s build %.1f s, %d segments, %,d MiB on disk, open %.1f ms%n",
          name, buildS, reader.leaves().size(), bytes >> 20, openMs);
      JsonArray byEf = new JsonArray();
      for (int ef : efs) {
        byEf.add(searchAll(reader, data, queries, truth, k, Math.max(k, ef)));
      }
      return out.put("by_ef", byEf);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Every query through HNSW asking for {@code ef} neighbours (Lucene's beam), keeping the best k by
   * Lucene's score, and (as the service does) the best k of all ef re-scored with their float32
   * vectors: for int8 the two differ.
   */
  private static JsonObject searchAll(DirectoryReader reader, float[][] data, float[][] queries, int[][] truth,
      int k, int ef) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    List<Double> ms = new ArrayList<>();
    double recall = 0;
    double rescoredRecall = 0;
    for (int q = 0; q < queries.length; q++) {
      long s = System.nanoTime();
      TopDocs top = searcher.search(new KnnFloatVectorQuery("v", queries[q], ef), ef);
      ms.add((System.nanoTime() - s) / 1e6);
      Set<Integer> want = new HashSet<>();
      for (int t : truth[q]) {
        want.add(t);
      }
      int[] found = new int[top.scoreDocs.length];
      for (int i = 0; i < found.length; i++) {
        ScoreDoc sd = top.scoreDocs[i];
        LeafReaderContext leaf = reader.leaves().get(ReaderUtil.subIndex(sd.doc, reader.leaves()));
        NumericDocValues ids = leaf.reader().getNumericDocValues("i");
        found[i] = ids.advanceExact(sd.doc - leaf.docBase) ? (int) ids.longValue() : -1;
      }
      int hit = 0;
      for (int i = 0; i < Math.min(k, found.length); i++) {
        hit += want.contains(found[i]) ? 1 : 0;
      }
      recall += (double) hit / truth[q].length;
      float[][] candidates = new float[found.length][];
      for (int i = 0; i < found.length; i++) {
        candidates[i] = data[found[i]];
      }
      int rescoredHit = 0;
      for (int i : exact(candidates, queries[q], Math.min(k, found.length))) {
        rescoredHit += i >= 0 && want.contains(found[i]) ? 1 : 0;
      }
      rescoredRecall += (double) rescoredHit / truth[q].length;
    }
    JsonObject lat = Stats.summary(ms.subList(Math.min(ms.size() / 10, 50), ms.size()));
    recall /= queries.length;
    rescoredRecall /= queries.length;
    System.out.printf("    ef %4d: p50 %.2f ms  p99 %.2f ms; recall@%d %.4f, re-scored %.4f%n", ef, lat.getDouble("p50"),
        lat.getDouble("p99"), k, recall, rescoredRecall);
    return new JsonObject().put("ef", ef).put("latency_ms", lat).put("recall_at_k", Math.round(recall * 10000) / 10000.0)
        .put("recall_at_k_rescored", Math.round(rescoredRecall * 10000) / 10000.0);
  }

  /** Indexes of the exact top k by dot product, best first. */
  static int[] exact(float[][] data, float[] q, int k) {
    int[] ids = new int[k];
    float[] scores = new float[k];
    Arrays.fill(scores, Float.NEGATIVE_INFINITY);
    Arrays.fill(ids, -1);
    for (int i = 0; i < data.length; i++) {
      float s = dot(q, data[i]);
      if (s > scores[k - 1]) {
        int j = k - 1;
        while (j > 0 && scores[j - 1] < s) {
          scores[j] = scores[j - 1];
          ids[j] = ids[j - 1];
          j--;
        }
        scores[j] = s;
        ids[j] = i;
      }
    }
    return ids;
  }

  /** The service's dot product (bus-api Vectors.dot: four accumulators). */
  private static float dot(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < a.length; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < a.length; i++) {
      s0 += a[i] * b[i];
    }
    return s0 + s1 + s2 + s3;
  }

  private float[] perturb(float[] v, double noise) {
    return perturb(v, noise, random);
  }

  /**
   * {@code v} plus Gaussian noise of norm about {@code noise}, renormalised (for unit vectors and
   * noise 0.35, cosine ≈ 0.94 to the original). The latency scenario's copies use it too.
   */
  static float[] perturb(float[] v, double noise, Random random) {
    float[] out = new float[v.length];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] + random.nextGaussian() * noise / Math.sqrt(v.length));
      norm += out[i] * out[i];
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < out.length; i++) {
      out[i] *= inv;
    }
    return out;
  }

  /** The vectors of an export file's lines (base64 little-endian float32, as the service writes them). */
  static List<float[]> readVectors(Path export) throws IOException {
    List<float[]> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(export)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        String v = new JsonObject(line).getString("vector");
        if (v != null) {
          out.add(decode(v));
        }
      }
    }
    return out;
  }

  /** A vector as the service's export writes it: base64 of little-endian float32. */
  static float[] decode(String base64) {
    ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  static String encode(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(b.array());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
