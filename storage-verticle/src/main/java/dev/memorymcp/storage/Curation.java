package dev.memorymcp.storage;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.bus.Relation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tending memories by hand: merging chosen memories into one, restoring a memory from its history
 * (a deleted one, or the state before an update or a merge), and cleaning exact duplicates. Every
 * change is an ordinary event, so each can itself be undone: a merge keeps the merged memories whole
 * in the target's MERGE event and in their DELETE events, and restoring that MERGE brings them back.
 */
final class Curation {
  static final int MAX_MERGE = 50;
  static final int MAX_CLEAN_GROUPS = 100;
  static final int SCAN_PAGE = 500;
  static final String MERGED_BY_HAND = "merged_by_hand";

  private final MemoryStore store;
  private final MemoryService service;
  private final EmbeddingClient embeddings;

  Curation(MemoryStore store, MemoryService service, EmbeddingClient embeddings) {
    this.store = store;
    this.service = service;
    this.embeddings = embeddings;
  }

  /** {namespace, ids: [..], into?, actor, principal} → {memory, merged: [ids]}. */
  Future<JsonObject> merge(JsonObject body) {
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    List<String> ids = Fields.optStrings(body, "ids", MAX_MERGE, 200);
    if (ids == null || new LinkedHashSet<>(ids).size() < 2 || ids.size() != new LinkedHashSet<>(ids).size()) {
      throw MemoryException.invalidField("ids", "must list 2 to " + MAX_MERGE + " different memory ids");
    }
    String given = Fields.optString(body, "into", 200);
    String into = given == null ? ids.get(0) : given;
    if (!ids.contains(into)) {
      throw MemoryException.invalidField("into", "must be one of ids");
    }
    String actor = body.getString("actor", "api");
    Principal principal = Principal.of(body);
    return service.serial(ns, () -> mergeNow(ns, ids, into, actor, principal));
  }

  private Future<JsonObject> mergeNow(String ns, List<String> ids, String into, String actor, Principal principal) {
    return store.getMany(ns, ids).compose(found -> {
      Map<String, Memory> byId = new LinkedHashMap<>();
      found.stream().filter(m -> principal.canSee(m.scopeId())).forEach(m -> byId.put(m.id(), m));
      for (String id : ids) {
        if (!byId.containsKey(id)) {
          return Future.failedFuture(MemoryException.notFound(id));
        }
      }
      Memory target = byId.get(into);
      List<Memory> others = ids.stream().filter(id -> !id.equals(into)).map(byId::get).toList();
      Memory merged = united(target, others);
      if (merged.content().length() > MemoryInput.MAX_CONTENT) {
        return Future.failedFuture(MemoryException.invalidField("ids", "the merged text would be "
            + merged.content().length() + " characters; a memory holds at most " + MemoryInput.MAX_CONTENT));
      }
      boolean contentChanged = !merged.content().equals(target.content());
      long now = merged.updatedAt();
      JsonObject data = new JsonObject().put("action", MERGED_BY_HAND).put("previous", target.toJson())
          .put("merged", new JsonArray(others.stream().map(Memory::toJson).toList()));
      MemoryEvent ev = MemoryEvent.of(into, ns, MemoryEvent.MERGE, actor, null, data, now);
      List<String> otherIds = others.stream().map(Memory::id).toList();
      Future<float[]> vector = contentChanged ? embeddings.passage(merged.content()) : Future.succeededFuture(null);
      // every step leaves nothing lost: the target holds the text of all before any is deleted
      return vector.compose(v -> store.update(service.withModel(merged, v), v, ev))
          .compose(v -> store.relations(ns, otherIds))
          .compose(rels -> store.relate(repointed(ns, rels, otherIds, into, now)))
          .compose(v -> store.delete(ns, otherIds, actor, null))
          .compose(v -> store.get(ns, into))
          .map(m -> new JsonObject().put("memory", m.toJson()).put("merged", new JsonArray(otherIds))
              .put("reembedded", contentChanged));
    });
  }

