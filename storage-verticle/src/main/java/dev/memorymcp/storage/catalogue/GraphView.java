package dev.memorymcp.storage.catalogue;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The knowledge graph of a namespace: its newest memories (those the caller may see, optionally of
 * one scope id) as nodes and the relations between them as edges.
 */
public final class GraphView {
  public static final int DEFAULT_NODES = 300;
  public static final int MAX_NODES = 2000;
  static final int PAGE = 500;

  private final MemoryStore store;

  public GraphView(MemoryStore store) {
    this.store = store;
  }

  /** {namespace, scope_id?, limit?, principal} → {nodes: [{id, label, type, category, scope_id, tags, created_at}], edges: [{source, target, type}]}. */
  public Future<JsonObject> graph(JsonObject body) {
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    Integer limit = Fields.optInt(body, "limit", 1, MAX_NODES);
    String scopeId = Fields.optString(body, "scope_id", MemoryInput.MAX_SHORT);
    Filters f = Principal.of(body).restrict(Filters.parse(scopeId == null ? null : new JsonObject().put("scope_id", scopeId), "filters"));
    int n = limit == null ? DEFAULT_NODES : limit;
    List<Memory> memories = new ArrayList<>();
    return store.eachPage(ns, f, PAGE, n, page -> {
      memories.addAll(page);
      return Future.succeededFuture();
    }).compose(truncated -> {
      List<String> ids = memories.stream().map(Memory::id).toList();
      return store.relations(ns, ids).map(rels -> {
        Set<String> present = new HashSet<>(ids);
        JsonArray nodes = new JsonArray();
        memories.forEach(m -> nodes.add(new JsonObject().put("id", m.id()).put("label", label(m.content()))
            .put("content", m.content()).put("type", m.type()).put("category", m.category())
            .put("scope_id", m.scopeId()).put("tags", new JsonArray(m.tags())).put("created_at", Fields.iso(m.createdAt()))));
        JsonArray edges = new JsonArray();
        Set<String> seen = new HashSet<>();
        for (Relation r : rels) {
          String key = r.sourceId() + "|" + r.targetId() + "|" + r.type();
          if (present.contains(r.sourceId()) && present.contains(r.targetId()) && seen.add(key)) {
            edges.add(new JsonObject().put("source", r.sourceId()).put("target", r.targetId()).put("type", r.type()));
          }
        }
        return new JsonObject().put("namespace", ns).put("scope_id", scopeId).put("nodes", nodes).put("edges", edges);
      });
    });
  }

  /** The first 60 characters of a memory, for a node's label. */
  static String label(String content) {
    String oneLine = content.replaceAll("\\s+", " ").strip();
    return oneLine.codePointCount(0, oneLine.length()) <= 60 ? oneLine
        : oneLine.substring(0, oneLine.offsetByCodePoints(0, 59)) + "…";
  }
}
