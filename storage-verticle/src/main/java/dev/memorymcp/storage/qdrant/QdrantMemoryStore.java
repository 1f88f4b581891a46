package dev.memorymcp.storage.qdrant;

import dev.memorymcp.storage.internal.KeywordTerms;
import dev.memorymcp.storage.internal.ListCursor;

import dev.memorymcp.bus.Namespaces;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.ValueFactory.value;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.StoreTransfer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.QueryFactory;
import io.qdrant.client.VectorFactory;
import io.qdrant.client.VectorOutputHelper;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
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

  static final String DENSE = "dense";
  static final String SPARSE = "keywords";
  private static final PointId META_POINT = PointIdFactory.id(QdrantPayloads.uuid("meta", "model"));

  private final String url;
  private final String prefix;
  private final QdrantClient client;
  private final QdrantCalls calls;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastSeq = new AtomicLong();
  private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile Future<Void> closing;

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
    this.prefix = prefix;
    this.client = client;
    this.calls = new QdrantCalls(vertx, client, url, Duration.ofSeconds(30));
  }

  // ---- collections ----

  /**
   * The namespace's collection: {@code <prefix><namespace>} for an ASCII name, {@code <prefix>-<hex
   * of its UTF-8>} for any other (a Unicode persona name such as ニロウ), which no ASCII name can
   * start with and which keeps collection names to characters every Qdrant accepts.
   */
  String collection(String namespace) {
    return Namespaces.isAscii(namespace) ? prefix + namespace
        : prefix + "-" + HexFormat.of().formatHex(namespace.getBytes(StandardCharsets.UTF_8));
  }

  private String namespaceOf(String collection) {
    String tail = collection.substring(prefix.length());
    return tail.startsWith("-") ? new String(HexFormat.of().parseHex(tail.substring(1)), StandardCharsets.UTF_8) : tail;
  }

  private String events() {
    return prefix + "_events";
  }

  private String relationsCollection() {
    return prefix + "_relations";
  }

  private String meta() {
    return prefix + "_meta";
  }

  @Override
  public Future<Void> open() {
    return calls.call(client::healthCheckAsync)
        .compose(h -> ensure(events(), 0, Map.of("namespace", FieldType.FieldTypeKeyword,
            "memory_id", FieldType.FieldTypeKeyword, "write_key", FieldType.FieldTypeKeyword,
            "type", FieldType.FieldTypeKeyword,
            "seq", FieldType.FieldTypeInteger, "pending", FieldType.FieldTypeBool)))
        .compose(v -> ensure(relationsCollection(), 0, Map.of(
            "namespace", FieldType.FieldTypeKeyword, "source_id", FieldType.FieldTypeKeyword,
            "target_id", FieldType.FieldTypeKeyword)))
        .compose(v -> ensure(meta(), 0, Map.of()))
        .onSuccess(v -> LOG.info("opened Qdrant at {} (collection prefix {})", url, prefix));
  }

  private static final Map<String, FieldType> MEMORY_INDEXES = Map.ofEntries(
      Map.entry("id", FieldType.FieldTypeKeyword), Map.entry("type", FieldType.FieldTypeKeyword),
      Map.entry("scope", FieldType.FieldTypeKeyword),
      Map.entry("scope_id", FieldType.FieldTypeKeyword),
      Map.entry("tags", FieldType.FieldTypeKeyword),
      Map.entry("category", FieldType.FieldTypeKeyword),
      Map.entry("session_id", FieldType.FieldTypeKeyword),
      Map.entry("created_at", FieldType.FieldTypeInteger),
      Map.entry("expires_at", FieldType.FieldTypeInteger),
      Map.entry("id_key", FieldType.FieldTypeInteger),
      Map.entry("seq", FieldType.FieldTypeInteger),
      Map.entry("importance", FieldType.FieldTypeFloat),
      Map.entry("confidence", FieldType.FieldTypeFloat));

  /** Creates the collection when missing (dim 0: no vectors), with its payload indexes. */
  private Future<Void> ensure(String name, int dim, Map<String, FieldType> indexes) {
    if (known.contains(name)) {
      return Future.succeededFuture();
    }
    CreateCollection.Builder create = CreateCollection.newBuilder().setCollectionName(name);
    if (dim > 0) {
      create.setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
              .putMap(DENSE, VectorParams.newBuilder().setSize(dim).setDistance(Distance.Cosine)
                  .build())))
          .setSparseVectorsConfig(SparseVectorConfig.newBuilder().putMap(SPARSE,
              SparseVectorParams.newBuilder().setModifier(Modifier.Idf).build()));
    }
    return calls.ensure(create.build(), indexes).onSuccess(v -> known.add(name));
  }

  /** The namespace's collection, created with {@code dim} when missing; dim unknown: from the stamp. */
  private Future<Void> ensureNamespace(String namespace, int dim) {
    if (known.contains(collection(namespace))) {
      return Future.succeededFuture();
    }
    Future<Integer> d = dim > 0 ? Future.succeededFuture(dim) : modelStamp().map(s -> {
      if (s == null) {
        throw new MemoryException(ErrorCode.INTERNAL, "STORE_NOT_STAMPED", "the Qdrant store at "
            + url + " has no model stamp yet, so the vector size of a new namespace is unknown");
      }
      return s.dimension();
    });
    return d.compose(n -> ensure(collection(namespace), n, MEMORY_INDEXES));
  }

  /** Whether the namespace has a collection (cached once seen). */
  private Future<Boolean> hasNamespace(String namespace) {
    String name = collection(namespace);
    if (known.contains(name)) {
      return Future.succeededFuture(true);
    }
    return calls.call(() -> client.collectionExistsAsync(name)).onSuccess(e -> {
      if (e) {
        known.add(name);
      }
    });
  }

  /** The namespace collections: every collection under the prefix but the system ones. */
  private Future<List<String>> namespaceCollections() {
    return calls.call(client::listCollectionsAsync).map(all -> all.stream()
        .filter(c -> c.startsWith(prefix) && c.length() > prefix.length()
            && c.charAt(prefix.length()) != '_')
        .sorted().toList());
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closed = true; // refuse new writes, let the running ones finish
      closing = Future.join(new ArrayList<>(inFlight)).<Void>transform(ar -> {
        calls.close();
        return Future.succeededFuture();
      }).onSuccess(v -> LOG.info("closed the Qdrant store at {}", url));
    }
    return closing;
  }

  @Override
  public String backend() {
    return "qdrant";
  }

  // ---- model stamp ----

  @Override
  public Future<ModelStamp> modelStamp() {
    return calls.retrieve(meta(), List.of(META_POINT), false).map(points -> {
      if (points.isEmpty()) {
        return null;
      }
      Map<String, Value> p = points.get(0).getPayloadMap();
      return new ModelStamp(QdrantPayloads.str(p, "embedding_model"),
          (int) QdrantPayloads.lng(p, "embedding_dimension"));
    });
  }

  @Override
  public Future<Void> stampModel(ModelStamp stamp) {
    PointStruct point = PointStruct.newBuilder().setId(META_POINT)
        .putPayload("embedding_model", value(stamp.model()))
        .putPayload("embedding_dimension", value(stamp.dimension())).build();
    return calls.upsert(meta(), List.of(point));
  }

  // ---- reads ----

  @Override
  public Future<Memory> get(String namespace, String id) {
    return getMany(namespace, List.of(id)).map(l -> l.isEmpty() ? null : l.get(0));
  }

  @Override
  public Future<List<Memory>> getMany(String namespace, List<String> ids) {
    return points(namespace, ids, false).map(found -> ids.stream().distinct()
        .filter(found::containsKey).map(id -> QdrantPayloads.memory(found.get(id).getPayloadMap()))
        .toList());
  }

  /** The stored points of the ids in the namespace, by memory id. */
  private Future<Map<String, RetrievedPoint>> points(String namespace, Collection<String> ids,
      boolean withVectors) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(List.of())
        : calls.retrieve(collection(namespace), new LinkedHashSet<>(ids).stream()
            .map(id -> QdrantPayloads.memoryPoint(namespace, id)).toList(), withVectors))
        .map(points -> {
          Map<String, RetrievedPoint> out = new HashMap<>();
          points.forEach(p -> out.put(QdrantPayloads.str(p.getPayloadMap(), "id"), p));
          return out;
        });
  }

  @Override
  public Future<Map<String, float[]>> vectors(String namespace, Collection<String> ids) {
    return points(namespace, ids, true).map(found -> {
      Map<String, float[]> out = new LinkedHashMap<>();
      for (String id : ids) {
        RetrievedPoint p = found.get(id);
        float[] v = p == null ? null : dense(p);
        if (v != null) {
          out.put(id, v);
        }
      }
      return out;
    });
  }

  private static float[] dense(RetrievedPoint p) {
    if (!p.hasVectors() || !p.getVectors().hasVectors()) {
      return null;
    }
    VectorOutput out = p.getVectors().getVectors().getVectorsMap().get(DENSE);
    if (out == null) {
      return null;
    }
    List<Float> data = VectorOutputHelper.getDenseVector(out).getDataList();
    float[] v = new float[data.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = data.get(i);
    }
    return v.length == 0 ? null : v;
  }

  @Override
  public Future<Page> list(String namespace, Filters filters, int limit, String cursor) {
    int pageSize = Math.max(1, limit);
    ListCursor after;
    try {
      after = cursor == null || cursor.isBlank() ? null : ListCursor.decode(cursor);
    } catch (MemoryException e) {
      return Future.failedFuture(e);
    }
    Filter.Builder f = QdrantFilters.of(orNone(filters), System.currentTimeMillis()).toBuilder();
    if (after != null) { // (created_at, seq) < (c, s)
      f.addMust(filter(Filter.newBuilder()
          .addShould(range("created_at", Range.newBuilder().setLt(after.createdAt()).build()))
          .addShould(filter(Filter.newBuilder().addMust(match("created_at", after.createdAt()))
              .addMust(range("seq", Range.newBuilder().setLt(after.seq()).build())).build()))
          .build()));
    }
    return hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(List.of())
        : calls.ordered(collection(namespace), f.build(), "created_at", Direction.Desc, pageSize))
        .map(points -> {
          List<Map<String, Value>> sorted = new ArrayList<>(points);
          sorted.sort(Comparator.<Map<String, Value>>comparingLong(
              p -> -QdrantPayloads.lng(p, "created_at")).thenComparingLong(
              p -> -QdrantPayloads.lng(p, "seq")));
          List<Memory> page = sorted.stream().limit(pageSize).map(QdrantPayloads::memory).toList();
          String next = null;
          if (sorted.size() > pageSize) {
            Map<String, Value> last = sorted.get(pageSize - 1);
            next = new ListCursor(QdrantPayloads.lng(last, "created_at"),
                QdrantPayloads.lng(last, "seq")).encode();
          }
          return new Page(page, next);
        });
  }

  @Override
  public Future<List<MemoryEvent>> history(String namespace, String id) {
    Filter f = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeyword("memory_id", id)).build();
    return calls.scrollAll(events(), f).compose(points -> visible(namespace, points));
  }

  @Override
  public Future<MemoryEvent> eventByWriteKey(String namespace, String writeKey) {
    Filter f = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeyword("write_key", writeKey)).build();
    return calls.scrollAll(events(), f).compose(points -> visible(namespace, points))
        .map(l -> l.isEmpty() ? null : l.get(0));
  }

  /**
   * The events that happened, oldest first: committed ones, and pending ones whose write landed
   * before a crash kept it from committing them (their memory point names them, or, for a DELETE,
   * the memory is gone). Pending events of writes that never landed stay invisible.
   */
  private Future<List<MemoryEvent>> visible(String namespace, List<RetrievedPoint> points) {
    Set<String> pendingOf = new LinkedHashSet<>();
    for (RetrievedPoint p : points) {
      if (isPending(p)) {
        pendingOf.add(QdrantPayloads.str(p.getPayloadMap(), "memory_id"));
      }
    }
    Future<Map<String, RetrievedPoint>> memories = pendingOf.isEmpty()
        ? Future.succeededFuture(Map.of()) : points(namespace, pendingOf, false);
    return memories.map(found -> points.stream().filter(p -> {
      if (!isPending(p)) {
        return true;
      }
      Map<String, Value> e = p.getPayloadMap();
      RetrievedPoint m = found.get(QdrantPayloads.str(e, "memory_id"));
      return m == null ? MemoryEvent.DELETE.equals(QdrantPayloads.str(e, "type"))
          : QdrantPayloads.eventIds(m.getPayloadMap()).contains(p.getId().getUuid());
    }).map(p -> QdrantPayloads.event(p.getPayloadMap()))
        .sorted(Comparator.comparingLong(MemoryEvent::seq)).toList());
  }

  private static boolean isPending(RetrievedPoint p) {
    Value v = p.getPayloadMap().get("pending");
    return v != null && v.getBoolValue();
  }

  @Override
  public Future<List<Relation>> relations(String namespace, Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<String> list = List.copyOf(new LinkedHashSet<>(ids));
    Filter f = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(filter(Filter.newBuilder().addShould(matchKeywords("source_id", list))
            .addShould(matchKeywords("target_id", list)).build())).build();
    return calls.scrollAll(relationsCollection(), f).compose(points -> {
      List<Relation> all = points.stream().map(RetrievedPoint::getPayloadMap)
          .sorted(Comparator.<Map<String, Value>>comparingLong(
              p -> QdrantPayloads.lng(p, "created_at")).thenComparingLong(
              p -> QdrantPayloads.lng(p, "seq")))
          .map(QdrantPayloads::relation).toList();
      Set<String> ends = new LinkedHashSet<>();
      all.forEach(r -> ends.addAll(List.of(r.sourceId(), r.targetId())));
      // a crashed create may have left a relation to a memory that was never written
      return points(namespace, ends, false).map(found -> all.stream()
          .filter(r -> found.containsKey(r.sourceId()) && found.containsKey(r.targetId()))
          .toList());
    });
  }

  @Override
  public Future<List<Scored>> vectorSearch(String namespace, float[] query, int k,
      Filters filters) {
    if (k <= 0 || query == null || query.length == 0) {
      return Future.succeededFuture(List.of());
    }
    return hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(List.of())
        : calls.query(QueryPoints.newBuilder().setCollectionName(collection(namespace))
            .setQuery(QueryFactory.nearest(query)).setUsing(DENSE)
            .setFilter(QdrantFilters.of(orNone(filters), System.currentTimeMillis())).setLimit(k)
            .build()));
  }

  @Override
  public Future<List<Scored>> keywordSearch(String namespace, KeywordQuery query, int k,
      Filters filters) {
    KeywordTerms t = KeywordTerms.of(query);
    if (t.isEmpty() || k <= 0) {
      return Future.succeededFuture(List.of());
    }
    Filter f = QdrantFilters.of(orNone(filters), System.currentTimeMillis());
    return hasNamespace(namespace).compose(exists -> {
      if (!exists) {
        return Future.succeededFuture(List.of());
      }
      List<Future<List<Scored>>> parts = new ArrayList<>();
      for (QdrantKeywords.Sparse q : QdrantKeywords.queries(t)) {
        parts.add(calls.query(QueryPoints.newBuilder().setCollectionName(collection(namespace))
            .setQuery(QueryFactory.nearest(q.values(), q.indices())).setUsing(SPARSE)
            .setFilter(f).setLimit(k).build()));
      }
      return Future.all(parts).map(all -> {
        List<List<Scored>> lists = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          lists.add(all.resultAt(i));
        }
        return KeywordTerms.fuse(lists, k);
      });
    });
  }

  @Override
  public Future<Long> count(String namespace) {
    if (namespace != null) {
      return hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(0L)
          : calls.call(() -> client.countAsync(collection(namespace), null, true)));
    }
    return namespaceCollections().compose(names -> {
      List<Future<Long>> counts = new ArrayList<>();
      names.forEach(n -> counts.add(calls.call(() -> client.countAsync(n, null, true))));
      return Future.all(counts).map(all -> {
        long sum = 0;
        for (int i = 0; i < all.size(); i++) {
          sum += all.<Long>resultAt(i);
        }
        return sum;
      });
    });
  }

  @Override
  public Future<List<Memory>> scan(String afterId, int limit) {
    String after = afterId == null ? "" : afterId;
    long key = QdrantPayloads.idKey(after);
    return namespaceCollections().compose(names -> {
      List<Future<List<Map<String, Value>>>> parts = new ArrayList<>();
      for (String c : names) {
        // ids tying with afterId on the key, then the ones above it in key order
        Filter same = Filter.newBuilder().addMust(match("id_key", key)).build();
        Filter above = Filter.newBuilder()
            .addMust(range("id_key", Range.newBuilder().setGt(key).build())).build();
        parts.add(calls.scrollAll(c, same).map(l -> l.stream().map(RetrievedPoint::getPayloadMap)
            .toList()));
        parts.add(calls.ordered(c, above, "id_key", Direction.Asc, limit));
      }
      return Future.all(parts).map(all -> {
        List<Memory> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          all.<List<Map<String, Value>>>resultAt(i).forEach(p -> out.add(QdrantPayloads.memory(p)));
        }
        return out.stream().filter(m -> m.id().compareTo(after) > 0)
            .sorted(Comparator.comparing(Memory::id)).limit(limit).toList();
      });
    });
  }

  // ---- writes ----

  /** The pieces of one write, applied in the documented order. */
  private final class Batch {
    final List<PointStruct> events = new ArrayList<>();
    final List<PointStruct> relations = new ArrayList<>();
    final List<Filter> relationDeletes = new ArrayList<>();
    final Map<String, Map<String, PointStruct>> upserts = new LinkedHashMap<>();
    final Map<String, List<PointId>> deletes = new LinkedHashMap<>();

    /** Earlier events to commit with this write: ones a crashed write left pending (step 4). */
    final Set<String> repairs = new LinkedHashSet<>();

    /** Adds the event, pending; returns its point id. */
    String event(MemoryEvent e) {
      long seq = nextSeq();
      String id = QdrantPayloads.eventPoint(e, seq).toString();
      events.add(PointStruct.newBuilder().setId(PointIdFactory.id(UUID.fromString(id)))
          .putAllPayload(QdrantPayloads.event(e, seq, true)).build());
      return id;
    }

    /** Repairs the events a stored memory point names and returns them (the newest kept). */
    List<String> carried(RetrievedPoint stored) {
      List<String> ids = QdrantPayloads.eventIds(stored.getPayloadMap());
      repairs.addAll(ids);
      return ids;
    }

    void memory(Memory m, float[] vector, long seq, List<String> eventIds) {
      Map<String, Vector> vectors = new HashMap<>();
      if (vector != null) {
        vectors.put(DENSE, VectorFactory.vector(vector));
      }
      QdrantKeywords.Sparse kw = QdrantKeywords.document(m);
      if (!kw.isEmpty()) {
        vectors.put(SPARSE, VectorFactory.vector(kw.values(), kw.indices()));
      }
      PointStruct.Builder p = PointStruct.newBuilder()
          .setId(QdrantPayloads.memoryPoint(m.namespace(), m.id()))
          .putAllPayload(QdrantPayloads.memory(m, seq, eventIds.size() <= MAX_EVENT_IDS ? eventIds
              : eventIds.subList(eventIds.size() - MAX_EVENT_IDS, eventIds.size())));
      if (!vectors.isEmpty()) {
        p.setVectors(VectorsFactory.namedVectors(vectors));
      }
      upserts.computeIfAbsent(m.namespace(), n -> new LinkedHashMap<>()).put(m.id(), p.build());
    }

    Future<Void> apply() {
      Future<Void> f = events.isEmpty() ? Future.succeededFuture() : calls.upsert(events(), events);
      if (!relations.isEmpty()) {
        f = f.compose(v -> calls.upsert(relationsCollection(), relations));
      }
      for (Filter rf : relationDeletes) {
        f = f.compose(v -> calls.deleteWhere(relationsCollection(), rf));
      }
      for (Map.Entry<String, Map<String, PointStruct>> e : upserts.entrySet()) {
        f = f.compose(v -> calls.upsert(collection(e.getKey()), List.copyOf(e.getValue().values())));
      }
      for (Map.Entry<String, List<PointId>> e : deletes.entrySet()) {
        f = f.compose(v -> calls.deleteIds(collection(e.getKey()), e.getValue()));
      }
      if (!events.isEmpty() || !repairs.isEmpty()) {
        Set<PointId> ids = new LinkedHashSet<>();
        events.forEach(e -> ids.add(e.getId()));
        repairs.forEach(r -> ids.add(PointIdFactory.id(UUID.fromString(r))));
        f = f.compose(v -> calls.commit(events(), ids));
      }
      return f;
    }
  }

  /** Event ids a memory point keeps: its last writes', whose events a crash may have left pending. */
  static final int MAX_EVENT_IDS = 16;

  private long nextSeq() {
    long now = System.currentTimeMillis() * 1000;
    return lastSeq.updateAndGet(l -> Math.max(l + 1, now));
  }

  @Override
  public Future<Void> create(Memory memory, float[] vector, MemoryEvent event,
      List<Relation> relations) {
    return writeAll(List.of(new Write(true, memory, vector, event,
        relations == null ? List.of() : relations)));
  }

  @Override
  public Future<Void> update(Memory updated, float[] vector, MemoryEvent event) {
    return writeAll(List.of(new Write(false, updated, vector, event, List.of())));
  }

  @Override
  public Future<Void> writeAll(List<Write> writes) {
    if (writes.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Set<String>> idsByNs = new LinkedHashMap<>();
    for (Write w : writes) {
      Set<String> ids = idsByNs.computeIfAbsent(w.memory().namespace(), n -> new LinkedHashSet<>());
      ids.add(w.memory().id());
      for (Relation r : w.relations() == null ? List.<Relation>of() : w.relations()) {
        idsByNs.computeIfAbsent(r.namespace(), n -> new LinkedHashSet<>()).addAll(
            List.of(r.sourceId(), r.targetId()));
      }
    }
    int dim = writes.stream().filter(w -> w.vector() != null).mapToInt(w -> w.vector().length)
        .findFirst().orElse(0);
    return guard(() -> loadAll(idsByNs, dim).compose(stored -> {
      Batch batch = new Batch();
      Map<String, Memory> state = new HashMap<>(); // ns \0 id -> memory as of this write
      Map<String, Long> seqs = new HashMap<>();
      Map<String, float[]> vectors = new HashMap<>();
      Map<String, List<String>> eventIds = new HashMap<>();
      stored.forEach((key, p) -> {
        state.put(key, QdrantPayloads.memory(p.getPayloadMap()));
        seqs.put(key, QdrantPayloads.lng(p.getPayloadMap(), "seq"));
        vectors.put(key, dense(p));
        eventIds.put(key, new ArrayList<>(batch.carried(p)));
      });
      List<Relation> rels = new ArrayList<>();
      for (Write w : writes) {
        Memory m = w.memory();
        String key = m.namespace() + "\u0000" + m.id();
        Memory old = state.get(key);
        if (w.create() && old != null) {
          return Future.failedFuture(new MemoryException(ErrorCode.CONFLICT, "MEMORY_EXISTS",
              "a memory with this id already exists"));
        }
        if (!w.create() && old == null) {
          return Future.failedFuture(MemoryException.notFound(m.id()));
        }
        Memory next = w.create() ? m : withCounters(m, old);
        state.put(key, next);
        seqs.computeIfAbsent(key, k -> nextSeq());
        if (w.vector() != null) {
          vectors.put(key, w.vector());
        }
        List<String> ids = eventIds.computeIfAbsent(key, k -> new ArrayList<>());
        ids.add(batch.event(w.event()));
        batch.memory(next, vectors.get(key), seqs.get(key), List.copyOf(ids));
        if (w.relations() != null) {
          rels.addAll(w.relations());
        }
      }
      for (Relation r : rels) {
        for (String end : List.of(r.sourceId(), r.targetId())) {
          if (!state.containsKey(r.namespace() + "\u0000" + end)) {
            return Future.failedFuture(MemoryException.notFound(end));
          }
        }
      }
      return newRelations(rels).compose(fresh -> {
        fresh.forEach(r -> batch.relations.add(PointStruct.newBuilder()
            .setId(QdrantPayloads.relationPoint(r))
            .putAllPayload(QdrantPayloads.relation(r, nextSeq())).build()));
        return batch.apply();
      });
    }));
  }

  /** An update keeps the stored access counters (only recordAccess moves them), as SQLite does. */
  private static Memory withCounters(Memory m, Memory old) {
    return new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(), m.name(),
        m.content(), m.summary(), m.tags(), m.category(), m.importance(), m.confidence(),
        m.metadata(), m.source(), m.sessionId(), m.createdAt(), m.updatedAt(), m.expiresAt(),
        old.accessCount(), old.lastAccessed(), m.embeddingModel());
  }

  /** The stored points (with vectors) of the ids per namespace, keyed "ns \0 id"; creates collections. */
  private Future<Map<String, RetrievedPoint>> loadAll(Map<String, Set<String>> idsByNs, int dim) {
    Map<String, RetrievedPoint> out = new HashMap<>();
    Future<Void> f = Future.succeededFuture();
    for (Map.Entry<String, Set<String>> e : idsByNs.entrySet()) {
      f = f.compose(v -> ensureNamespace(e.getKey(), dim))
          .compose(v -> points(e.getKey(), e.getValue(), true))
          .map(found -> {
            found.forEach((id, p) -> out.put(e.getKey() + "\u0000" + id, p));
            return null;
          });
    }
    return f.map(v -> out);
  }

  /** The relations whose triple is not stored yet (first of duplicates within the list). */
  private Future<List<Relation>> newRelations(List<Relation> rels) {
    if (rels.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Map<PointId, Relation> byId = new LinkedHashMap<>();
    rels.forEach(r -> byId.putIfAbsent(QdrantPayloads.relationPoint(r), r));
    return calls.retrieve(relationsCollection(), List.copyOf(byId.keySet()), false).map(found -> {
      found.forEach(p -> byId.remove(p.getId()));
      return List.copyOf(byId.values());
    });
  }

  @Override
  public Future<List<Relation>> relate(List<Relation> relations) {
    if (relations.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Map<String, Set<String>> ends = new LinkedHashMap<>();
    relations.forEach(r -> ends.computeIfAbsent(r.namespace(), n -> new LinkedHashSet<>())
        .addAll(List.of(r.sourceId(), r.targetId())));
    Future<Void> checked = Future.succeededFuture();
    for (Map.Entry<String, Set<String>> e : ends.entrySet()) {
      checked = checked.compose(v -> points(e.getKey(), e.getValue(), false)).compose(found -> {
        for (String id : e.getValue()) {
          if (!found.containsKey(id)) {
            return Future.failedFuture(MemoryException.notFound(id));
          }
        }
        return Future.succeededFuture();
      });
    }
    Future<Void> allExist = checked;
    return guard(() -> allExist.compose(v -> newRelations(relations)).compose(fresh -> {
      Batch batch = new Batch();
      fresh.forEach(r -> batch.relations.add(PointStruct.newBuilder()
          .setId(QdrantPayloads.relationPoint(r))
          .putAllPayload(QdrantPayloads.relation(r, nextSeq())).build()));
      return batch.apply();
    }).compose(v -> calls.retrieve(relationsCollection(),
        relations.stream().map(QdrantPayloads::relationPoint).toList(), false))
        .map(points -> {
          Map<PointId, Relation> byId = new HashMap<>();
          points.forEach(p -> byId.put(p.getId(), QdrantPayloads.relation(p.getPayloadMap())));
          return relations.stream().map(QdrantPayloads::relationPoint).distinct()
              .filter(byId::containsKey).map(byId::get).toList();
        }));
  }

  @Override
  public Future<List<String>> delete(String namespace, List<String> ids, String actor,
      String sessionId) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    long now = System.currentTimeMillis();
    List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
    return guard(() -> points(namespace, distinct, false).compose(found -> {
      List<String> deleted = distinct.stream().filter(found::containsKey).toList();
      if (deleted.isEmpty()) {
        return Future.succeededFuture(deleted);
      }
      Batch batch = new Batch();
      for (String id : deleted) {
        batch.carried(found.get(id));
        Memory m = QdrantPayloads.memory(found.get(id).getPayloadMap());
        batch.event(MemoryEvent.of(id, namespace, MemoryEvent.DELETE, actor, sessionId,
            new JsonObject().put("memory", m.toJson()), now));
      }
      batch.relationDeletes.add(Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
          .addMust(filter(Filter.newBuilder().addShould(matchKeywords("source_id", deleted))
              .addShould(matchKeywords("target_id", deleted)).build())).build());
      batch.deletes.put(namespace, deleted.stream()
          .map(id -> QdrantPayloads.memoryPoint(namespace, id)).toList());
      return batch.apply().map(v -> deleted);
    }));
  }

  @Override
  public Future<Void> recordAccess(String namespace, List<String> ids, String sessionId, long at) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
    return guard(() -> points(namespace, distinct, true).compose(found -> {
      Batch batch = new Batch();
      for (String id : distinct) {
        RetrievedPoint p = found.get(id);
        if (p == null) {
          continue;
        }
        Memory m = QdrantPayloads.memory(p.getPayloadMap());
        Memory touched = new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(),
            m.name(), m.content(), m.summary(), m.tags(), m.category(), m.importance(),
            m.confidence(), m.metadata(), m.source(), m.sessionId(), m.createdAt(),
            m.updatedAt(), m.expiresAt(), m.accessCount() + 1,
            m.lastAccessed() == null ? at : Math.max(m.lastAccessed(), at), m.embeddingModel());
        List<String> eventIds = new ArrayList<>(batch.carried(p));
        eventIds.add(batch.event(MemoryEvent.of(id, namespace, MemoryEvent.ACCESS,
            ACCESS_ACTOR, sessionId, new JsonObject(), at)));
        batch.memory(touched, dense(p), QdrantPayloads.lng(p.getPayloadMap(), "seq"), eventIds);
      }
      return batch.apply();
    }));
  }

  @Override
  public Future<Void> replaceVectors(Map<String, float[]> vectorsById, String embeddingModel) {
    if (vectorsById.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> ids = List.copyOf(vectorsById.keySet());
    return guard(() -> namespaceCollections().compose(names -> {
      List<Future<List<RetrievedPoint>>> found = new ArrayList<>();
      for (String c : names) {
        found.add(calls.scrollAll(c, Filter.newBuilder().addMust(matchKeywords("id", ids)).build()));
      }
      return Future.all(found);
    }).compose(all -> {
      Batch batch = new Batch();
      for (int i = 0; i < all.size(); i++) {
        for (RetrievedPoint p : all.<List<RetrievedPoint>>resultAt(i)) {
          Memory m = QdrantPayloads.memory(p.getPayloadMap());
          Memory stamped = new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(),
              m.name(), m.content(), m.summary(), m.tags(), m.category(), m.importance(),
              m.confidence(), m.metadata(), m.source(), m.sessionId(), m.createdAt(),
              m.updatedAt(), m.expiresAt(), m.accessCount(), m.lastAccessed(), embeddingModel);
          batch.memory(stamped, vectorsById.get(m.id()), QdrantPayloads.lng(p.getPayloadMap(),
              "seq"), batch.carried(p));
        }
      }
      return batch.apply();
    }).recover(err -> Future.failedFuture(err instanceof StatusRuntimeException se
        && se.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
        && String.valueOf(se.getMessage()).toLowerCase().contains("dimension")
        ? new MemoryException(ErrorCode.INTERNAL, "DIMENSION_CHANGE_UNSUPPORTED",
            "re-embedding with a model of another dimension is not supported on the Qdrant "
                + "backend yet: its collections have a fixed vector size (" + se.getMessage() + ")")
        : err)));
  }

  // ---- StoreTransfer (migration between backends) ----

  @Override
  public Future<List<String>> namespaces() {
    return namespaceCollections().map(names -> names.stream().map(this::namespaceOf).sorted().toList());
  }

  /** The CREATE events of a namespace: one per memory ever made there, so one per item. */
  private static Filter creates(String namespace) {
    return Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeyword("type", MemoryEvent.CREATE)).build();
  }

  @Override
  public Future<Long> itemCount(String namespace) {
    return calls.call(() -> client.countAsync(events(), creates(namespace), true));
  }

  /**
   * Items in the order of their CREATE event points; the cursor is the next page's point id. A
   * create that crashed before its memory landed has neither history nor memory and is left out.
   */
  @Override
  public Future<ItemPage> readItems(String namespace, String cursor, int limit) {
    PointId offset;
    try {
      offset = cursor == null ? null : PointIdFactory.id(UUID.fromString(cursor));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(MemoryException.invalidField("cursor", "is not a Qdrant migration cursor"));
    }
    return calls.scrollPage(events(), creates(namespace), offset, limit).compose(page -> {
      String next = page.next() == null ? null : page.next().getUuid();
      List<String> ids = page.points().stream().map(p -> QdrantPayloads.str(p.getPayloadMap(), "memory_id"))
          .distinct().toList();
      if (ids.isEmpty()) {
        return Future.succeededFuture(new ItemPage(List.of(), next));
      }
      Filter ofIds = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
          .addMust(matchKeywords("memory_id", ids)).build();
      Future<List<MemoryEvent>> histories = calls.scrollAll(events(), ofIds).compose(points -> visible(namespace, points));
      Future<Map<String, RetrievedPoint>> memories = points(namespace, ids, true);
      Future<List<Relation>> relations = relations(namespace, ids);
      return Future.all(histories, memories, relations).map(cf -> {
        Map<String, List<MemoryEvent>> byId = new HashMap<>();
        histories.result().forEach(e -> byId.computeIfAbsent(e.memoryId(), k -> new ArrayList<>()).add(e));
        List<Item> items = new ArrayList<>();
        for (String id : ids) {
          RetrievedPoint p = memories.result().get(id);
          List<MemoryEvent> history = byId.getOrDefault(id, List.of());
          if (p == null && history.isEmpty()) {
            continue;
          }
          items.add(new Item(id, p == null ? null : QdrantPayloads.memory(p.getPayloadMap()), p == null ? null : dense(p),
              history, relations.result().stream().filter(r -> r.sourceId().equals(id)).toList()));
        }
        return new ItemPage(items, next);
      });
    });
  }

  /**
   * Replaces the items' events, outgoing relations and memory points: old ones deleted first, then
   * the new ones written in the usual order (events committed at once, as their write already
   * happened in the source). A crash in between is repaired by the migration copying the batch again.
   */
  @Override
  public Future<Void> writeItems(String namespace, List<Item> items) {
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> ids = items.stream().map(Item::id).toList();
    int dim = items.stream().filter(i -> i.vector() != null).mapToInt(i -> i.vector().length).findFirst().orElse(0);
    Filter oldEvents = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeywords("memory_id", ids)).build();
    Filter oldRelations = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeywords("source_id", ids)).build();
    return guard(() -> ensureNamespace(namespace, dim)
        .compose(v -> calls.deleteWhere(events(), oldEvents))
        .compose(v -> calls.deleteWhere(relationsCollection(), oldRelations))
        .compose(v -> {
          Batch batch = new Batch();
          List<PointId> gone = new ArrayList<>();
          for (Item item : items) {
            List<String> eventIds = new ArrayList<>();
            for (MemoryEvent e : item.history()) {
              UUID pid = QdrantPayloads.eventPoint(e, e.seq());
              batch.events.add(PointStruct.newBuilder().setId(PointIdFactory.id(pid))
                  .putAllPayload(QdrantPayloads.event(e, e.seq(), false)).build());
              eventIds.add(pid.toString());
            }
            for (Relation r : item.relations()) {
              batch.relations.add(PointStruct.newBuilder().setId(QdrantPayloads.relationPoint(r))
                  .putAllPayload(QdrantPayloads.relation(r, nextSeq())).build());
            }
            if (item.memory() != null) {
              batch.memory(item.memory(), item.vector(), nextSeq(), eventIds);
            } else {
              gone.add(QdrantPayloads.memoryPoint(namespace, item.id()));
            }
          }
          if (!gone.isEmpty()) {
            batch.deletes.put(namespace, gone);
          }
          return batch.apply();
        }));
  }

  // ---- Qdrant calls ----

  /** Runs a write unless closed (close() waits for it), a thrown exception as a failed future. */
  private <T> Future<T> guard(Supplier<Future<T>> op) {
    Future<T> f;
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(notOpen());
      }
      try {
        f = op.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      inFlight.add(f);
    }
    f.onComplete(ar -> inFlight.remove(f));
    return f;
  }

  private static MemoryException notOpen() {
    return new MemoryException(ErrorCode.UNAVAILABLE, "STORE_UNAVAILABLE", "the store is not open");
  }

  private static Filters orNone(Filters filters) {
    return filters == null ? Filters.NONE : filters;
  }
}
