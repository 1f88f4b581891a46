package dev.memorymcp.storage;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryBatch;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.MemoryPatch;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.Relations;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.bus.text.KeywordQuery;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The storage verticle's bus handlers: parse the body, call the service or the store, shape the reply. */
final class StorageApi {
  static final int MAX_LIST = 100;
  static final int MAX_CANDIDATES = 500;
  static final int MAX_IDS = 1000;
  static final int MAX_FORGET = 100;

  private final MemoryStore store;
  private final MemoryService service;
  private final AccessRecorder accesses;

  /** Which model's vectors answer recall (a query vector of another model is refused). */
  private final OnlineRebuild rebuild;

  StorageApi(MemoryStore store, MemoryService service, AccessRecorder accesses, OnlineRebuild rebuild) {
    this.rebuild = rebuild;
    this.store = store;
    this.service = service;
    this.accesses = accesses;
  }

  static String ns(JsonObject body) {
    return Namespaces.check("namespace", body.getString("namespace"));
  }

  Future<JsonObject> remember(JsonObject body) {
    JsonObject memory = body.getJsonObject("memory");
    return service.remember(ns(body), MemoryInput.parse(memory), WriteOrigin.of(body));
  }

  Future<JsonObject> rememberBatch(JsonObject body) {
    String ns = ns(body);
    JsonObject batch = body.copy();
    batch.remove("namespace");
    for (String k : new String[] {"principal", "actor"}) {
      batch.remove(k);
    }
    MemoryBatch parsed = MemoryBatch.parse(batch);
    return service.rememberBatch(ns, parsed.memories(), parsed.dedupe(), WriteOrigin.of(body));
  }

  Future<JsonObject> writeKey(JsonObject body) {
    String key = Fields.requireString(body, "key", 200);
    return store.eventByWriteKey(ns(body), key).map(ev -> new JsonObject()
        .put("event", ev == null ? null : ev.toJson().put("outcome", MemoryService.outcome(ev))));
  }

  Future<JsonObject> get(JsonObject body) {
    String id = Fields.requireString(body, "id", 200);
    Principal p = Principal.of(body);
    return store.get(ns(body), id).compose(m -> m == null || !p.canSee(m.scopeId())
        ? Future.failedFuture(MemoryException.notFound(id))
        : Future.succeededFuture(new JsonObject().put("memory", m.toJson())));
  }

