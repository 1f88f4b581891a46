package dev.memorymcp.qdrantdouble;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.FieldType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The double's data: collections of points, all in memory. Each collection is its own lock. */
final class DoubleState {
  final Map<String, Coll> collections = new ConcurrentHashMap<>();

  /** A dense vector's configuration. */
  record Dense(long size, Distance distance) {}

  /** A sparse vector: indices and values. */
  record Sparse(int[] indices, float[] values) {}

  /** One point: payload and vectors by name. */
  static final class Point {
    final PointId id;
    Map<String, Value> payload = new LinkedHashMap<>();
    Map<String, float[]> dense = new HashMap<>();
    Map<String, Sparse> sparse = new HashMap<>();
    long version;

    Point(PointId id) {
      this.id = id;
    }
  }

  /** One collection: its vector configuration, payload index types and points in id order. */
  static final class Coll {
    final String name;
    final Map<String, Dense> dense;
    final Map<String, Modifier> sparse;
    final Map<String, FieldType> indexes = new ConcurrentHashMap<>();
    final TreeMap<String, Point> points = new TreeMap<>();
    long operations;

    Coll(String name, Map<String, Dense> dense, Map<String, Modifier> sparse) {
      this.name = name;
      this.dense = dense;
      this.sparse = sparse;
    }
  }

  /**
   * The sort key of a point id, in Qdrant's order: numeric ids before UUIDs, numbers by value,
   * UUIDs by their 128 bits (= their lower-case hyphenated text).
   */
  static String key(PointId id) {
    if (id.hasUuid()) {
      try {
        return "u" + java.util.UUID.fromString(id.getUuid()).toString();
      } catch (IllegalArgumentException e) {
        throw invalid("Unable to parse UUID: " + id.getUuid());
      }
    }
    if (id.hasNum()) {
      return "n" + String.format("%020d", id.getNum());
    }
    throw invalid("point id is empty");
  }

  Coll get(String name) {
    Coll c = collections.get(name);
    if (c == null) {
      throw Status.NOT_FOUND.withDescription("Not found: Collection `" + name + "` doesn't exist!")
          .asRuntimeException();
    }
    return c;
  }

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription("Wrong input: " + message).asRuntimeException();
  }

  static StatusRuntimeException unimplemented(String feature) {
    return Status.UNIMPLEMENTED.withDescription("the Qdrant test double does not model " + feature)
        .asRuntimeException();
  }
}
