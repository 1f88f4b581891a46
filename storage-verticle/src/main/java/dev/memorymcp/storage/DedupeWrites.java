package dev.memorymcp.storage;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.Relations;
import dev.memorymcp.storage.dedupe.DedupePolicy;
import dev.memorymcp.storage.dedupe.DedupePolicy.Decision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a remember writes for a dedupe decision: a new memory with its CREATE event and relations,
 * or an existing memory's merged state with a MERGE event that keeps the previous state and the
 * input, so no merge drops information.
 */
final class DedupeWrites {
  private DedupeWrites() {}

  /** A new memory with its CREATE event and its relations (asked for, supersedes, related_to). */
  static MemoryStore.Write create(String ns, MemoryInput in, float[] vector, Decision d, WriteOrigin origin,
      TtlPolicy ttl, String model) {
    long now = System.currentTimeMillis();
    String id = Ids.newId();
    long created = in.createdAt() == null ? now : in.createdAt();
    Memory m = new Memory(id, ns, in.scope(), in.scopeId(), in.type(), in.name(), in.content(),
        in.summary(), in.tags(), in.category(), in.importance(), in.confidence(), in.metadata(),
        in.source(), in.sessionId(), created, now, ttl.expiresAt(in.type(), in.expiresAt(), now), 0, null, model);
    List<Relation> rels = new ArrayList<>();
    for (MemoryInput.RelationRef r : in.relations()) {
      rels.add(new Relation(ns, id, r.targetId(), r.type(), new JsonObject(), 1.0, now));
    }
    if (d.action() == DedupePolicy.Action.SUPERSEDE) {
      rels.add(new Relation(ns, id, d.targetId(), Relations.SUPERSEDES,
          new JsonObject().put("reason", d.reason()), 1.0, now));
    }
    for (String rid : d.relatedIds()) {
      rels.add(new Relation(ns, id, rid, Relations.RELATED_TO, new JsonObject().put("auto", true), 1.0, now));
    }
    JsonObject data = origin.stamp(new JsonObject().put("memory", m.toJson()));
    if (d.action() != DedupePolicy.Action.CREATE) {
      data.put("dedupe", new JsonObject().put("decision", d.action().name().toLowerCase())
          .put("target_id", d.targetId()).put("related", new JsonArray(d.relatedIds())));
    }
    MemoryEvent ev = MemoryEvent.of(id, ns, MemoryEvent.CREATE, in.source(), in.sessionId(), data, now);
    return new MemoryStore.Write(true, m, vector, ev, rels);
  }

  /**
   * The merged state of {@code old} and the input: tags and metadata united, the larger importance
   * and confidence, the new text only for an UPDATE (which keeps every word of the old one).
   */
  static MemoryStore.Write merge(String ns, MemoryInput in, float[] vector, Decision d, WriteOrigin origin,
      Memory old, String model) {
    boolean takeNew = d.action() == DedupePolicy.Action.UPDATE;
    long now = System.currentTimeMillis();
    List<String> tags = new ArrayList<>(old.tags());
    in.tags().stream().filter(t -> !tags.contains(t)).forEach(tags::add);
    JsonObject meta = old.metadata().copy();
    in.metadata().forEach(e -> {
      if (!meta.containsKey(e.getKey())) {
        meta.put(e.getKey(), e.getValue());
      }
    });
    Memory merged = new Memory(old.id(), ns, old.scope(), old.scopeId(), old.type(),
        old.name() != null ? old.name() : in.name(), takeNew ? in.content() : old.content(),
        old.summary() != null ? old.summary() : in.summary(), tags,
        old.category() != null ? old.category() : in.category(),
        Math.max(old.importance(), in.importance()), Math.max(old.confidence(), in.confidence()),
        meta, old.source(), old.sessionId() != null ? old.sessionId() : in.sessionId(),
        old.createdAt(), now, old.expiresAt() == null || in.expiresAt() == null ? null
            : Math.max(old.expiresAt(), in.expiresAt()),
        old.accessCount(), old.lastAccessed(), model);
    JsonObject data = origin.stamp(new JsonObject()).put("action", takeNew ? "updated" : "merged")
        .put("reason", d.reason()).put("dense", MemoryService.round(d.dense())).put("lexical", MemoryService.round(d.lexical()))
        .put("incoming", in.toJson()).put("previous", old.toJson());
    MemoryEvent ev = MemoryEvent.of(old.id(), ns, MemoryEvent.MERGE, in.source(), in.sessionId(), data, now);
    List<Relation> rels = in.relations().stream()
        .filter(r -> !r.targetId().equals(old.id()))
        .map(r -> new Relation(ns, old.id(), r.targetId(), r.type(), new JsonObject(), 1.0, now)).toList();
    return new MemoryStore.Write(false, merged, takeNew ? vector : null, ev, rels);
  }
}
