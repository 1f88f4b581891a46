package dev.memorymcp.gateway.mcp;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Packs the memories relevant to a query into a token budget (cl100k_base, as counted by jtokkit),
 * ready to inject into a prompt. The budget is shared between scopes: project 50%, team 25%,
 * global 25% among the scopes that have candidates; what a scope leaves unused flows to the
 * others. Within a scope the most relevant memories go first; one that does not fit is skipped.
 * Used by the get_context tool and by {@code GET /api/v1/context}.
 */
public final class ContextPacker {
  public static final int MIN_TOKENS = 100;
  public static final int MAX_TOKENS = 32_000;
  public static final String HEADER = "Relevant memories:\n";
  /** Scopes in priority order with their share of the budget. */
  static final Map<String, Double> SHARES = shares();
  static final Set<String> FIELDS = Set.of("query", "max_tokens", "scope_id", "types");

  /** Loaded on first use (0.5–7 s on a busy 2-core machine): the gateway starts it on a worker ({@link #preload}). */
  private static final class Cl100k {
    static final Encoding ENCODING = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  }

  private final GatedBus bus;
  private final int defaultMaxTokens;

  /** {@code cfg} supplies {@code context.max_tokens}, the default budget. */
  public ContextPacker(Vertx vertx, JsonObject cfg) {
    this.bus = new GatedBus(vertx);
    this.defaultMaxTokens = defaultMaxTokens(cfg);
  }

  /** The default budget: {@code context.max_tokens} (2,000), held within {@link #MIN_TOKENS}..{@link #MAX_TOKENS}. */
  public static int defaultMaxTokens(JsonObject cfg) {
    int d = cfg == null ? 2000 : cfg.getInteger("context.max_tokens", 2000);
    return Math.max(MIN_TOKENS, Math.min(MAX_TOKENS, d));
  }

