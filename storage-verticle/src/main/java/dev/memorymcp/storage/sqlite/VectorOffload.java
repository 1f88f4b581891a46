package dev.memorymcp.storage.sqlite;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.lucene.index.IndexReader;

/**
 * Drops the heap copy of a vector once the Lucene index's searcher holds the same vector (same
 * hash), in namespaces the index serves: there the candidates are re-scored with the index's float32
 * copy, read from disk ({@link LuceneVectors}), and a million vectors no longer cost 1.5 GB of heap.
 * Runs on the index thread after the sync (every document) and after each refresh (the changed
 * ones); {@link VectorIndex#offload} checks the hash against the memory's current vector, so a write
 * racing the refresh keeps its vector on the heap.
 */
final class VectorOffload {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VectorOffload.class);
  /** Heap vectors a served namespace may hold beyond its queued changes before a whole pass (it grew past the threshold). */
  static final int WHOLE_PASS_SLACK = 1_000;

  private final VectorIndex target;
  /** Heap vectors per namespace right after its last whole pass (those that cannot leave: another model's). */
  private final Map<String, Integer> afterWholePass = new HashMap<>();

  VectorOffload(VectorIndex target) {
    this.target = target;
  }

  /** After a sync: every vector {@code reader} holds may leave the heap. */
  void afterSync(IndexReader reader) throws IOException {
    long t0 = System.nanoTime();
    long before = heapVectors();
    all(reader);
    LOG.info("vectors of namespaces served by the index offloaded from the heap in {} ms ({} of {} left on the heap)",
        (System.nanoTime() - t0) / 1_000_000, heapVectors(), before);
  }

  /** Offers every vector {@code reader} holds. */
  void all(IndexReader reader) throws IOException {
    LuceneVectors.forEachHash(reader, target::offload);
    afterWholePass.clear();
    for (String namespace : target.namespaces()) {
      afterWholePass.put(namespace, target.heapVectors(namespace));
    }
  }

  /**
   * Offers the vectors of {@code changed} (namespace → ids the refreshed reader holds); a namespace
   * that still keeps many vectors on the heap beyond its queued changes ({@code pending}) gets a
   * whole pass: it has just grown past the size the index serves.
   */
  void changed(IndexReader reader, Map<String, List<String>> changed, ToIntFunction<String> pending) throws IOException {
    boolean whole = false;
    for (Map.Entry<String, List<String>> ns : changed.entrySet()) {
      String namespace = ns.getKey();
      if (!target.servedByIndex(namespace)) {
        continue;
      }
      for (LuceneVectors.Indexed x : LuceneVectors.ofIds(reader, namespace, ns.getValue(), false).values()) {
        target.offload(namespace, x.id(), x.vectorHash());
      }
      int heap = target.heapVectors(namespace);
      whole |= heap > afterWholePass.getOrDefault(namespace, 0) + pending.applyAsInt(namespace) + WHOLE_PASS_SLACK;
    }
    if (whole) {
      all(reader);
    }
  }

  /**
   * Before the index is deleted and rebuilt (another dimension or format): every offloaded vector of
   * {@code target} back onto the heap from {@code writer}'s documents, as it is the only copy outside
   * SQLite. Logs those it could not read: they lack a vector until a restart reloads them from the store.
   */
  static void restoreAll(VectorIndex target, org.apache.lucene.index.IndexWriter writer) throws IOException {
    int restored = 0;
    int unreadable = 0;
    try (IndexReader reader = org.apache.lucene.index.DirectoryReader.open(writer)) {
      for (String namespace : target.namespaces()) {
        List<String> offloaded = target.offloadedIds(namespace);
        if (offloaded.isEmpty()) {
          continue;
        }
        Map<String, LuceneVectors.Indexed> read = LuceneVectors.ofIds(reader, namespace, offloaded, true);
        for (String id : offloaded) {
          LuceneVectors.Indexed x = read.get(id);
          if (x != null && x.vector() != null && target.restore(namespace, id, x.vector())) {
            restored++;
          } else {
            unreadable++;
          }
        }
      }
    }
    if (restored + unreadable > 0) {
      LOG.info("before the vector index is rebuilt: {} offloaded vectors back on the heap", restored);
    }
    if (unreadable > 0) {
      LOG.error("{} offloaded vectors could not be read back before the rebuild; a restart reloads them from the store", unreadable);
    }
  }

  /** Vectors still on the heap, all namespaces (for the log). */
  long heapVectors() {
    long n = 0;
    for (String namespace : target.namespaces()) {
      n += target.heapVectors(namespace);
    }
    return n;
  }
}
