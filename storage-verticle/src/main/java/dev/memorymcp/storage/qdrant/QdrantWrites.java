package dev.memorymcp.storage.qdrant;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore.Write;
import dev.memorymcp.storage.MemoryStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** The writes of the Qdrant store, each a {@link QdrantWriteBatch} after the checks that could refuse it. */
final class QdrantWrites {
  private final QdrantCalls calls;
  private final QdrantCollections collections;
  private final QdrantReads reads;
  private final QdrantWriteGuard guard;
  private final AtomicLong lastSeq = new AtomicLong();

  QdrantWrites(QdrantCalls calls, QdrantCollections collections, QdrantReads reads, QdrantWriteGuard guard) {
    this.calls = calls;
    this.collections = collections;
    this.reads = reads;
    this.guard = guard;
  }

  /** Increasing across this process: microseconds of the clock, one more when that did not move. */
  long nextSeq() {
    long now = System.currentTimeMillis() * 1000;
    return lastSeq.updateAndGet(l -> Math.max(l + 1, now));
  }

  QdrantWriteBatch batch() {
    return new QdrantWriteBatch(calls, collections, this::nextSeq);
  }

  public Future<Void> create(Memory memory, float[] vector, MemoryEvent event,
      List<Relation> relations) {
    return writeAll(List.of(new Write(true, memory, vector, event,
        relations == null ? List.of() : relations)));
  }

  public Future<Void> update(Memory updated, float[] vector, MemoryEvent event) {
    return writeAll(List.of(new Write(false, updated, vector, event, List.of())));
  }

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
    return guard.guard(() -> loadAll(idsByNs, dim).compose(stored -> {
      QdrantWriteBatch batch = batch();
      Map<String, Memory> state = new HashMap<>(); // ns \0 id -> memory as of this write
      Map<String, Long> seqs = new HashMap<>();
      Map<String, float[]> vectors = new HashMap<>();
      Map<String, List<String>> eventIds = new HashMap<>();
      stored.forEach((key, p) -> {
        state.put(key, QdrantPayloads.memory(p.getPayloadMap()));
        seqs.put(key, QdrantPayloads.lng(p.getPayloadMap(), "seq"));
        vectors.put(key, QdrantReads.dense(p));
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
      f = f.compose(v -> collections.ensureNamespace(e.getKey(), dim))
          .compose(v -> reads.points(e.getKey(), e.getValue(), true))
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
    return calls.retrieve(collections.relationsCollection(), List.copyOf(byId.keySet()), false).map(found -> {
      found.forEach(p -> byId.remove(p.getId()));
      return List.copyOf(byId.values());
    });
  }

  public Future<List<Relation>> relate(List<Relation> relations) {
    if (relations.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Map<String, Set<String>> ends = new LinkedHashMap<>();
    relations.forEach(r -> ends.computeIfAbsent(r.namespace(), n -> new LinkedHashSet<>())
        .addAll(List.of(r.sourceId(), r.targetId())));
    Future<Void> checked = Future.succeededFuture();
    for (Map.Entry<String, Set<String>> e : ends.entrySet()) {
      checked = checked.compose(v -> reads.points(e.getKey(), e.getValue(), false)).compose(found -> {
        for (String id : e.getValue()) {
          if (!found.containsKey(id)) {
            return Future.failedFuture(MemoryException.notFound(id));
          }
        }
        return Future.succeededFuture();
      });
    }
    Future<Void> allExist = checked;
    return guard.guard(() -> allExist.compose(v -> newRelations(relations)).compose(fresh -> {
      QdrantWriteBatch batch = batch();
      fresh.forEach(r -> batch.relations.add(PointStruct.newBuilder()
          .setId(QdrantPayloads.relationPoint(r))
          .putAllPayload(QdrantPayloads.relation(r, nextSeq())).build()));
      return batch.apply();
    }).compose(v -> calls.retrieve(collections.relationsCollection(),
        relations.stream().map(QdrantPayloads::relationPoint).toList(), false))
        .map(points -> {
          Map<PointId, Relation> byId = new HashMap<>();
          points.forEach(p -> byId.put(p.getId(), QdrantPayloads.relation(p.getPayloadMap())));
          return relations.stream().map(QdrantPayloads::relationPoint).distinct()
              .filter(byId::containsKey).map(byId::get).toList();
        }));
  }

  public Future<List<String>> delete(String namespace, List<String> ids, String actor,
      String sessionId) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    long now = System.currentTimeMillis();
    List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
    return guard.guard(() -> reads.points(namespace, distinct, false).compose(found -> {
      List<String> deleted = distinct.stream().filter(found::containsKey).toList();
      if (deleted.isEmpty()) {
        return Future.succeededFuture(deleted);
      }
      QdrantWriteBatch batch = batch();
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

  public Future<Void> recordAccess(String namespace, List<String> ids, String sessionId, long at) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
    return guard.guard(() -> reads.points(namespace, distinct, true).compose(found -> {
      QdrantWriteBatch batch = batch();
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
            MemoryStore.ACCESS_ACTOR, sessionId, new JsonObject(), at)));
        batch.memory(touched, QdrantReads.dense(p), QdrantPayloads.lng(p.getPayloadMap(), "seq"), eventIds);
      }
      return batch.apply();
    }));
  }

  public Future<Void> replaceVectors(Map<String, float[]> vectorsById, String embeddingModel) {
    if (vectorsById.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> ids = List.copyOf(vectorsById.keySet());
    return guard.guard(() -> collections.namespaceCollections().compose(names -> {
      List<Future<List<RetrievedPoint>>> found = new ArrayList<>();
      for (String c : names) {
        found.add(calls.scrollAll(c, Filter.newBuilder().addMust(matchKeywords("id", ids)).build()));
      }
      return Future.all(found);
    }).compose(all -> {
      QdrantWriteBatch batch = batch();
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
}