  Future<JsonObject> getMany(JsonObject body) {
    String ns = ns(body);
    List<String> ids = Fields.optStrings(body, "ids", MAX_IDS, 200);
    if (ids == null || ids.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("memories", new JsonArray()));
    }
    boolean withVectors = Boolean.TRUE.equals(body.getBoolean("with_vectors"));
    Future<java.util.Map<String, float[]>> vecs = withVectors ? store.vectors(ns, ids)
        : Future.succeededFuture(java.util.Map.of());
    Principal p = Principal.of(body);
    return Future.all(store.getMany(ns, ids), vecs).map(cf -> {
      JsonArray out = new JsonArray();
      List<Memory> ms = cf.resultAt(0);
      java.util.Map<String, float[]> vs = cf.resultAt(1);
      for (Memory m : ms) {
        if (!p.canSee(m.scopeId())) {
          continue;
        }
        JsonObject j = m.toJson();
        float[] v = vs.get(m.id());
        if (v != null) {
          j.put("vector", Vectors.toBuffer(v));
        }
        out.add(j);
      }
      return new JsonObject().put("memories", out);
    });
  }

  Future<JsonObject> update(JsonObject body) {
    String id = Fields.requireString(body, "id", 200);
    JsonObject patch = MemoryPatch.parse(body.getJsonObject("patch"));
    return service.update(ns(body), id, patch, body.getString("actor", "api"), WriteOrigin.of(body));
  }

  Future<JsonObject> delete(JsonObject body) {
    String id = Fields.requireString(body, "id", 200);
    String ns = ns(body);
    Principal p = Principal.of(body);
    return ownDeletable(ns, p, List.of(id)).compose(own -> {
      if (own.isEmpty()) {
        return store.get(ns, id).compose(m -> Future.failedFuture(m == null || !p.canSee(m.scopeId())
            ? MemoryException.notFound(id)
            : new MemoryException(ErrorCode.FORBIDDEN, "NOT_CREATOR", "a member key may delete only the memories "
                + "it created; memory " + id + " was not created by this key", new JsonObject().put("id", id))));
      }
      return service.delete(ns, own, body.getString("actor", "api")).compose(ids -> ids.isEmpty()
          ? Future.failedFuture(MemoryException.notFound(id))
          : Future.succeededFuture(new JsonObject().put("id", id).put("deleted", true)));
    });
  }

  /**
   * The ids among {@code ids} the principal may delete: all of them for an admin; for a member only
   * those it may see whose CREATE event names it ({@code data.by}); none for a viewer.
   */
  private Future<List<String>> ownDeletable(String ns, Principal p, List<String> ids) {
    if (p.allows(Principal.Role.ADMIN)) {
      return Future.succeededFuture(ids);
    }
    if (!p.allows(Principal.Role.MEMBER)) {
      return Future.succeededFuture(List.of());
    }
    return visible(ns, p, ids).compose(seen -> createdBy(ns, p, seen));
  }

  /** The ids among {@code ids} of memories the principal may see, in order. */
  private Future<List<String>> visible(String ns, Principal p, List<String> ids) {
    if (!p.scopeLimited()) {
      return Future.succeededFuture(ids);
    }
    return store.getMany(ns, ids).map(ms -> {
      Set<String> ok = new java.util.HashSet<>();
      ms.stream().filter(m -> p.canSee(m.scopeId())).forEach(m -> ok.add(m.id()));
      return ids.stream().filter(ok::contains).toList();
    });
  }

  private Future<List<String>> createdBy(String ns, Principal p, List<String> ids) {
    List<Future<List<MemoryEvent>>> histories = ids.stream().map(id -> store.history(ns, id)).toList();
    return Future.all(histories).map(cf -> {
      List<String> own = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        List<MemoryEvent> h = cf.resultAt(i);
        boolean mine = h.stream().anyMatch(e -> MemoryEvent.CREATE.equals(e.type()) && e.data() != null
            && p.actor().equals(e.data().getString("by")));
        if (mine) {
          own.add(ids.get(i));
        }
      }
      return own;
    });
  }

  /** Forget by query / type / before-time: a dry run listing unless {@code confirm: true}. */
  Future<JsonObject> forget(JsonObject body) {
    String ns = ns(body);
    String query = Fields.optString(body, "query", 2000);
    String type = Fields.optEnum(body, "type", Memory.TYPES);
    Long before = Fields.optInstant(body, "before");
    Boolean confirm = Fields.optBool(body, "confirm");
    if ((query == null || query.isBlank()) && type == null && before == null) {
      throw MemoryException.invalidField("query", "forget needs at least one of query, type or before (or an id)");
    }
    Principal p = Principal.of(body);
    Filters f = p.restrict(new Filters(type == null ? List.of() : List.of(type), null, null, List.of(), null,
        null, before == null ? null : before - 1, null, null, null, true));
    Future<List<String>> matched;
    if (query != null && !query.isBlank()) {
      KeywordQuery terms = KeywordQuery.of(query, true);
      if (terms.isEmpty()) {
        throw MemoryException.invalidField("query", "has no searchable words after removing stop words");
      }
      matched = store.keywordSearch(ns, terms, MAX_FORGET + 1, f)
          .map(s -> s.stream().map(MemoryStore.Scored::id).toList());
    } else {
      matched = store.list(ns, f, MAX_FORGET + 1, null).map(page -> page.memories().stream().map(Memory::id).toList());
    }
    // a member forgets only what it created: the others are not even listed in its dry run
    return matched.compose(found -> ownDeletable(ns, p, found)).compose(ids -> {
      boolean more = ids.size() > MAX_FORGET;
      List<String> take = more ? ids.subList(0, MAX_FORGET) : ids;
      if (!Boolean.TRUE.equals(confirm)) {
        return store.getMany(ns, take).map(ms -> new JsonObject().put("dry_run", true)
            .put("count", ms.size()).put("has_more", more)
            .put("memories", new JsonArray(ms.stream().map(Memory::toJson).toList()))
            .put("hint", "nothing was deleted; send confirm: true to delete these"));
      }
      return service.delete(ns, take, body.getString("actor", "api")).map(deleted -> new JsonObject()
          .put("dry_run", false).put("count", deleted.size()).put("has_more", more)
          .put("deleted", new JsonArray(deleted)));
    });
  }

  Future<JsonObject> list(JsonObject body) {
    Integer limit = Fields.optInt(body, "limit", 1, MAX_LIST);
    Filters f = Principal.of(body).restrict(Filters.parse(body.getJsonObject("filters"), "filters"));
    return store.list(ns(body), f, limit == null ? 20 : limit, Fields.optString(body, "cursor", 200))
        .map(p -> new JsonObject()
            .put("memories", new JsonArray(p.memories().stream().map(Memory::toJson).toList()))
            .put("next_cursor", p.nextCursor()));
  }

  /**
   * The events of a memory, readable after a delete; a scope-limited key sees them only when the
   * memory's last scope id (now, or before its delete) is one of its grants.
   */
  Future<JsonObject> history(JsonObject body) {
    String id = Fields.requireString(body, "id", 200);
    String ns = ns(body);
    Principal p = Principal.of(body);
    return store.history(ns, id).map(evs -> !p.scopeLimited() || p.canSee(lastScopeId(evs)) ? evs
        : List.<MemoryEvent>of()).compose(evs -> evs.isEmpty()
        ? Future.failedFuture(MemoryException.notFound(id))
        : Future.succeededFuture(new JsonObject().put("id", id)
            .put("events", new JsonArray(evs.stream().map(MemoryEvent::toJson).toList()))));
  }

  /** The scope id a memory had last, from its CREATE event and the scope_id changes after it. */
  static String lastScopeId(List<MemoryEvent> events) {
    String scopeId = null;
    for (MemoryEvent e : events) {
      JsonObject data = e.data() == null ? new JsonObject() : e.data();
      if (MemoryEvent.CREATE.equals(e.type()) && data.getJsonObject("memory") != null) {
        scopeId = data.getJsonObject("memory").getString("scope_id");
      } else if (MemoryEvent.UPDATE.equals(e.type()) && data.getJsonObject("changes") != null
          && data.getJsonObject("changes").getJsonObject("scope_id") != null) {
        scopeId = data.getJsonObject("changes").getJsonObject("scope_id").getString("to");
      }
    }
    return scopeId;
  }

  Future<JsonObject> relate(JsonObject body) {
    String ns = ns(body);
    Fields.rejectUnknown(body, Set.of("namespace", "principal", "actor", "source_id", "target_id", "relation_type",
        "properties", "bidirectional", "confidence"));
    String source = Fields.requireString(body, "source_id", 200);
    String target = Fields.requireString(body, "target_id", 200);
    String type = Relations.checkType("relation_type", Fields.requireString(body, "relation_type", 64));
    JsonObject props = Fields.optObject(body, "properties");
    Double conf = Fields.optUnit(body, "confidence");
    boolean both = Boolean.TRUE.equals(Fields.optBool(body, "bidirectional"));
    if (source.equals(target)) {
      throw MemoryException.invalidField("target_id", "must differ from source_id");
    }
    Principal who = Principal.of(body);
    return store.getMany(ns, List.of(source, target)).compose(found -> {
      for (String[] f : new String[][] {{"source_id", source}, {"target_id", target}}) {
        if (found.stream().noneMatch(m -> m.id().equals(f[1]) && who.canSee(m.scopeId()))) {
          return Future.failedFuture(new MemoryException(dev.memorymcp.bus.ErrorCode.NOT_FOUND,
              "MEMORY_NOT_FOUND", f[0] + ": no memory with id " + f[1], new JsonObject().put("field", f[0])));
        }
      }
      long now = System.currentTimeMillis();
      List<Relation> rels = new ArrayList<>();
      JsonObject p = props == null ? new JsonObject() : props;
      double c = conf == null ? 1.0 : conf;
      rels.add(new Relation(ns, source, target, type, p, c, now));
      if (both) {
        rels.add(new Relation(ns, target, source, type, p, c, now));
      }
      return service.relate(ns, rels).map(stored -> new JsonObject()
          .put("relations", new JsonArray(stored.stream().map(Relation::toJson).toList())));
    });
  }

  /** Relations touching the ids; for a scope-limited key only those whose both ends it may see. */
  Future<JsonObject> relations(JsonObject body) {
    List<String> ids = Fields.optStrings(body, "ids", MAX_IDS, 200);
    String ns = ns(body);
    Principal p = Principal.of(body);
    return store.relations(ns, ids == null ? List.of() : ids).compose(rs -> {
      Set<String> ends = new java.util.LinkedHashSet<>();
      rs.forEach(r -> {
        ends.add(r.sourceId());
        ends.add(r.targetId());
      });
      return visible(ns, p, new ArrayList<>(ends)).map(seen -> rs.stream()
          .filter(r -> seen.contains(r.sourceId()) && seen.contains(r.targetId())).toList());
    }).map(rs -> new JsonObject().put("relations", new JsonArray(rs.stream().map(Relation::toJson).toList())));
  }

  Future<JsonObject> vectorCandidates(JsonObject body) {
    Object v = body.getValue("vector");
    if (v == null) {
      throw MemoryException.invalidField("vector", "is required");
    }
    float[] q = Vectors.fromBuffer(v instanceof Buffer b ? b : body.getBuffer("vector"));
    String model = body.getString("model");
    String serving = rebuild.serving().model();
    if (model != null && !model.equals(serving)) {
      // checked on the event loop the swap runs on, so the search below reads the same model's vectors
      throw new MemoryException(ErrorCode.CONFLICT, "MODEL_SWITCHED", "model: the store's vectors are of "
          + serving + ", the query vector of " + model, new JsonObject().put("field", "model").put("model", serving));
    }
    return store.vectorSearch(ns(body), q, k(body), filters(body))
        .map(StorageApi::candidates);
  }

  Future<JsonObject> keywordCandidates(JsonObject body) {
    List<String> terms = Fields.optStrings(body, "terms", 64, 200);
    List<String> words = Fields.optStrings(body, "words", 64, 200);
    return store.keywordSearch(ns(body), new KeywordQuery(terms == null ? List.of() : terms,
        words == null ? List.of() : words), k(body), filters(body))
        .map(StorageApi::candidates);
  }

  static final int MAX_NEIGHBOUR_TARGETS = 200;
  static final int MAX_SESSION_WINDOW = 5;

  Future<JsonObject> sessionNeighbours(JsonObject body) {
    List<String> ids = Fields.optStrings(body, "ids", MAX_NEIGHBOUR_TARGETS, 200);
    Integer window = Fields.optInt(body, "window", 1, MAX_SESSION_WINDOW);
    return store.sessionNeighbours(ns(body), ids == null ? List.of() : ids, window == null ? 2 : window, filters(body))
        .map(byId -> {
          JsonObject out = new JsonObject();
          byId.forEach((id, near) -> out.put(id, new JsonArray(near)));
          return new JsonObject().put("neighbours", out);
        });
  }

  /** The body's filters narrowed to the scope ids its principal may see. */
  private static Filters filters(JsonObject body) {
    return Principal.of(body).restrict(Filters.parse(body.getJsonObject("filters"), "filters"));
  }

  private static int k(JsonObject body) {
    Integer k = Fields.optInt(body, "k", 1, MAX_CANDIDATES);
    return k == null ? 50 : k;
  }

  private static JsonObject candidates(List<MemoryStore.Scored> scored) {
    JsonArray out = new JsonArray();
    scored.forEach(s -> out.add(new JsonObject().put("id", s.id()).put("score", s.score())));
    return new JsonObject().put("candidates", out);
  }

  Future<JsonObject> access(JsonObject body) {
    List<String> ids = Fields.optStrings(body, "ids", MAX_IDS, 200);
    if (ids == null || ids.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    accesses.record(ns(body), ids, body.getString("session_id"));
    return Future.succeededFuture(new JsonObject().put("queued", ids.size()));
  }
}
