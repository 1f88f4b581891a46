package dev.memorymcp.storage.qdrant;

import static io.qdrant.client.ValueFactory.value;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Records to Qdrant payloads and back, and the deterministic point ids: a memory's point id is a
 * name-based UUID of (namespace, memory id), a relation's of its unique triple, an event's of its
 * content, so a retried write upserts the same points instead of adding new ones. Every field the
 * filters use is a top-level payload key; JSON objects (metadata, event data, relation properties)
 * are stored as encoded strings so they round-trip exactly.
 */
final class QdrantPayloads {
  private QdrantPayloads() {}

  static UUID uuid(String... parts) {
    return UUID.nameUUIDFromBytes(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
  }

  static PointId memoryPoint(String namespace, String id) {
    return PointIdFactory.id(uuid("memory", namespace, id));
  }

  static PointId relationPoint(Relation r) {
    return PointIdFactory.id(uuid("relation", r.namespace(), r.sourceId(), r.targetId(), r.type()));
  }

  /**
   * An event's point id: of its content, so re-sending the same event upserts the same point; an
   * ACCESS event also takes its seq, as two recalls in the same millisecond are two events.
   */
  static UUID eventPoint(MemoryEvent e, long seq) {
    return uuid("event", e.namespace(), e.memoryId(), e.type(), String.valueOf(e.at()),
        e.actor() == null ? "" : e.actor(), e.sessionId() == null ? "" : e.sessionId(),
        e.data() == null ? "{}" : e.data().encode(),
        MemoryEvent.ACCESS.equals(e.type()) ? String.valueOf(seq) : "");
  }

  /** The ids of the events whose writes produced this state (see QdrantMemoryStore). */
  static List<String> eventIds(Map<String, Value> p) {
    Value v = p.get("event_ids");
    return v == null || !v.hasListValue() ? List.of()
        : v.getListValue().getValuesList().stream().map(Value::getStringValue).toList();
  }

  /**
   * An order-preserving integer of an id's first nine characters (seven bits each), so that
   * order_by on it sorts like the ids; ids sharing those characters tie and are sorted by the store.
   */
  static long idKey(String id) {
    long key = 0;
    for (int i = 0; i < 9; i++) {
      int c = i < id.length() ? Math.min(id.charAt(i), 127) : 0;
      key = key << 7 | c;
    }
    return key;
  }

  static Map<String, Value> memory(Memory m, long seq, List<String> eventIds) {
    Map<String, Value> p = new HashMap<>();
    p.put("event_ids", value(eventIds.stream().map(io.qdrant.client.ValueFactory::value).toList()));
    p.put("id", value(m.id()));
    p.put("id_key", value(idKey(m.id())));
    p.put("namespace", value(m.namespace()));
    putIf(p, "scope", m.scope());
    putIf(p, "scope_id", m.scopeId());
    putIf(p, "type", m.type());
    putIf(p, "name", m.name());
    putIf(p, "content", m.content());
    putIf(p, "summary", m.summary());
    p.put("tags", value(m.tags() == null ? List.of()
        : m.tags().stream().map(io.qdrant.client.ValueFactory::value).toList()));
    putIf(p, "category", m.category());
    p.put("importance", value(m.importance()));
    p.put("confidence", value(m.confidence()));
    p.put("metadata", value(m.metadata() == null ? "{}" : m.metadata().encode()));
    putIf(p, "source", m.source());
    putIf(p, "session_id", m.sessionId());
    p.put("created_at", value(m.createdAt()));
    p.put("updated_at", value(m.updatedAt()));
    if (m.expiresAt() != null) {
      p.put("expires_at", value(m.expiresAt()));
    }
    p.put("access_count", value(m.accessCount()));
    if (m.lastAccessed() != null) {
      p.put("last_accessed", value(m.lastAccessed()));
    }
    putIf(p, "embedding_model", m.embeddingModel());
    p.put("seq", value(seq));
    return p;
  }

  static Memory memory(Map<String, Value> p) {
    String metadata = str(p, "metadata");
    List<String> tags = p.containsKey("tags")
        ? p.get("tags").getListValue().getValuesList().stream().map(Value::getStringValue).toList()
        : List.of();
    return new Memory(str(p, "id"), str(p, "namespace"), str(p, "scope"), str(p, "scope_id"),
        str(p, "type"), str(p, "name"), str(p, "content"), str(p, "summary"), tags,
        str(p, "category"), num(p, "importance"), num(p, "confidence"),
        metadata == null ? new JsonObject() : new JsonObject(metadata), str(p, "source"),
        str(p, "session_id"), lng(p, "created_at"), lng(p, "updated_at"), optLong(p, "expires_at"),
        lng(p, "access_count"), optLong(p, "last_accessed"), str(p, "embedding_model"));
  }

  static Map<String, Value> event(MemoryEvent e, long seq, boolean pending) {
    Map<String, Value> p = new HashMap<>();
    p.put("memory_id", value(e.memoryId()));
    p.put("namespace", value(e.namespace()));
    p.put("type", value(e.type()));
    putIf(p, "actor", e.actor());
    putIf(p, "session_id", e.sessionId());
    JsonObject data = e.data() == null ? new JsonObject() : e.data();
    p.put("data", value(data.encode()));
    Object key = data.getValue("write_key");
    if (key instanceof String s) {
      p.put("write_key", value(s));
    }
    p.put("at", value(e.at()));
    p.put("seq", value(seq));
    p.put("pending", value(pending));
    return p;
  }

  static MemoryEvent event(Map<String, Value> p) {
    return new MemoryEvent(lng(p, "seq"), str(p, "memory_id"), str(p, "namespace"),
        str(p, "type"), str(p, "actor"), str(p, "session_id"), new JsonObject(str(p, "data")),
        lng(p, "at"));
  }

  static Map<String, Value> relation(Relation r, long seq) {
    Map<String, Value> p = new HashMap<>();
    p.put("namespace", value(r.namespace()));
    p.put("source_id", value(r.sourceId()));
    p.put("target_id", value(r.targetId()));
    p.put("relation_type", value(r.type()));
    p.put("properties", value((r.properties() == null ? new JsonObject() : r.properties()).encode()));
    p.put("confidence", value(r.confidence()));
    p.put("created_at", value(r.createdAt()));
    p.put("seq", value(seq));
    return p;
  }

  static Relation relation(Map<String, Value> p) {
    return new Relation(str(p, "namespace"), str(p, "source_id"), str(p, "target_id"),
        str(p, "relation_type"), new JsonObject(str(p, "properties")), num(p, "confidence"),
        lng(p, "created_at"));
  }

  private static void putIf(Map<String, Value> p, String key, String v) {
    if (v != null) {
      p.put(key, value(v));
    }
  }

  static String str(Map<String, Value> p, String key) {
    Value v = p.get(key);
    return v == null || v.hasNullValue() ? null : v.getStringValue();
  }

  static long lng(Map<String, Value> p, String key) {
    Long v = optLong(p, key);
    return v == null ? 0L : v;
  }

  static Long optLong(Map<String, Value> p, String key) {
    Value v = p.get(key);
    if (v == null || v.hasNullValue()) {
      return null;
    }
    return v.hasIntegerValue() ? v.getIntegerValue() : (long) v.getDoubleValue();
  }

  /** A number, whether Qdrant returns it as a double or (for whole values) an integer. */
  static double num(Map<String, Value> p, String key) {
    Value v = p.get(key);
    if (v == null) {
      return 0;
    }
    return v.hasIntegerValue() ? v.getIntegerValue() : v.getDoubleValue();
  }
}
