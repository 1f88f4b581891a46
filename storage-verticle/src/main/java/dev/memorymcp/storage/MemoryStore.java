package dev.memorymcp.storage;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.text.KeywordQuery;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where memories live. Every write method is one transaction: the memory row, its keyword index,
 * its vector and its event land together or not at all; the future completes only once the
 * write is durable. Implementations: {@code SqliteMemoryStore} (embedded default) and
 * {@code QdrantMemoryStore}, which has no transactions and gives the weaker, documented
 * guarantee of ordered idempotent steps (checks first, so a refused write changes nothing; a
 * crash is repaired by a retry). Reads never see another namespace. Both run the same contract
 * suite ({@code MemoryStoreContract}).
 */
public interface MemoryStore {
  /** The actor of the ACCESS events a recall records. */
  String ACCESS_ACTOR = "system";

  /** A memory id with a relevance score (higher is better). */
  record Scored(String id, double score) {}

  /** One page of a listing; {@code nextCursor} is null on the last page. */
  record Page(List<Memory> memories, String nextCursor) {}

  /** The embedding model and dimension the store was filled with (null before the first write). */
  record ModelStamp(String model, int dimension) {}

  /**
   * One write of {@link #writeAll}: a new memory ({@code create}) or the new state of an existing
   * one; {@code vector} may be null for an update that keeps the old vector.
   */
  record Write(boolean create, Memory memory, float[] vector, MemoryEvent event, List<Relation> relations) {}

  /** Opens the store: applies migrations, loads the in-memory vector index. */
  Future<Void> open();

  /** Closes the store after in-flight writes finish. */
  Future<Void> close();

  /** "sqlite" or "qdrant". */
  String backend();

  /** The model stamp, or null when the store has never been stamped. */
  Future<ModelStamp> modelStamp();

  /** Records the model and dimension the vectors are made with. */
  Future<Void> stampModel(ModelStamp stamp);

  /** The memory, or null when absent in that namespace. */
  Future<Memory> get(String namespace, String id);

  /** The memories that exist among {@code ids}, in the order of {@code ids}. */
  Future<List<Memory>> getMany(String namespace, List<String> ids);

  /** The stored vectors of the given ids (missing ids left out). */
  Future<Map<String, float[]>> vectors(String namespace, Collection<String> ids);

  /** Inserts a new memory with its vector, its CREATE event and any relations, in one transaction. */
  Future<Void> create(Memory memory, float[] vector, MemoryEvent event, List<Relation> relations);

  /**
   * Replaces a memory's row with {@code updated} (same id and namespace), re-indexing its keyword
   * text, replacing its vector when {@code vector} is non-null, appending {@code event} (UPDATE or
   * MERGE), in one transaction. Fails with NOT_FOUND if the memory is gone.
   */
  Future<Void> update(Memory updated, float[] vector, MemoryEvent event);

  /**
   * Applies the writes in order in one transaction (a batch import): all land or none does. A
   * later write may update a memory an earlier one created.
   */
  Future<Void> writeAll(List<Write> writes);

  /**
   * Deletes memories (row, keyword index, vector, relations touching them) and appends one
   * DELETE event each carrying the deleted memory, in one transaction. Returns the ids deleted.
   */
  Future<List<String>> delete(String namespace, List<String> ids, String actor, String sessionId);

  /** Memories passing the filters, newest first (created_at desc, then insertion order desc), keyset-paginated. */
  Future<Page> list(String namespace, Filters filters, int limit, String cursor);

  /**
   * Reads the listing page by page ({@code pageSize} at most), handing each page to {@code onPage} before
   * the next is read, until it ends or {@code max} memories were read. True when it stopped at
   * {@code max} with more left (the catalogue, duplicate detection, the graph and clean read this way).
   */
  default Future<Boolean> eachPage(String namespace, Filters filters, int pageSize, int max,
      java.util.function.Function<List<Memory>, Future<?>> onPage) {
    return eachPage(namespace, filters, pageSize, max, onPage, null, 0);
  }

  private Future<Boolean> eachPage(String namespace, Filters filters, int pageSize, int max,
      java.util.function.Function<List<Memory>, Future<?>> onPage, String cursor, int read) {
    return list(namespace, filters, Math.min(pageSize, max - read), cursor).compose(p -> onPage.apply(p.memories()).compose(v -> {
      int now = read + p.memories().size();
      if (p.nextCursor() == null || p.memories().isEmpty()) {
        return Future.succeededFuture(false);
      }
      return now >= max ? Future.succeededFuture(true) : eachPage(namespace, filters, pageSize, max, onPage, p.nextCursor(), now);
    }));
  }

  /** The events of one memory, oldest first, including after it was deleted. */
  Future<List<MemoryEvent>> history(String namespace, String id);

  /**
   * The first event whose data carries {@code write_key} = {@code writeKey} in the namespace, or
   * null: how a retried background write finds that it already happened.
   */
  Future<MemoryEvent> eventByWriteKey(String namespace, String writeKey);

  /** Inserts relations, ignoring ones that already exist (unique per triple); returns them as stored. */
  Future<List<Relation>> relate(List<Relation> relations);

  /** Every relation whose source or target is one of {@code ids}. */
  Future<List<Relation>> relations(String namespace, Collection<String> ids);

  /** Exact cosine top-k over the namespace's vectors passing the filters, best first. */
  Future<List<Scored>> vectorSearch(String namespace, float[] query, int k, Filters filters);

