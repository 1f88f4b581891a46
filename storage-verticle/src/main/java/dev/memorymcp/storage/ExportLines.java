package dev.memorymcp.storage;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.Vectors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The export format, one JSON object per line and per memory id: {@code {namespace, id, memory
 * (null once deleted), history: [events], relations: [outgoing], vector? (base64 float32
 * little-endian)}}, the same unit the migration copies, so an import restores memories, their whole
 * history and their relations exactly. Reading a line checks it as strictly as a remember would:
 * an error names the line's field.
 */
final class ExportLines {
  private static final Set<String> FIELDS = Set.of("namespace", "id", "memory", "history", "relations", "vector");

  private ExportLines() {}

  static JsonObject toLine(String ns, StoreTransfer.Item item, boolean withVector) {
    JsonObject j = new JsonObject().put("namespace", ns).put("id", item.id())
        .put("memory", item.memory() == null ? null : item.memory().toJson())
        .put("history", new JsonArray(item.history().stream().map(MemoryEvent::toJson).toList()))
        .put("relations", new JsonArray(item.relations().stream().map(Relation::toJson).toList()));
    if (withVector && item.vector() != null) {
      j.put("vector", Base64.getEncoder().encodeToString(Vectors.toBytes(item.vector())));
    }
    return j;
  }

  /** A parsed line; {@code namespace} overrides the line's own when not null (import into another persona). */
  static StoreTransfer.Item fromLine(JsonObject j, String namespace) {
    Fields.rejectUnknown(j, FIELDS);
    String ns = namespace != null ? namespace : Namespaces.check("namespace", Fields.requireString(j, "namespace", 256));
    String id = Fields.requireString(j, "id", MemoryInput.MAX_SHORT);
    Memory memory = null;
    JsonObject m = Fields.optObject(j, "memory");
    if (m != null) {
      try {
        memory = memory(m, ns, id);
      } catch (MemoryException e) {
        throw e.withFieldPrefix("memory");
      } catch (RuntimeException e) {
        throw MemoryException.invalidField("memory", "is not a memory: " + e.getMessage());
      }
    }
    List<MemoryEvent> history = new ArrayList<>();
    JsonArray h = Fields.optArray(j, "history");
    for (int i = 0; h != null && i < h.size(); i++) {
      if (!(h.getValue(i) instanceof JsonObject e)) {
        throw MemoryException.invalidField("history[" + i + "]", "must be an object");
      }
      String type = Fields.requireString(e, "type", 16);
      if (!Set.of(MemoryEvent.CREATE, MemoryEvent.UPDATE, MemoryEvent.DELETE, MemoryEvent.MERGE, MemoryEvent.ACCESS)
          .contains(type)) {
        throw MemoryException.invalidField("history[" + i + "].type", "is not an event type");
      }
      history.add(new MemoryEvent(0, id, ns, type, Fields.optString(e, "actor", 200),
          Fields.optString(e, "session_id", MemoryInput.MAX_SHORT), Fields.optObject(e, "data"),
          Fields.parseInstant("history[" + i + "].at", Fields.requireString(e, "at", 64))));
    }
    List<Relation> relations = new ArrayList<>();
    JsonArray r = Fields.optArray(j, "relations");
    for (int i = 0; r != null && i < r.size(); i++) {
      if (!(r.getValue(i) instanceof JsonObject rel)) {
        throw MemoryException.invalidField("relations[" + i + "]", "must be an object");
      }
      String at = "relations[" + i + "]";
      String created = Fields.optString(rel, "created_at", 64);
      Double conf = Fields.optUnit(rel, "confidence");
      relations.add(new Relation(ns, id, Fields.requireString(rel, "target_id", MemoryInput.MAX_SHORT),
          Fields.requireString(rel, "relation_type", 64), Fields.optObject(rel, "properties"),
          conf == null ? 1.0 : conf, created == null ? 0 : Fields.parseInstant(at + ".created_at", created)));
    }
    float[] vector = null;
    String v = Fields.optString(j, "vector", 1 << 20);
    if (v != null) {
      try {
        vector = Vectors.fromBytes(Base64.getDecoder().decode(v));
      } catch (IllegalArgumentException e) {
        throw MemoryException.invalidField("vector", "is not base64 of float32 values");
      }
    }
    if (memory == null && history.isEmpty()) {
      throw MemoryException.invalidField("memory", "a line needs a memory or some history");
    }
    return new StoreTransfer.Item(id, memory, vector, history, relations);
  }

  private static Memory memory(JsonObject m, String ns, String id) {
    if (!id.equals(m.getString("id"))) {
      throw MemoryException.invalidField("id", "must equal the line's id " + id);
    }
    Fields.requireString(m, "content", MemoryInput.MAX_CONTENT);
    Fields.requireString(m, "created_at", 64);
    if (Fields.optEnum(m, "type", Memory.TYPES) == null) {
      throw MemoryException.invalidField("type", "is required");
    }
    if (Fields.optEnum(m, "scope", Memory.SCOPES) == null) {
      throw MemoryException.invalidField("scope", "is required");
    }
    Fields.optEnum(m, "source", Memory.SOURCES);
    Fields.optStrings(m, "tags", 32, 64);
    Fields.optUnit(m, "importance");
    Fields.optUnit(m, "confidence");
    Memory parsed = Memory.fromJson(m);
    return new Memory(parsed.id(), ns, parsed.scope(), parsed.scopeId(), parsed.type(), parsed.name(),
        parsed.content(), parsed.summary(), parsed.tags(), parsed.category(), parsed.importance(),
        parsed.confidence(), parsed.metadata(), parsed.source() == null ? "import" : parsed.source(),
        parsed.sessionId(), parsed.createdAt(), parsed.updatedAt(), parsed.expiresAt(), parsed.accessCount(),
        parsed.lastAccessed(), parsed.embeddingModel());
  }
}