  private static Map<String, Double> shares() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("project", 0.5);
    m.put("team", 0.25);
    m.put("global", 0.25);
    return m;
  }

  /** Tokens of a text in cl100k_base. */
  public static int countTokens(String text) {
    return Cl100k.ENCODING.countTokens(text);
  }

  /** Loads the tokenizer now (call it off the event loop). */
  public static void preload() {
    countTokens("cl100k");
  }

  /**
   * Recalls per scope and packs: {@code request} is {query, max_tokens?, scope_id?, types?}
   * ({@code scope_id} narrows the project scope). Bad input fails with a MemoryException naming
   * the field. Replies {context, used_tokens, max_tokens, memories: [{id, type, scope, score,
   * tokens}], omitted}.
   */
  public Future<JsonObject> pack(Caller caller, String namespace, JsonObject request) {
    String query;
    int maxTokens;
    String scopeId;
    List<String> types;
    try {
      Fields.rejectUnknown(request, FIELDS);
      query = Fields.requireString(request, "query", 4_000);
      Integer mt = Fields.optInt(request, "max_tokens", MIN_TOKENS, MAX_TOKENS);
      maxTokens = mt == null ? defaultMaxTokens : mt;
      scopeId = Fields.optString(request, "scope_id", MemoryInput.MAX_SHORT);
      types = Fields.optStrings(request, "types", 16, 32);
      for (String t : types == null ? List.<String>of() : types) {
        if (!Memory.TYPES.contains(t)) {
          throw MemoryException.invalidField("types", "must be among " + Memory.TYPES);
        }
      }
    } catch (MemoryException e) {
      return Future.failedFuture(e);
    }
    int perScope = Math.max(10, Math.min(50, maxTokens / 40));
    List<Future<JsonObject>> searches = new ArrayList<>();
    for (String scope : SHARES.keySet()) {
      JsonObject filters = new JsonObject().put("scope", scope);
      if (scopeId != null && scope.equals("project")) {
        filters.put("scope_id", scopeId);
      }
      if (types != null && !types.isEmpty()) {
        filters.put("types", new JsonArray(types));
      }
      searches.add(bus.request(caller, Addresses.SEARCH, new JsonObject().put("namespace", namespace)
          .put("query", query).put("limit", perScope).put("filters", filters)));
    }
    return Future.all(searches).map(cf -> {
      List<JsonObject> candidates = new ArrayList<>();
      for (Future<JsonObject> f : searches) {
        f.result().getJsonArray("results", new JsonArray()).forEach(o -> candidates.add((JsonObject) o));
      }
      return pack(candidates, maxTokens);
    });
  }

  /**
   * The line a memory takes in the context block, with the day it was said, so that an assistant can
   * resolve "yesterday" or "next week" inside it.
   */
  static String line(JsonObject m) {
    String content = m.getString("content", "").strip().replaceAll("\\s*\\R\\s*", " ");
    String created = m.getString("created_at");
    return "- [" + m.getString("type", "note") + "] " + content + " (id " + m.getString("id")
        + (created == null ? "" : ", " + created.substring(0, Math.min(10, created.length()))) + ")\n";
  }

  /**
   * The pure packing step. {@code candidates}: memories with {@code id, type, scope, content,
   * score}, each scope's in relevance order. Returns the reply described on {@link #pack(Caller, String, JsonObject)}.
   */
  public static JsonObject pack(List<JsonObject> candidates, int maxTokens) {
    Map<String, List<JsonObject>> byScope = new LinkedHashMap<>();
    SHARES.keySet().forEach(s -> byScope.put(s, new ArrayList<>()));
    for (JsonObject c : candidates) {
      byScope.computeIfAbsent(c.getString("scope", "global"), k -> new ArrayList<>()).add(c);
    }
    int header = countTokens(HEADER);
    int budget = maxTokens - header;
    double weights = 0;
    for (Map.Entry<String, List<JsonObject>> e : byScope.entrySet()) {
      if (!e.getValue().isEmpty()) {
        weights += SHARES.getOrDefault(e.getKey(), 0.0);
      }
    }
    Map<String, List<Picked>> chosen = new LinkedHashMap<>();
    Map<String, Integer> tokensOf = new LinkedHashMap<>();
    int spare = 0;
    if (budget > 0 && weights > 0) {
      // first pass: each scope fills its own share
      for (Map.Entry<String, List<JsonObject>> e : byScope.entrySet()) {
        List<Picked> picked = new ArrayList<>();
        chosen.put(e.getKey(), picked);
        if (e.getValue().isEmpty()) {
          continue;
        }
        int share = (int) Math.floor(budget * SHARES.getOrDefault(e.getKey(), 0.0) / weights);
        int used = fill(e.getValue(), picked, share, tokensOf);
        spare += share - used;
      }
      // second pass: the unused shares, in priority order, to what did not fit yet
      for (Map.Entry<String, List<JsonObject>> e : byScope.entrySet()) {
        spare -= fill(e.getValue(), chosen.get(e.getKey()), spare, tokensOf);
      }
    }
    List<Picked> all = new ArrayList<>();
    chosen.values().forEach(ps -> ps.stream().sorted((a, b) -> Integer.compare(a.rank, b.rank)).forEach(all::add));
    String context = render(all);
    while (!all.isEmpty() && countTokens(context) > maxTokens) { // BPE across lines: never trust the sum blindly
      all.remove(all.size() - 1);
      context = render(all);
    }
    JsonArray listed = new JsonArray();
    for (Picked p : all) {
      listed.add(new JsonObject().put("id", p.m.getString("id")).put("type", p.m.getString("type"))
          .put("scope", p.m.getString("scope")).put("score", p.m.getDouble("score", 0.0))
          .put("tokens", p.tokens));
    }
    return new JsonObject().put("context", context).put("used_tokens", all.isEmpty() ? 0 : countTokens(context))
        .put("max_tokens", maxTokens).put("memories", listed).put("omitted", candidates.size() - all.size());
  }

  private record Picked(JsonObject m, int rank, int tokens) {}

  /** Adds, most relevant first, the not yet chosen memories that fit in {@code budget}; returns the tokens used. */
  private static int fill(List<JsonObject> ranked, List<Picked> picked, int budget,
      Map<String, Integer> tokensOf) {
    int used = 0;
    for (int i = 0; i < ranked.size(); i++) {
      JsonObject m = ranked.get(i);
      String id = m.getString("id");
      if (picked.stream().anyMatch(p -> p.m.getString("id").equals(id))) {
        continue;
      }
      int t = tokensOf.computeIfAbsent(id, k -> countTokens(line(m)));
      if (used + t <= budget) {
        picked.add(new Picked(m, i, t));
        used += t;
      }
    }
    return used;
  }

  private static String render(List<Picked> picked) {
    if (picked.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(HEADER);
    picked.forEach(p -> sb.append(line(p.m)));
    return sb.toString();
  }
}