  /**
   * Keyword top-k over the full-text indexes: Latin-script terms through the unicode61/porter
   * table (BM25), CJK terms through the trigram table (terms shorter than three characters through
   * an index of CJK unigrams and bigrams), Japanese words through the Kuromoji word table; the
   * lists are fused. Scores are higher-is-better and comparable only within one call.
   */
  Future<List<Scored>> keywordSearch(String namespace, KeywordQuery query, int k, Filters filters);

  /** Keyword search by terms alone (no Japanese words). */
  default Future<List<Scored>> keywordSearch(String namespace, List<String> terms, int k, Filters filters) {
    return keywordSearch(namespace, KeywordQuery.ofTerms(terms), k, filters);
  }

  /** The most memories of one session {@link #sessionNeighbours} orders (the newest ones). */
  int SESSION_SCAN_LIMIT = 1_000;

  /**
   * For each of {@code ids} that belongs to a session and passes the filters: the ids of the memories
   * at most {@code window} places before or after it in that session (ordered by created_at, then
   * insertion order), among the memories passing the filters. Keyword search lends a memory its
   * neighbours' matches with it (session context, issue 14). This default works on any store through
   * {@link #getMany} and {@link #list} (one listing per session, the newest {@value #SESSION_SCAN_LIMIT}).
   */
  default Future<Map<String, List<String>>> sessionNeighbours(String namespace, List<String> ids, int window,
      Filters filters) {
    return getMany(namespace, ids).compose(targets -> {
      Map<String, List<String>> bySession = new LinkedHashMap<>();
      for (Memory m : targets) {
        if (m.sessionId() != null) {
          bySession.computeIfAbsent(m.sessionId(), s -> new ArrayList<>()).add(m.id());
        }
      }
      List<Future<Page>> pages = new ArrayList<>();
      List<String> sessions = new ArrayList<>(bySession.keySet());
      sessions.forEach(s -> pages.add(list(namespace, filters.withSessionId(s), SESSION_SCAN_LIMIT, null)));
      return Future.all(pages).map(all -> {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < sessions.size(); i++) {
          List<String> ordered = new ArrayList<>(pages.get(i).result().memories().stream().map(Memory::id).toList());
          Collections.reverse(ordered); // list() is newest first
          for (String target : bySession.get(sessions.get(i))) {
            int at = ordered.indexOf(target);
            if (at >= 0) {
              List<String> near = new ArrayList<>();
              for (int j = Math.max(0, at - window); j <= Math.min(ordered.size() - 1, at + window); j++) {
                if (j != at) {
                  near.add(ordered.get(j));
                }
              }
              out.put(target, near);
            }
          }
        }
        return out;
      });
    });
  }

  /** Appends ACCESS events and bumps access_count / last_accessed for the ids. */
  Future<Void> recordAccess(String namespace, List<String> ids, String sessionId, long at);

  /** Number of memories in a namespace, or in all namespaces when {@code namespace} is null. */
  Future<Long> count(String namespace);

  /** All memories of all namespaces ordered by id, {@code limit} after {@code afterId} (null: from the start). */
  Future<List<Memory>> scan(String afterId, int limit);

  /**
   * Whether this store re-embeds online: vectors of the new model collect beside the old ones, which
   * answer recall until {@link #finishRebuild} swaps them in one step. Otherwise only the offline
   * rebuild ({@link #replaceVectors}) exists and the rebuild methods below fail CONFLICT (ONLINE_REBUILD_UNSUPPORTED).
   */
  default boolean rebuildsOnline() {
    return false;
  }

  /** The model an unfinished online rebuild re-embeds with, or null. */
  default Future<ModelStamp> rebuildTarget() {
    return Future.succeededFuture(null);
  }

  /** Starts or resumes an online rebuild towards {@code target}; vectors collected for another target are dropped. */
  default Future<Void> beginRebuild(ModelStamp target) {
    return Future.failedFuture(onlineRebuildUnsupported());
  }

  /** Drops an unfinished online rebuild's vectors and target (none: nothing happens). */
  default Future<Void> abandonRebuild() {
    return Future.succeededFuture();
  }

  /** Memories of every namespace, by id after {@code afterId}, with no target vector yet or changed since theirs was made. */
  default Future<List<Memory>> rebuildPending(String afterId, int limit) {
    return Future.failedFuture(onlineRebuildUnsupported());
  }

  /** How many memories {@link #rebuildPending} would still return. */
  default Future<Long> rebuildPendingCount() {
    return Future.failedFuture(onlineRebuildUnsupported());
  }

  /** Keeps the target vectors of these memories, each tied to the version of the memory it was made from. */
  default Future<Void> putRebuildVectors(List<Memory> memories, List<float[]> vectors) {
    return Future.failedFuture(onlineRebuildUnsupported());
  }

  /**
   * In one transaction, if no memory is pending: the target vectors replace the old ones, the store
   * is stamped with the target and recall answers from the new vectors. False (nothing changed) while
   * some memory is still pending.
   */
  default Future<Boolean> finishRebuild(ModelStamp target) {
    return Future.failedFuture(onlineRebuildUnsupported());
  }

  private MemoryException onlineRebuildUnsupported() {
    return new MemoryException(ErrorCode.CONFLICT, "ONLINE_REBUILD_UNSUPPORTED", "the " + backend()
        + " backend re-embeds only offline: stop the service and run `java -jar server/target/memory-server.jar rebuild`");
  }

  /** Replaces the vectors of existing memories (rebuild after a model change), in one transaction. */
  Future<Void> replaceVectors(Map<String, float[]> vectorsById, String embeddingModel);
}
