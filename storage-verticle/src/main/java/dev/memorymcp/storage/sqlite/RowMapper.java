package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.Vectors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Rows to records and records to statement parameters; JSON columns via JsonObject / JsonArray. */
final class RowMapper {
  private RowMapper() {}

  /** A memory from a row selected with {@link SqlQueries#MEMORY_COLUMNS}. */
  static Memory memory(Row row) {
    String metadata = row.getString("metadata");
    return new Memory(row.getString("id"), row.getString("namespace"), row.getString("scope"),
        row.getString("scope_id"), row.getString("type"), row.getString("name"),
        row.getString("content"), row.getString("summary"), tags(row.getString("tags")),
        row.getString("category"), row.getDouble("importance"), row.getDouble("confidence"),
        metadata == null ? null : new JsonObject(metadata), row.getString("source"),
        row.getString("session_id"), row.getLong("created_at"), row.getLong("updated_at"),
        row.getLong("expires_at"), row.getLong("access_count"), row.getLong("last_accessed"),
        row.getString("embedding_model"));
  }

  static List<String> tags(String json) {
    if (json == null || json.isEmpty()) {
      return List.of();
    }
    return new JsonArray(json).stream().map(String::valueOf).toList();
  }

  /** The parameters of {@link SqlQueries#INSERT_MEMORY}. */
  static Tuple insertParams(Memory m) {
    return Tuple.from(Arrays.asList(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(),
        m.name(), m.content(), m.summary(), tagsJson(m), m.category(), m.importance(),
        m.confidence(), metadataJson(m), m.source(), m.sessionId(), m.createdAt(), m.updatedAt(),
        m.expiresAt(), m.accessCount(), m.lastAccessed(), m.embeddingModel()));
  }

  /** The parameters of {@link SqlQueries#UPDATE_MEMORY} for the row {@code seq}. */
  static Tuple updateParams(Memory m, long seq) {
    return Tuple.from(Arrays.asList(m.scope(), m.scopeId(), m.type(), m.name(), m.content(),
        m.summary(), tagsJson(m), m.category(), m.importance(), m.confidence(), metadataJson(m),
        m.source(), m.sessionId(), m.createdAt(), m.updatedAt(), m.expiresAt(),
        m.embeddingModel(), seq));
  }

  private static String tagsJson(Memory m) {
    return new JsonArray(m.tags() == null ? List.of() : List.copyOf(m.tags())).encode();
  }

  private static String metadataJson(Memory m) {
    return m.metadata() == null ? "{}" : m.metadata().encode();
  }

  static MemoryEvent event(Row row) {
    String data = row.getString("data");
    return new MemoryEvent(row.getLong("seq"), row.getString("memory_id"),
        row.getString("namespace"), row.getString("type"), row.getString("actor"),
        row.getString("session_id"), data == null ? new JsonObject() : new JsonObject(data),
        row.getLong("at"));
  }

  /** The parameters of {@link SqlQueries#INSERT_EVENT}. */
  static Tuple eventParams(MemoryEvent e) {
    return Tuple.from(Arrays.asList(e.memoryId(), e.namespace(), e.type(), e.actor(),
        e.sessionId(), (e.data() == null ? new JsonObject() : e.data()).encode(), e.at()));
  }

  static Relation relation(Row row) {
    String props = row.getString("properties");
    return new Relation(row.getString("namespace"), row.getString("source_id"),
        row.getString("target_id"), row.getString("relation_type"),
        props == null ? new JsonObject() : new JsonObject(props), row.getDouble("confidence"),
        row.getLong("created_at"));
  }

  /** The parameters of {@link SqlQueries#INSERT_RELATION}. */
  static Tuple relationParams(Relation r) {
    return Tuple.from(Arrays.asList(r.namespace(), r.sourceId(), r.targetId(), r.type(),
        (r.properties() == null ? new JsonObject() : r.properties()).encode(), r.confidence(),
        r.createdAt()));
  }

  /** The key of {@link SqlQueries#GET_RELATION}. */
  static Tuple relationKey(Relation r) {
    return Tuple.of(r.namespace(), r.sourceId(), r.targetId(), r.type());
  }

  /** The parameters of {@link SqlQueries#UPSERT_VECTOR}. */
  static Tuple vectorParams(String id, float[] vector) {
    return Tuple.of(vector.length, Vectors.toBytes(vector), id);
  }

  /** A BLOB column as floats, whether the driver gave a Buffer or a byte[]. */
  static float[] vector(Row row, String column) {
    Object v = row.getValue(column);
    byte[] bytes = v instanceof Buffer b ? b.getBytes() : (byte[]) v;
    return Vectors.fromBytes(bytes);
  }

  /** A list of ids as the JSON-array parameter of {@link SqlQueries#IDS}. */
  static String idsJson(Iterable<String> ids) {
    JsonArray a = new JsonArray();
    ids.forEach(a::add);
    return a.encode();
  }

  /** One tuple of the given values, the elements of any List among them spliced in place. */
  static Tuple flat(Object... parts) {
    List<Object> all = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> list) {
        all.addAll(list);
      } else {
        all.add(p);
      }
    }
    return Tuple.from(all);
  }
}