  /**
   * The target with the others folded in: each text it does not already contain is appended (a merge
   * never drops words), tags and metadata united, the larger importance and confidence, the latest
   * expiry (none if any has none), access counts added.
   */
  static Memory united(Memory target, List<Memory> others) {
    StringBuilder content = new StringBuilder(target.content());
    List<String> tags = new ArrayList<>(target.tags());
    JsonObject meta = target.metadata() == null ? new JsonObject() : target.metadata().copy();
    double importance = target.importance();
    double confidence = target.confidence();
    Long expires = target.expiresAt();
    long accesses = target.accessCount();
    String category = target.category();
    for (Memory o : others) {
      if (!normalized(content.toString()).contains(normalized(o.content()))) {
        content.append("\n").append(o.content());
      }
      o.tags().stream().filter(t -> !tags.contains(t)).forEach(tags::add);
      if (o.metadata() != null) {
        o.metadata().forEach(e -> {
          if (!meta.containsKey(e.getKey())) {
            meta.put(e.getKey(), e.getValue());
          }
        });
      }
      importance = Math.max(importance, o.importance());
      confidence = Math.max(confidence, o.confidence());
      expires = expires == null || o.expiresAt() == null ? null : Math.max(expires, o.expiresAt());
      accesses += o.accessCount();
      category = category != null ? category : o.category();
    }
    return new Memory(target.id(), target.namespace(), target.scope(), target.scopeId(), target.type(), target.name(),
        content.toString(), target.summary(), tags, category, importance, confidence, meta, target.source(),
        target.sessionId(), target.createdAt(), System.currentTimeMillis(), expires, accesses, target.lastAccessed(),
        target.embeddingModel());
  }

  /** The relations of merged memories moved onto the target (none onto itself). */
  private static List<Relation> repointed(String ns, List<Relation> rels, List<String> merged, String into, long now) {
    List<Relation> out = new ArrayList<>();
    for (Relation r : rels) {
      String source = merged.contains(r.sourceId()) ? into : r.sourceId();
      String target = merged.contains(r.targetId()) ? into : r.targetId();
      if (!source.equals(target)) {
        out.add(new Relation(ns, source, target, r.type(), r.properties(), r.confidence(), now));
      }
    }
    return out;
  }

  /** Text compared for sameness: NFKC, lower case, runs of space as one, trailing punctuation off. */
  static String normalized(String s) {
    String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    return n.replaceAll("[\\p{Punct}。、！？]+$", "");
  }

  /**
   * {namespace, id, event_seq?, actor, principal} → {memory, restored: [ids], from_event}. A deleted
   * memory comes back from its last DELETE event; an existing one goes back to its state before the
   * UPDATE or MERGE event named by {@code event_seq}; a hand merge undone brings its merged memories back.
   */
  Future<JsonObject> restore(JsonObject body) {
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    String id = Fields.requireString(body, "id", 200);
    Long seq = eventSeq(body.getValue("event_seq"));
    String actor = body.getString("actor", "api");
    Principal principal = Principal.of(body);
    return service.serial(ns, () -> store.history(ns, id).compose(events -> {
      if (events.isEmpty()) {
        return Future.failedFuture(MemoryException.notFound(id));
      }
      return store.get(ns, id).compose(current -> current == null
          ? undelete(ns, id, events, actor, principal)
          : revert(ns, current, events, seq, actor, principal));
    }));
  }

