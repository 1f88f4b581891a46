package dev.memorymcp.storage.sqlite;

import static dev.memorymcp.storage.sqlite.LuceneDocuments.KEY;
import static dev.memorymcp.storage.sqlite.LuceneDocuments.SEP;

import dev.memorymcp.bus.Memory;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass that brings the Lucene index in line with the store: every document is compared (by its
 * vector and text hashes) with the loaded memory of its key; documents of deleted or changed
 * memories are removed, and every memory without a current document is added. Runs on the index
 * thread; a kill -9, a lost commit, a deleted directory and a model switch are all repaired by it.
 */
final class LuceneSync {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneSync.class);
  /** More documents than this to add: a bulk, written with a larger buffer (fewer, larger segments). */
  static final int BULK = 10_000;
  static final double BULK_RAM_BUFFER_MB = 256;

  record Result(int kept, int removed, int added, int total) {}

  private LuceneSync() {}

  /**
   * {@code loaded}: the memories with a vector; {@code withoutVectors}: the others; {@code dimension}:
   * the store's (a vector of another one is indexed without it); {@code progress} counts memories checked.
   */
  static Result run(IndexWriter writer, VectorIndex loaded, List<Memory> withoutVectors, int dimension,
      AtomicLong progress) throws IOException {
    Map<String, Memory> bare = new HashMap<>();
    withoutVectors.forEach(m -> bare.put(LuceneDocuments.key(m.namespace(), m.id()), m));
    Set<String> current = new HashSet<>();
    int[] removed = {0};
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      LuceneDocuments.forEachLive(reader, (keyBytes, vectorHash, textHash) -> {
        String key = keyBytes.utf8ToString();
        if (isCurrent(key, vectorHash, textHash, loaded, bare, dimension)) {
          current.add(key);
        } else {
          writer.deleteDocuments(new Term(KEY, key));
          removed[0]++;
        }
      });
    }
    int total = loaded.total() + bare.size();
    if (total - current.size() > BULK) {
      writer.getConfig().setRAMBufferSizeMB(BULK_RAM_BUFFER_MB);
    }
    int added = 0;
    for (Memory m : bare.values()) {
      if (!current.contains(LuceneDocuments.key(m.namespace(), m.id()))) {
        writer.updateDocument(LuceneDocuments.keyTerm(m.namespace(), m.id()), LuceneDocuments.document(m, null));
        added++;
      }
    }
    int unreadable = 0;
    for (VectorIndex.Entry e : loaded.entries()) {
      if (!current.contains(LuceneDocuments.key(e.memory().namespace(), e.id()))) {
        if (e.vector() == null) {
          unreadable++; // loaded without its vector as its document was current; a rebuild reads such vectors back first, so only failed files leave one here
          continue;
        }
        writer.updateDocument(LuceneDocuments.keyTerm(e.memory().namespace(), e.id()),
            LuceneDocuments.document(e.memory(), e.dimension() == dimension ? e.vector() : null));
        added++;
      }
      if (progress.incrementAndGet() % 50_000 == 0) {
        LOG.info("vector index sync: {} / {} checked, {} added", progress.get(), loaded.total(), added);
      }
    }
    if (unreadable > 0) {
      LOG.error("vector index sync: {} memories have neither a heap vector nor a current document; restart to reload them", unreadable);
    }
    return new Result(current.size(), removed[0], added, total);
  }

  private static boolean isCurrent(String key, long vectorHash, long textHash, VectorIndex loaded,
      Map<String, Memory> bare, int dimension) {
    int sep = key.indexOf(SEP);
    if (sep < 0) {
      return false;
    }
    VectorIndex.Entry e = loaded.get(key.substring(0, sep), key.substring(sep + 1));
    if (e != null) {
      return e.dimension() == dimension && e.vectorHash() == vectorHash
          && LuceneDocuments.textHash(e.memory()) == textHash;
    }
    Memory plain = bare.get(key);
    return plain != null && vectorHash == 0 && LuceneDocuments.textHash(plain) == textHash;
  }
}
