package dev.memorymcp.storage.ingest;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.match;

import dev.memorymcp.storage.qdrant.QdrantCalls;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Ingest jobs as points of the queue's collection: a job row (the columns of {@code ingest_jobs}
 * as JSON keys) is the payload of the point named by its job id; {@link #compareAndSet} is how
 * every change of a job is made.
 */
final class QdrantJobPoints {
  private final QdrantCalls calls;
  private final String collection;

  QdrantJobPoints(QdrantCalls calls, String collection) {
    this.calls = calls;
    this.collection = collection;
  }

  /** The jobs with these ids, by id (missing ones absent). */
  Future<Map<String, JsonObject>> read(List<String> jobIds) {
    return calls.retrieve(collection, jobIds.stream().map(QdrantJobPoints::pointId).toList(), false).map(points -> {
      Map<String, JsonObject> out = new HashMap<>();
      for (RetrievedPoint p : points) {
        JsonObject r = row(p.getPayloadMap());
        out.put(r.getString("id"), r);
      }
      return out;
    });
  }

  static PointId pointId(String jobId) {
    return PointIdFactory.id(UUID.nameUUIDFromBytes(("ingest\u0000" + jobId).getBytes(StandardCharsets.UTF_8)));
  }

  /** A row as a point: strings and integers as payload values; nulls left out. */
  static PointStruct point(JsonObject row) {
    Map<String, Value> payload = new LinkedHashMap<>();
    row.forEach(e -> {
      Object v = e.getValue();
      if (v instanceof String s) {
        payload.put(e.getKey(), ValueFactory.value(s));
      } else if (v instanceof Number n) {
        payload.put(e.getKey(), ValueFactory.value(n.longValue()));
      } else if (v != null) {
        throw new IllegalArgumentException("ingest job field " + e.getKey() + " is neither text nor a number");
      }
    });
    return PointStruct.newBuilder().setId(pointId(row.getString("id"))).putAllPayload(payload).build();
  }

  static JsonObject row(Map<String, Value> payload) {
    JsonObject row = new JsonObject();
    payload.forEach((k, v) -> {
      if (v.hasStringValue()) {
        row.put(k, v.getStringValue());
      } else if (v.hasIntegerValue()) {
        row.put(k, v.getIntegerValue());
      }
    });
    return row;
  }

  /**
   * Writes each {@code next} over its {@code before} only where the stored version is still
   * {@code before}'s, in one upsert; completes with the rows this call's write won, as stored.
   */
  Future<List<JsonObject>> compareAndSet(List<JsonObject> before, List<JsonObject> next) {
    Filter.Builder unchanged = Filter.newBuilder();
    List<PointStruct> points = new ArrayList<>();
    for (int i = 0; i < before.size(); i++) {
      JsonObject b = before.get(i);
      unchanged.addShould(filter(Filter.newBuilder().addMust(hasId(pointId(b.getString("id"))))
          .addMust(match("version", b.getLong("version"))).build()));
      JsonObject n = next.get(i).put("version", b.getLong("version") + 1).put("nonce", UUID.randomUUID().toString());
      points.add(point(n));
    }
    return calls.upsert(collection, points, UpdateMode.UpdateOnly, unchanged.build())
        .compose(v -> read(next.stream().map(r -> r.getString("id")).toList()))
        .map(stored -> next.stream().map(n -> stored.get(n.getString("id")))
            .filter(s -> s != null && next.stream().anyMatch(n -> n.getString("nonce").equals(s.getString("nonce"))))
            .toList());
  }
}