  /** An event's sequence number as given (a whole number ≥ 1; the Qdrant store's are beyond int), or null. */
  static Long eventSeq(Object v) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1) {
      throw MemoryException.invalidField("event_seq", "must be a whole number from memory_history (seq)");
    }
    return n.longValue();
  }

  private Future<JsonObject> undelete(String ns, String id, List<MemoryEvent> events, String actor, Principal principal) {
    MemoryEvent deleted = null;
    for (MemoryEvent e : events) {
      if (MemoryEvent.DELETE.equals(e.type())) {
        deleted = e;
      }
    }
    if (deleted == null || deleted.data() == null || deleted.data().getJsonObject("memory") == null) {
      return Future.failedFuture(MemoryException.notFound(id));
    }
    Memory m = Memory.fromJson(deleted.data().getJsonObject("memory"));
    if (!principal.canSee(m.scopeId())) {
      return Future.failedFuture(MemoryException.notFound(id));
    }
    principal.checkWritableScope("scope_id", m.scopeId());
    long from = deleted.seq();
    return recreate(ns, m, actor, from).map(r -> new JsonObject().put("memory", r.toJson())
        .put("restored", new JsonArray().add(id)).put("from_event", from));
  }

  private Future<Memory> recreate(String ns, Memory m, String actor, long fromSeq) {
    long now = System.currentTimeMillis();
    return embeddings.passage(m.content()).compose(v -> {
      Memory back = new Memory(m.id(), ns, m.scope(), m.scopeId(), m.type(), m.name(), m.content(), m.summary(),
          m.tags(), m.category(), m.importance(), m.confidence(), m.metadata(), m.source(), m.sessionId(),
          m.createdAt(), now, m.expiresAt(), m.accessCount(), m.lastAccessed(), service.model());
      MemoryEvent ev = MemoryEvent.of(m.id(), ns, MemoryEvent.CREATE, actor, null,
          new JsonObject().put("memory", back.toJson()).put("restored_from_event", fromSeq), now);
      return store.create(back, v, ev, List.of()).map(back);
    });
  }

  private Future<JsonObject> revert(String ns, Memory current, List<MemoryEvent> events, Long seq, String actor,
      Principal principal) {
    if (seq == null) {
      throw MemoryException.invalidField("event_seq", "is required for a memory that exists: the UPDATE or MERGE event to undo");
    }
    MemoryEvent ev = events.stream().filter(e -> e.seq() == seq).findFirst()
        .orElseThrow(() -> MemoryException.invalidField("event_seq", "names no event of memory " + current.id()));
    if (!principal.canSee(current.scopeId())) {
      throw MemoryException.notFound(current.id());
    }
    JsonObject patch = new JsonObject();
    JsonArray bringBack = new JsonArray();
    if (MemoryEvent.UPDATE.equals(ev.type()) && ev.data().getJsonObject("changes") != null) {
      ev.data().getJsonObject("changes").forEach(e -> patch.put(e.getKey(), ((JsonObject) e.getValue()).getValue("from")));
    } else if (MemoryEvent.MERGE.equals(ev.type()) && ev.data().getJsonObject("previous") != null) {
      JsonObject prev = ev.data().getJsonObject("previous");
      for (String k : new String[] {"content", "name", "summary", "tags", "category", "importance", "confidence",
          "metadata", "expires_at"}) {
        patch.put(k, prev.getValue(k));
      }
      if (ev.data().getJsonArray("merged") != null) {
        bringBack = ev.data().getJsonArray("merged");
      }
    } else {
      throw MemoryException.invalidField("event_seq", "names a " + ev.type() + " event; only UPDATE and MERGE can be undone");
    }
    if (patch.containsKey("scope_id")) {
      principal.checkWritableScope("scope_id", patch.getString("scope_id"));
    }
    List<Memory> toRecreate = new ArrayList<>();
    for (Object o : bringBack) {
      toRecreate.add(Memory.fromJson((JsonObject) o));
    }
    JsonArray restored = new JsonArray().add(current.id());
    Future<Void> chain = service.applyPatch(ns, current, patch, actor, new JsonObject().put("reverts_event", seq)).mapEmpty();
    for (Memory m : toRecreate) {
      chain = chain.compose(x -> store.get(ns, m.id())).compose(existing -> existing != null
          ? Future.<Void>succeededFuture() // restored already, or never deleted: left as it is
          : recreate(ns, m, actor, seq).map(r -> {
            restored.add(m.id());
            return null;
          }));
    }
    return chain.compose(v -> store.get(ns, current.id()))
        .map(m -> new JsonObject().put("memory", m.toJson()).put("restored", restored).put("from_event", seq));
  }

  /**
   * {namespace, confirm?, actor, principal} → groups of memories with the same text (after
   * normalising case, width and spacing), type, scope and scope id. A dry run unless {@code confirm}:
   * then each group is merged into its oldest memory (nothing is lost: the text is the same).
   */
  Future<JsonObject> clean(JsonObject body) {
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    boolean confirm = Boolean.TRUE.equals(Fields.optBool(body, "confirm"));
    String actor = body.getString("actor", "api");
    Principal principal = Principal.of(body);
    Map<String, List<Memory>> groups = new LinkedHashMap<>();
    return store.eachPage(ns, principal.restrict(Filters.NONE), SCAN_PAGE, Integer.MAX_VALUE, page -> {
      for (Memory m : page) {
        String key = m.type() + "\u0000" + m.scope() + "\u0000" + m.scopeId() + "\u0000" + normalized(m.content());
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
      }
      return Future.succeededFuture();
    }).compose(v -> {
      List<List<Memory>> dupes = groups.values().stream().filter(g -> g.size() > 1)
          .sorted(Comparator.comparingInt((List<Memory> g) -> -g.size())).limit(MAX_CLEAN_GROUPS).toList();
      JsonArray out = new JsonArray();
      Future<Void> chain = Future.succeededFuture();
      for (List<Memory> g : dupes) {
        List<Memory> oldestFirst = g.stream().sorted(Comparator.comparingLong(Memory::createdAt).thenComparing(Memory::id)).toList();
        out.add(new JsonObject().put("keep", oldestFirst.get(0).id()).put("content", oldestFirst.get(0).content())
            .put("duplicates", new JsonArray(oldestFirst.subList(1, oldestFirst.size()).stream().map(Memory::id).toList())));
        if (confirm) {
          List<String> ids = oldestFirst.stream().map(Memory::id).toList();
          chain = chain.compose(x -> service.serial(ns, () -> mergeNow(ns, ids, ids.get(0), actor, principal)).mapEmpty());
        }
      }
      long extra = dupes.stream().mapToLong(g -> g.size() - 1L).sum();
      return chain.map(x -> new JsonObject().put("dry_run", !confirm).put("groups", out).put("duplicates", extra)
          .put("hint", confirm ? null : "nothing was changed; send confirm: true to merge each group into its oldest memory"));
    });
  }
}
