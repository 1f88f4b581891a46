package dev.memorymcp.storage.qdrant;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.Vector;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The pieces of one write, applied in the documented order (see {@link QdrantMemoryStore}): events
 * pending, relations, memory points per namespace, then the events committed.
 */
final class QdrantWriteBatch {
  /** Event ids a memory point keeps: its last writes', whose events a crash may have left pending. */
  static final int MAX_EVENT_IDS = 16;

  final List<PointStruct> events = new ArrayList<>();
  final List<PointStruct> relations = new ArrayList<>();
  final List<Filter> relationDeletes = new ArrayList<>();
  final Map<String, Map<String, PointStruct>> upserts = new LinkedHashMap<>();
  final Map<String, List<PointId>> deletes = new LinkedHashMap<>();

  /** Earlier events to commit with this write: ones a crashed write left pending (step 4). */
  final Set<String> repairs = new LinkedHashSet<>();

  private final QdrantCalls calls;
  private final QdrantCollections collections;
  private final LongSupplier seqs;

  QdrantWriteBatch(QdrantCalls calls, QdrantCollections collections, LongSupplier seqs) {
    this.calls = calls;
    this.collections = collections;
    this.seqs = seqs;
  }

  private long nextSeq() {
    return seqs.getAsLong();
  }

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
      vectors.put(QdrantCollections.DENSE, VectorFactory.vector(vector));
    }
    QdrantKeywords.Sparse kw = QdrantKeywords.document(m);
    if (!kw.isEmpty()) {
      vectors.put(QdrantCollections.SPARSE, VectorFactory.vector(kw.values(), kw.indices()));
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
    Future<Void> f = events.isEmpty() ? Future.succeededFuture() : calls.upsert(collections.events(), events);
    if (!relations.isEmpty()) {
      f = f.compose(v -> calls.upsert(collections.relationsCollection(), relations));
    }
    for (Filter rf : relationDeletes) {
      f = f.compose(v -> calls.deleteWhere(collections.relationsCollection(), rf));
    }
    for (Map.Entry<String, Map<String, PointStruct>> e : upserts.entrySet()) {
      f = f.compose(v -> calls.upsert(collections.collection(e.getKey()), List.copyOf(e.getValue().values())));
    }
    for (Map.Entry<String, List<PointId>> e : deletes.entrySet()) {
      f = f.compose(v -> calls.deleteIds(collections.collection(e.getKey()), e.getValue()));
    }
    if (!events.isEmpty() || !repairs.isEmpty()) {
      Set<PointId> ids = new LinkedHashSet<>();
      events.forEach(e -> ids.add(e.getId()));
      repairs.forEach(r -> ids.add(PointIdFactory.id(UUID.fromString(r))));
      f = f.compose(v -> calls.commit(collections.events(), ids));
    }
    return f;
  }
}
