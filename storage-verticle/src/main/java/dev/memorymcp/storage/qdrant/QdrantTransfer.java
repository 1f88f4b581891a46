package dev.memorymcp.storage.qdrant;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;

import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.StoreTransfer.Item;
import dev.memorymcp.storage.StoreTransfer.ItemPage;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Migration between backends on Qdrant: the items of a namespace, read and written whole. */
final class QdrantTransfer {
  private final QdrantCalls calls;
  private final QdrantClient client;
  private final QdrantCollections collections;
  private final QdrantReads reads;
  private final QdrantWrites writes;
  private final QdrantWriteGuard guard;

  QdrantTransfer(QdrantCalls calls, QdrantClient client, QdrantCollections collections, QdrantReads reads,
      QdrantWrites writes, QdrantWriteGuard guard) {
    this.calls = calls;
    this.client = client;
    this.collections = collections;
    this.reads = reads;
    this.writes = writes;
    this.guard = guard;
  }

  public Future<List<String>> namespaces() {
    return collections.namespaceCollections().map(names -> names.stream().map(collections::namespaceOf).sorted().toList());
  }

  /** The CREATE events of a namespace: one per memory ever made there, so one per item. */
  private static Filter creates(String namespace) {
    return Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
        .addMust(matchKeyword("type", MemoryEvent.CREATE)).build();
  }

  public Future<Long> itemCount(String namespace) {
    return calls.call(() -> client.countAsync(collections.events(), creates(namespace), true));
  }

  /**
   * Items in the order of their CREATE event points; the cursor is the next page's point id. A
   * create that crashed before its memory landed has neither history nor memory and is left out.
   */
  public Future<ItemPage> readItems(String namespace, String cursor, int limit) {
    PointId offset;
    try {
      offset = cursor == null ? null : PointIdFactory.id(UUID.fromString(cursor));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(MemoryException.invalidField("cursor", "is not a Qdrant migration cursor"));
    }
    return calls.scrollPage(collections.events(), creates(namespace), offset, limit).compose(page -> {
      String next = page.next() == null ? null : page.next().getUuid();
      List<String> ids = page.points().stream().map(p -> QdrantPayloads.str(p.getPayloadMap(), "memory_id"))
          .distinct().toList();
      if (ids.isEmpty()) {
        return Future.succeededFuture(new ItemPage(List.of(), next));
      }
      Filter ofIds = Filter.newBuilder().addMust(matchKeyword("namespace", namespace))
          .addMust(matchKeywords("memory_id", ids)).build();
      Future<List<MemoryEvent>> histories = calls.scrollAll(collections.events(), ofIds).compose(points -> reads.visible(namespace, points));
      Future<Map<String, RetrievedPoint>> memories = reads.points(namespace, ids, true);
      Future<List<Relation>> relations = reads.relations(namespace, ids);
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
          items.add(new Item(id, p == null ? null : QdrantPayloads.memory(p.getPayloadMap()), p == null ? null : QdrantReads.dense(p),
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
    return guard.guard(() -> collections.ensureNamespace(namespace, dim)
        .compose(v -> calls.deleteWhere(collections.events(), oldEvents))
        .compose(v -> calls.deleteWhere(collections.relationsCollection(), oldRelations))
        .compose(v -> {
          QdrantWriteBatch batch = writes.batch();
          List<PointId> gone = new ArrayList<>();
          for (Item item : items) {
            List<String> eventIds = new ArrayList<>();
            for (MemoryEvent e : item.history()) {
              // renumbered in the history's order: an imported line's events carry no seq, and a
              // history is read back sorted by it (and an ACCESS event's point id includes it)
              long seq = writes.nextSeq();
              UUID pid = QdrantPayloads.eventPoint(e, seq);
              batch.events.add(PointStruct.newBuilder().setId(PointIdFactory.id(pid))
                  .putAllPayload(QdrantPayloads.event(e, seq, false)).build());
              eventIds.add(pid.toString());
            }
            for (Relation r : item.relations()) {
              batch.relations.add(PointStruct.newBuilder().setId(QdrantPayloads.relationPoint(r))
                  .putAllPayload(QdrantPayloads.relation(r, writes.nextSeq())).build());
            }
            if (item.memory() != null) {
              batch.memory(item.memory(), item.vector(), writes.nextSeq(), eventIds);
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
}
