package dev.memorymcp.storage.qdrant;




import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.StoreTransfer;
import io.grpc.ManagedChannel;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Qdrant backend, over the official gRPC client. Collections, under a configurable prefix:
 * {@code <prefix><namespace>} holds one point per memory (the whole memory in the payload, a dense
 * cosine vector "dense" and a client-computed sparse keyword vector "keywords" with Qdrant's IDF
 * modifier, see {@link QdrantKeywords}); {@code <prefix>_events}, {@code <prefix>_relations} and
 * {@code <prefix>_meta} hold events, relations and the model stamp as points without vectors,
 * keyed by namespace in the payload. Nothing is kept in the process but a cache of which
 * collections exist, so several storage processes can share one Qdrant.
 *
 * <p><b>What "one transaction" means here.</b> Qdrant has no transaction across points or
 * collections. A write first checks everything that could refuse it (NOT_FOUND, CONFLICT, relation
 * ends), so a refused write changes nothing, then runs idempotent steps on deterministic point ids
 * ({@link QdrantPayloads}) in a fixed order: (1) its events are upserted marked {@code pending};
 * (2) relations are upserted or deleted; (3) the memory points are upserted or deleted, one request
 * per namespace, each naming in {@code event_ids} the events of the writes that produced it; (4)
 * the events are marked committed. Readers see committed events, plus pending ones whose write
 * landed: named by their memory point, or a DELETE whose memory is gone. So a crash before (3)
 * leaves nothing visible (a retry writes the same event points again) and a crash between (3) and
 * (4) leaves the write visible whole; the next write of that memory commits the events it names.
 * Relations whose ends do not both exist (a create that crashed before its memory) are not listed.
 * A batch spanning namespaces can land in some and not others. Concurrent writers to one memory
 * from two processes are last-writer-wins; access counters are read-modify-write.
 */
public final class QdrantMemoryStore implements MemoryStore, StoreTransfer {
  private static final Logger LOG = LoggerFactory.getLogger(QdrantMemoryStore.class);

  private final String url;
  private final QdrantCalls calls;
  private final QdrantCollections collections;
  private final QdrantReads reads;
  private final QdrantWrites writes;
  private final QdrantTransfer transfer;
  private final QdrantWriteGuard guard = new QdrantWriteGuard();
  private Future<Void> closing;

  /**
   * A store on the Qdrant at {@code url} (its gRPC port, e.g. http://127.0.0.1:6334; https for
   * TLS), with an optional API key and the collection name prefix.
   */
  public QdrantMemoryStore(Vertx vertx, String url, String apiKey, String prefix) {
    this(vertx, url, prefix, QdrantCalls.connect(url, apiKey));
  }

  /** A store over an existing channel (an in-process test double); {@code label} names it in errors. */
  public QdrantMemoryStore(Vertx vertx, ManagedChannel channel, String label, String prefix) {
    this(vertx, label, prefix, new QdrantClient(QdrantGrpcClient.newBuilder(channel, true, false)
        .withTimeout(Duration.ofSeconds(30)).build()));
  }

  private QdrantMemoryStore(Vertx vertx, String url, String prefix, QdrantClient client) {
    if (prefix == null || !prefix.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("qdrant.collection_prefix must be 1-64 letters, digits, "
          + "'_', '.' or '-', got '" + prefix + "'");
    }
    this.url = url;
    this.calls = new QdrantCalls(vertx, client, url, Duration.ofSeconds(30));
    this.collections = new QdrantCollections(url, prefix, client, calls);
    this.reads = new QdrantReads(calls, client, collections);
    this.writes = new QdrantWrites(calls, collections, reads, guard);
    this.transfer = new QdrantTransfer(calls, client, collections, reads, writes, guard);
  }

  @Override
  public Future<Void> open() {
    return this.collections.open();
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) { // refuse new writes, let the running ones finish
      closing = guard.close().onComplete(ar -> calls.close())
          .onSuccess(v -> LOG.info("closed the Qdrant store at {}", url));
    }
    return closing;
  }

  @Override
  public String backend() {
    return "qdrant";
  }

  @Override
  public Future<ModelStamp> modelStamp() {
    return this.collections.modelStamp();
  }

  @Override
  public Future<Void> stampModel(ModelStamp stamp) {
    return this.collections.stampModel(stamp);
  }

  @Override
  public Future<Memory> get(String namespace, String id) {
    return this.reads.get(namespace, id);
  }

  @Override
  public Future<List<Memory>> getMany(String namespace, List<String> ids) {
    return this.reads.getMany(namespace, ids);
  }

  @Override
  public Future<Map<String, float[]>> vectors(String namespace, Collection<String> ids) {
    return this.reads.vectors(namespace, ids);
  }

  @Override
  public Future<Page> list(String namespace, Filters filters, int limit, String cursor) {
    return this.reads.list(namespace, filters, limit, cursor);
  }

  @Override
  public Future<List<MemoryEvent>> history(String namespace, String id) {
    return this.reads.history(namespace, id);
  }

  @Override
  public Future<MemoryEvent> eventByWriteKey(String namespace, String writeKey) {
    return this.reads.eventByWriteKey(namespace, writeKey);
  }

  @Override
  public Future<List<Relation>> relations(String namespace, Collection<String> ids) {
    return this.reads.relations(namespace, ids);
  }

  @Override
  public Future<List<Scored>> vectorSearch(String namespace, float[] query, int k, Filters filters) {
    return this.reads.vectorSearch(namespace, query, k, filters);
  }

  @Override
  public Future<List<Scored>> keywordSearch(String namespace, KeywordQuery query, int k, Filters filters) {
    return this.reads.keywordSearch(namespace, query, k, filters);
  }

  @Override
  public Future<Long> count(String namespace) {
    return this.reads.count(namespace);
  }

  @Override
  public Future<List<Memory>> scan(String afterId, int limit) {
    return this.reads.scan(afterId, limit);
  }

  @Override
  public Future<Void> create(Memory memory, float[] vector, MemoryEvent event, List<Relation> relations) {
    return this.writes.create(memory, vector, event, relations);
  }

  @Override
  public Future<Void> update(Memory updated, float[] vector, MemoryEvent event) {
    return this.writes.update(updated, vector, event);
  }

  @Override
  public Future<Void> writeAll(List<Write> writes) {
    return this.writes.writeAll(writes);
  }

  @Override
  public Future<List<Relation>> relate(List<Relation> relations) {
    return this.writes.relate(relations);
  }

  @Override
  public Future<List<String>> delete(String namespace, List<String> ids, String actor, String sessionId) {
    return this.writes.delete(namespace, ids, actor, sessionId);
  }

  @Override
  public Future<Void> recordAccess(String namespace, List<String> ids, String sessionId, long at) {
    return this.writes.recordAccess(namespace, ids, sessionId, at);
  }

  @Override
  public Future<Void> replaceVectors(Map<String, float[]> vectorsById, String embeddingModel) {
    return this.writes.replaceVectors(vectorsById, embeddingModel);
  }

  @Override
  public Future<List<String>> namespaces() {
    return this.transfer.namespaces();
  }

  @Override
  public Future<Long> itemCount(String namespace) {
    return this.transfer.itemCount(namespace);
  }

  @Override
  public Future<ItemPage> readItems(String namespace, String cursor, int limit) {
    return this.transfer.readItems(namespace, cursor, limit);
  }

  @Override
  public Future<Void> writeItems(String namespace, List<Item> items) {
    return this.transfer.writeItems(namespace, items);
  }
}
