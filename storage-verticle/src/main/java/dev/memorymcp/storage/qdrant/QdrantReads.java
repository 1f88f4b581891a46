package dev.memorymcp.storage.qdrant;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.range;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.storage.MemoryStore.Page;
import dev.memorymcp.storage.MemoryStore.Scored;
import dev.memorymcp.storage.internal.KeywordTerms;
import dev.memorymcp.storage.internal.ListCursor;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QueryFactory;
import io.qdrant.client.VectorOutputHelper;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The reads of the Qdrant store: memories, vectors, listings, history, relations, searches, counts. */
final class QdrantReads {
  private static final String DENSE = QdrantCollections.DENSE;
  private static final String SPARSE = QdrantCollections.SPARSE;

  private final QdrantCalls calls;
  private final QdrantClient client;
  private final QdrantCollections collections;

  QdrantReads(QdrantCalls calls, QdrantClient client, QdrantCollections collections) {
    this.calls = calls;
    this.client = client;
    this.collections = collections;
  }

  public Future<Memory> get(String namespace, String id) {
    return getMany(namespace, List.of(id)).map(l -> l.isEmpty() ? null : l.get(0));
  }

  public Future<List<Memory>> getMany(String namespace, List<String> ids) {
    return points(namespace, ids, false).map(found -> ids.stream().distinct()
        .filter(found::containsKey).map(id -> QdrantPayloads.memory(found.get(id).getPayloadMap()))
        .toList());
  }

  /** The stored points of the ids in the namespace, by memory id. */
  Future<Map<String, RetrievedPoint>> points(String namespace, Collection<String> ids,
      boolean withVectors) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return collections.hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(List.of())
        : calls.retrieve(collections.collection(namespace), new LinkedHashSet<>(ids).stream()
            .map(id -> QdrantPayloads.memoryPoint(namespace, id)).toList(), withVectors))
        .map(points -> {
          Map<String, RetrievedPoint> out = new HashMap<>();
          points.forEach(p -> out.put(QdrantPayloads.str(p.getPayloadMap(), "id"), p));
          return out;
        });
  }

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

  static float[] dense(RetrievedPoint p) {
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
    return collections.hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(List.of())
        : calls.ordered(collections.collection(namespace), f.build(), "created_at", Direction.Desc, pageSize))
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

  public Future<List<MemoryEvent>> history(String namespace, String id) {
    Filter f = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeyword("memory_id", id)).build();
    return calls.scrollAll(collections.events(), f).compose(points -> visible(namespace, points));
  }

  public Future<MemoryEvent> eventByWriteKey(String namespace, String writeKey) {
    Filter f = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeyword("write_key", writeKey)).build();
    return calls.scrollAll(collections.events(), f).compose(points -> visible(namespace, points))
        .map(l -> l.isEmpty() ? null : l.get(0));
  }

  /**
   * The events that happened, oldest first: committed ones, and pending ones whose write landed
   * before a crash kept it from committing them (their memory point names them, or, for a DELETE,
   * the memory is gone). Pending events of writes that never landed stay invisible.
   */
  Future<List<MemoryEvent>> visible(String namespace, List<RetrievedPoint> points) {
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

  public Future<List<Relation>> relations(String namespace, Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<String> list = List.copyOf(new LinkedHashSet<>(ids));
    Filter f = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(filter(Filter.newBuilder().addShould(matchKeywords("source_id", list))
            .addShould(matchKeywords("target_id", list)).build())).build();
    return calls.scrollAll(collections.relationsCollection(), f).compose(points -> {
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

  public Future<List<Scored>> vectorSearch(String namespace, float[] query, int k,
      Filters filters) {
    if (k <= 0 || query == null || query.length == 0) {
      return Future.succeededFuture(List.of());
    }
    return collections.hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(List.of())
        : calls.query(QueryPoints.newBuilder().setCollectionName(collections.collection(namespace))
            .setQuery(QueryFactory.nearest(query)).setUsing(DENSE)
            .setFilter(QdrantFilters.of(orNone(filters), System.currentTimeMillis())).setLimit(k)
            .build()));
  }

  public Future<List<Scored>> keywordSearch(String namespace, KeywordQuery query, int k,
      Filters filters) {
    KeywordTerms t = KeywordTerms.of(query);
    if (t.isEmpty() || k <= 0) {
      return Future.succeededFuture(List.of());
    }
    Filter f = QdrantFilters.of(orNone(filters), System.currentTimeMillis());
    return collections.hasNamespace(namespace).compose(exists -> {
      if (!exists) {
        return Future.succeededFuture(List.of());
      }
      List<Future<List<Scored>>> parts = new ArrayList<>();
      for (QdrantKeywords.Sparse q : QdrantKeywords.queries(t)) {
        parts.add(calls.query(QueryPoints.newBuilder().setCollectionName(collections.collection(namespace))
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

  public Future<Long> count(String namespace) {
    if (namespace != null) {
      return collections.hasNamespace(namespace).compose(exists -> !exists ? Future.succeededFuture(0L)
          : calls.call(() -> client.countAsync(collections.collection(namespace), null, true)));
    }
    return collections.namespaceCollections().compose(names -> {
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

  public Future<List<Memory>> scan(String afterId, int limit) {
    String after = afterId == null ? "" : afterId;
    long key = QdrantPayloads.idKey(after);
    return collections.namespaceCollections().compose(names -> {
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

  static Filters orNone(Filters filters) {
    return filters == null ? Filters.NONE : filters;
  }
}
