package dev.memorymcp.storage.catalogue;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.storage.MemoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a namespace holds, counted: categories, tags, projects (scope ids) and stats. One pass over
 * the memories the caller may see (the store's listing, so every backend and every scope grant
 * behaves alike), a page at a time. Expired memories are not counted.
 */
public final class Catalogue {
  static final int PAGE = 500;
  /** Most memories one answer reads; beyond it the counts say {@code truncated}. */
  public static final int MAX_SCANNED = 200_000;
  static final int TOP_ACCESSED = 10;

  private final MemoryStore store;

  public Catalogue(MemoryStore store) {
    this.store = store;
  }

  /** The kinds of answer: what {@code GET /api/v1/<kind>} returns. */
  public static final Set<String> KINDS = Set.of("categories", "tags", "projects", "stats");

  /**
   * {namespace, kind, scope_id?, principal} → the counts of that kind over the memories the
   * principal may see (narrowed to one scope id when given).
   */
  public Future<JsonObject> answer(JsonObject body) {
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    String kind = Fields.optEnum(body, "kind", KINDS);
    if (kind == null) {
      throw MemoryException.invalidField("kind", "is required: one of " + KINDS);
    }
    String scopeId = Fields.optString(body, "scope_id", MemoryInput.MAX_SHORT);
    JsonObject f = scopeId == null ? null : new JsonObject().put("scope_id", scopeId);
    Filters filters = Principal.of(body).restrict(Filters.parse(f, "filters"));
    return count(ns, filters).map(c -> switch (kind) {
      case "categories" -> c.categories();
      case "tags" -> c.tags();
      case "projects" -> c.projects();
      default -> c.stats();
    }).map(j -> j.put("namespace", ns).put("scope_id", scopeId));
  }

  /** Counts over every memory matching {@code filters}. */
  public Future<Counts> count(String namespace, Filters filters) {
    Counts c = new Counts();
    return store.eachPage(namespace, filters, PAGE, MAX_SCANNED, page -> {
      page.forEach(c::add);
      return Future.succeededFuture();
    }).map(truncated -> {
      c.truncated = truncated;
      return c;
    });
  }

  /** The tallies of one pass. */
  public static final class Counts {
    long total;
    boolean truncated;
    final Map<String, Long> categories = new HashMap<>();
    final Map<String, Long> tags = new HashMap<>();
    final Map<String, long[]> projects = new HashMap<>(); // scope id → {count, last activity}
    final Map<String, Long> types = new HashMap<>();
    final Map<String, Long> scopes = new HashMap<>();
    final Map<String, Long> sources = new HashMap<>();
    final Map<String, Long> createdPerDay = new TreeMap<>();
    final List<Memory> accessed = new ArrayList<>();

    void add(Memory m) {
      total++;
      if (m.category() != null) {
        categories.merge(m.category(), 1L, Long::sum);
      }
      m.tags().forEach(t -> tags.merge(t, 1L, Long::sum));
      if (m.scopeId() != null) {
        long[] p = projects.computeIfAbsent(m.scopeId(), k -> new long[2]);
        p[0]++;
        p[1] = Math.max(p[1], Math.max(m.updatedAt(), m.lastAccessed() == null ? 0 : m.lastAccessed()));
      }
      types.merge(m.type(), 1L, Long::sum);
      scopes.merge(m.scope(), 1L, Long::sum);
      sources.merge(m.source(), 1L, Long::sum);
      createdPerDay.merge(Instant.ofEpochMilli(m.createdAt()).atOffset(ZoneOffset.UTC).toLocalDate().toString(), 1L, Long::sum);
      if (m.accessCount() > 0) {
        accessed.add(m);
        if (accessed.size() > 4 * TOP_ACCESSED) { // keep the heap small on a large namespace
          accessed.sort(MOST_ACCESSED);
          accessed.subList(TOP_ACCESSED, accessed.size()).clear();
        }
      }
    }

    private static final Comparator<Memory> MOST_ACCESSED = Comparator.comparingLong(Memory::accessCount).reversed()
        .thenComparing(Memory::id);

    /** {categories: [{category, count}]}, most used first. */
    public JsonObject categories() {
      return base().put("categories", ranked(categories, "category"));
    }

    /** {tags: [{tag, count}]}, most used first. */
    public JsonObject tags() {
      return base().put("tags", ranked(tags, "tag"));
    }

    /** {projects: [{scope_id, count, last_activity}]}, most recently active first. */
    public JsonObject projects() {
      JsonArray out = new JsonArray();
      projects.entrySet().stream()
          .sorted(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> e.getValue()[1]).reversed()
              .thenComparing(Map.Entry::getKey))
          .forEach(e -> out.add(new JsonObject().put("scope_id", e.getKey()).put("count", e.getValue()[0])
              .put("last_activity", Instant.ofEpochMilli(e.getValue()[1]).toString())));
      return base().put("projects", out);
    }

    /** Counts by type, scope and source, memories created per day, and the most recalled memories. */
    public JsonObject stats() {
      JsonArray growth = new JsonArray();
      long running = 0;
      for (Map.Entry<String, Long> e : createdPerDay.entrySet()) {
        running += e.getValue();
        growth.add(new JsonObject().put("day", e.getKey()).put("created", e.getValue()).put("total", running));
      }
      accessed.sort(MOST_ACCESSED);
      JsonArray top = new JsonArray();
      accessed.stream().limit(TOP_ACCESSED).forEach(m -> top.add(new JsonObject().put("id", m.id())
          .put("content", m.content()).put("type", m.type()).put("access_count", m.accessCount())
          .put("last_accessed", m.lastAccessed() == null ? null : Instant.ofEpochMilli(m.lastAccessed()).toString())));
      return base().put("by_type", sorted(types)).put("by_scope", sorted(scopes)).put("by_source", sorted(sources))
          .put("categories", categories.size()).put("tags", tags.size()).put("projects", projects.size())
          .put("growth", growth).put("top_accessed", top);
    }

    private JsonObject base() {
      return new JsonObject().put("memories", total).put("truncated", truncated);
    }

    private static JsonObject sorted(Map<String, Long> counts) {
      JsonObject out = new JsonObject();
      new TreeMap<>(counts).forEach(out::put);
      return out;
    }

    private static JsonArray ranked(Map<String, Long> counts, String key) {
      JsonArray out = new JsonArray();
      counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .forEach(e -> out.add(new JsonObject().put(key, e.getKey()).put("count", e.getValue())));
      return out;
    }
  }
}
