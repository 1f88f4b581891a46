package dev.memorymcp.gateway.mcp;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.MemoryPatch;
import dev.memorymcp.bus.Relations;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.gateway.auth.AccessPolicy;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The memory tools over the event bus, for every MCP transport. Arguments are checked with the
 * bus-api parsers (errors name the field) before anything is sent; results stay under
 * {@link ToolResults#MAX_TEXT_BYTES}.
 */
public final class MemoryTools implements McpToolbox {
  /** What the server tells a model about these tools (the MCP {@code instructions}), on every transport. */
  public static final String INSTRUCTIONS = "Long-term memory across conversations. Call recall (or get_context) "
      + "before answering questions that may depend on earlier sessions; call remember for durable facts, "
      + "preferences and decisions, one memory per fact; use forget only when the user asks. "
      + "Memories are isolated per persona (the X-Persona header or the /mcp/{persona} URL).";

  static final int RECALL_DEFAULT = 10;
  static final int RECALL_MAX = 50;
  static final int LIST_DEFAULT = 20;
  static final int LIST_MAX = 50;
  static final int HISTORY_DEFAULT = 50;
  static final int HISTORY_MAX = 200;
  static final int RULES_DEFAULT = 50;
  static final int RULES_MAX = 200;
  static final int STORE_PAGE = 100;
  static final int INGEST_ITEMS_MAX = 50;
  static final int MAX_PROPERTIES_BYTES = 16_384;

  private final Vertx vertx;
  private final ContextPacker packer;
  private final IngestRequest.Limits ingestLimits;
  private final List<McpSchema.Tool> tools = ToolDefinitions.all();
  private final Map<String, BiFunction<Call, JsonObject, Future<McpSchema.CallToolResult>>> handlers =
      new LinkedHashMap<>();
  private final GatedBus gated;

  /** One tool call: who calls, in which namespace. */
  private record Call(Caller caller, String ns) {}

  /** {@code cfg}: the service configuration ({@code context.max_tokens} is read). */
  public MemoryTools(Vertx vertx, JsonObject cfg) {
    this(vertx, cfg, new GatedBus(vertx));
  }

  /** {@code gated}: the gateway's access-checked, audited way to the service. */
  public MemoryTools(Vertx vertx, JsonObject cfg, GatedBus gated) {
    this.vertx = vertx;
    this.gated = gated;
    this.packer = new ContextPacker(vertx, cfg);
    handlers.put("remember", this::remember);
    handlers.put("recall", this::recall);
    handlers.put("forget", this::forget);
    handlers.put("relate", this::relate);
    handlers.put("update_memory", this::update);
    handlers.put("list_memories", this::list);
    handlers.put("memory_history", this::history);
    handlers.put("get_context", this::context);
    handlers.put("get_project_rules", this::rules);
    handlers.put("ingest_conversation", this::ingest);
    handlers.put("ingest_status", this::ingestStatus);
    handlers.put("migrate_sqlite_to_qdrant", (call, args) -> migrate(call, "sqlite", "qdrant", args));
    handlers.put("migrate_qdrant_to_sqlite", (call, args) -> migrate(call, "qdrant", "sqlite", args));
    handlers.put("migration_status", this::migrationStatus);
    handlers.put("find_duplicates", this::findDuplicates);
    handlers.put("merge_memories", (call, args) -> curate(call, "merge_memories", Addresses.STORE_MERGE, args));
    handlers.put("restore_memory", (call, args) -> curate(call, "restore_memory", Addresses.STORE_RESTORE, args));
    handlers.put("clean_duplicates", this::clean);
    handlers.put("memory_graph", this::graph);
    handlers.put("rebuild_embeddings", this::rebuild);
    this.ingestLimits = IngestRequest.Limits.of(cfg);
  }

  @Override
  public List<McpSchema.Tool> tools() {
    return tools;
  }

  /** The bus address each tool needs: its role in {@link AccessPolicy} decides who sees the tool. */
  static final Map<String, String> TOOL_ADDRESS = Map.ofEntries(
      Map.entry("remember", Addresses.STORE_REMEMBER), Map.entry("recall", Addresses.SEARCH),
      Map.entry("forget", Addresses.STORE_FORGET), Map.entry("relate", Addresses.STORE_RELATE),
      Map.entry("update_memory", Addresses.STORE_UPDATE), Map.entry("list_memories", Addresses.STORE_LIST),
      Map.entry("memory_history", Addresses.STORE_HISTORY), Map.entry("get_context", Addresses.SEARCH),
      Map.entry("get_project_rules", Addresses.STORE_LIST), Map.entry("ingest_conversation", Addresses.INGEST_ENQUEUE),
      Map.entry("ingest_status", Addresses.INGEST_GET), Map.entry("migrate_sqlite_to_qdrant", Addresses.STORE_MIGRATE_START),
      Map.entry("migrate_qdrant_to_sqlite", Addresses.STORE_MIGRATE_START),
      Map.entry("migration_status", Addresses.STORE_MIGRATE_GET),
      Map.entry("find_duplicates", Addresses.STORE_DUPLICATES), Map.entry("merge_memories", Addresses.STORE_MERGE),
      Map.entry("restore_memory", Addresses.STORE_RESTORE), Map.entry("clean_duplicates", Addresses.STORE_CLEAN),
      Map.entry("memory_graph", Addresses.STORE_GRAPH), Map.entry("rebuild_embeddings", Addresses.STORE_REBUILD_START));

  /**
   * A viewer sees the read tools, a member adds the writes; the operator tools (migrations) show only
   * to an admin key, or to an admin in the admin profile: a local user without keys (auth off, an
   * anonymous admin) gets the lean default list unless it asks for {@code ?profile=admin}. An
   * unmapped tool is hidden.
   */
  @Override
  public List<McpSchema.Tool> tools(Caller caller, boolean adminProfile) {
    boolean operator = adminProfile || caller.principal().keyId() != null
        || !Principal.ANONYMOUS.name().equals(caller.principal().name());
    // the curation tools are for tending the memory, not for an agent's daily work: admin profile or admin key
    boolean curator = adminProfile || operator && caller.principal().allows(Principal.Role.ADMIN);
    return tools.stream().filter(t -> TOOL_ADDRESS.containsKey(t.name())
        && AccessPolicy.allowed(caller.principal(), TOOL_ADDRESS.get(t.name()))
        && (operator || !AccessPolicy.adminOnly(TOOL_ADDRESS.get(t.name())))
        && (curator || !ToolDefinitions.CURATION.contains(t.name()))).toList();
  }

  @Override
  public Future<McpSchema.CallToolResult> call(Caller caller, String namespace, String tool, Map<String, Object> arguments) {
    var handler = handlers.get(tool);
    if (handler == null) {
      return Future.failedFuture(new UnknownToolException(tool));
    }
    try {
      if (!caller.principal().canUse(namespace)) {
        throw AccessPolicy.namespaceForbidden(namespace);
      }
      JsonObject args = arguments == null ? new JsonObject() : new JsonObject(new JsonObject(arguments).encode());
      long t0 = System.nanoTime();
      return handler.apply(new Call(caller, namespace), args)
          .recover(err -> Future.succeededFuture(ToolResults.error(err)))
          .onSuccess(r -> io.micrometer.core.instrument.Timer.builder("memory_mcp_tool_call").description("MCP tool calls")
              .tag("tool", tool).tag("outcome", Boolean.TRUE.equals(r.isError()) ? "error" : "ok")
              .register(io.micrometer.core.instrument.Metrics.globalRegistry)
              .record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS));
    } catch (RuntimeException e) { // validation: a tool error naming the field, not a protocol error
      return Future.succeededFuture(ToolResults.error(e));
    }
  }

  /** The input properties a tool declares: anything else is rejected as an unknown field. */
  private Set<String> declared(String tool) {
    for (McpSchema.Tool t : tools) {
      if (t.name().equals(tool)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> props = (Map<String, Object>) t.inputSchema().get("properties");
        return props.keySet();
      }
    }
    throw new IllegalStateException(tool);
  }

  /** Sends in the call's namespace for its caller: role checked, principal sent along, writes audited. */
  private Future<JsonObject> bus(String address, Call call, JsonObject body) {
    return gated.request(call.caller(), address, body.put("namespace", call.ns()));
  }

  private static int intArg(JsonObject args, String field, int min, int max, int dflt) {
    Integer v = Fields.optInt(args, field, min, max);
    return v == null ? dflt : v;
  }

  // ---- tools ----

  private Future<McpSchema.CallToolResult> ingest(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("ingest_conversation"));
    String key = IngestRequest.checkIdempotencyKey("idempotency_key", Fields.optString(args, "idempotency_key", 200));
    JsonObject req = args.copy();
    req.remove("idempotency_key");
    IngestRequest.parse(req, ingestLimits);
    if (key != null) {
      req.put("idempotency_key", key);
    }
    return bus(Addresses.INGEST_ENQUEUE, call, req).map(r -> {
      JsonObject out = new JsonObject().put("job_id", r.getString("job_id")).put("status", r.getString("status"))
          .put("duplicate", r.getBoolean("duplicate", false));
      return ToolResults.ok((out.getBoolean("duplicate") ? "Already accepted as job " : "Accepted as job ")
          + out.getString("job_id") + "; the memories are extracted in the background (see ingest_status).", out);
    });
  }

  /** Starts a migration job in the storage member (an admin action: the namespace argument, not the caller's). */
  private Future<McpSchema.CallToolResult> migrate(Call call, String from, String to, JsonObject args) {
    Fields.rejectUnknown(args, declared("migrate_" + from + "_to_" + to));
    JsonObject req = args.copy().put("source", from).put("target", to);
    return gated.request(call.caller(), Addresses.STORE_MIGRATE_START, req).map(state -> ToolResults.ok("Migration "
        + state.getString("job_id") + " (" + from + " → " + to + (state.getBoolean("dry_run", false) ? ", dry run" : "")
        + ") started; follow it with migration_status.", migrationSummary(state)));
  }

  private Future<McpSchema.CallToolResult> migrationStatus(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("migration_status"));
    String id = Fields.requireString(args, "job_id", 64);
    return gated.request(call.caller(), Addresses.STORE_MIGRATE_GET, new JsonObject().put("job_id", id)).map(state -> {
      JsonObject error = state.getJsonObject("error");
      JsonObject verify = state.getJsonObject("verify");
      String text = "Migration " + id + " is " + state.getString("status") + ": " + state.getLong("done", 0L) + " of "
          + state.getLong("total", 0L) + " items copied"
          + (error != null ? "; failed: " + error.getString("message") : "")
          + (verify != null ? (verify.getBoolean("ok") ? "; verified: counts match, " + verify.getInteger("vectors_checked")
              + " sampled vectors identical" : "; verification found differences: " + verify.getJsonArray("differences")) : "");
      return ToolResults.ok(text, migrationSummary(state));
    });
  }

  private Future<McpSchema.CallToolResult> findDuplicates(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("find_duplicates"));
    return gated.request(call.caller(), Addresses.STORE_DUPLICATES, args.copy().put("namespace", call.ns())).map(r -> {
      List<String> lines = new ArrayList<>();
      for (Object o : r.getJsonArray("pairs")) {
        JsonObject p = (JsonObject) o;
        lines.add("- " + p.getString("verdict") + " (" + p.getDouble("score") + "): \"" + p.getJsonObject("newer").getString("content")
            + "\" (" + p.getJsonObject("newer").getString("id") + ") ~ \"" + p.getJsonObject("older").getString("content") + "\" ("
            + p.getJsonObject("older").getString("id") + "); " + p.getString("reason"));
      }
      return ToolResults.ok(r.getJsonArray("pairs").size() + " possible duplicate pair(s) among " + r.getInteger("scanned")
          + " memories" + (r.getBoolean("truncated") ? " (more exist; raise limit or narrow scope_id)" : "") + ".", r, lines);
    });
  }

  /** merge_memories and restore_memory: the storage reply's memory as a tool result. */
  private Future<McpSchema.CallToolResult> curate(Call call, String tool, String address, JsonObject args) {
    Fields.rejectUnknown(args, declared(tool));
    return gated.request(call.caller(), address, args.copy().put("namespace", call.ns())).map(r -> ToolResults.ok(
        (tool.equals("merge_memories") ? "Merged " + r.getJsonArray("merged").size() + " memory(ies) into "
            : "Restored " + r.getJsonArray("restored").encode() + "; now ") + ToolResults.line(r.getJsonObject("memory")), r));
  }

  private Future<McpSchema.CallToolResult> clean(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("clean_duplicates"));
    return gated.request(call.caller(), Addresses.STORE_CLEAN, args.copy().put("namespace", call.ns())).map(r -> {
      List<String> lines = new ArrayList<>();
      r.getJsonArray("groups").forEach(o -> lines.add("- keep " + ((JsonObject) o).getString("keep") + ", "
          + (r.getBoolean("dry_run") ? "would merge " : "merged ") + ((JsonObject) o).getJsonArray("duplicates").encode()
          + ": " + ((JsonObject) o).getString("content")));
      return ToolResults.ok(r.getLong("duplicates") + " exact duplicate(s) in " + r.getJsonArray("groups").size() + " group(s)"
          + (r.getBoolean("dry_run") ? "; nothing changed (confirm: true merges them)." : "; merged."), r, lines);
    });
  }

  private Future<McpSchema.CallToolResult> graph(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("memory_graph"));
    return gated.request(call.caller(), Addresses.STORE_GRAPH, args.copy().put("namespace", call.ns())).map(g -> {
      List<String> lines = new ArrayList<>();
      g.getJsonArray("edges").forEach(o -> lines.add("- " + ((JsonObject) o).getString("source") + " "
          + ((JsonObject) o).getString("type") + " " + ((JsonObject) o).getString("target")));
      return ToolResults.ok(g.getJsonArray("nodes").size() + " memories, " + g.getJsonArray("edges").size() + " relations.", g, lines);
    });
  }

  private Future<McpSchema.CallToolResult> rebuild(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("rebuild_embeddings"));
    boolean start = Boolean.TRUE.equals(Fields.optBool(args, "start"));
    return gated.request(call.caller(), start ? Addresses.STORE_REBUILD_START : Addresses.STORE_REBUILD_STATUS, new JsonObject())
        .map(s -> ToolResults.ok("Rebuild " + s.getString("status") + (s.getValue("to") != null ? " (" + s.getString("from")
            + " → " + s.getString("to") + ")" : "") + ": " + s.getLong("done", 0L) + " of " + s.getLong("total", 0L)
            + " re-embedded; " + s.getString("serving_model") + " answers recall.", s));
  }

  /** The job state, with the per-namespace list cut to stay under the result cap. */
  private static JsonObject migrationSummary(JsonObject state) {
    JsonObject out = state.copy();
    JsonArray namespaces = out.getJsonArray("namespaces");
    if (namespaces != null && namespaces.size() > INGEST_ITEMS_MAX) {
      out.put("namespaces", new JsonArray(namespaces.getList().subList(0, INGEST_ITEMS_MAX)))
          .put("namespaces_omitted", namespaces.size() - INGEST_ITEMS_MAX);
    }
    return out;
  }

  private Future<McpSchema.CallToolResult> ingestStatus(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("ingest_status"));
    String id = Fields.requireString(args, "job_id", 64);
    return bus(Addresses.INGEST_GET, call, new JsonObject().put("job_id", id)).map(r -> {
      JsonObject job = r.getJsonObject("job");
      job.remove("namespace");
      JsonArray items = job.getJsonArray("items");
      if (items != null && items.size() > INGEST_ITEMS_MAX) { // stay well under the 64 KiB cap
        job.put("items", new JsonArray(items.getList().subList(0, INGEST_ITEMS_MAX)))
            .put("items_omitted", items.size() - INGEST_ITEMS_MAX);
      }
      String note = job.getString("note");
      List<String> lines = new ArrayList<>();
      job.getJsonArray("items", new JsonArray()).forEach(o -> {
        JsonObject item = (JsonObject) o;
        lines.add("- " + item.getString("action") + " [" + item.getString("type") + "] " + item.getString("fact")
            + (item.getString("memory_id") != null ? " (id " + item.getString("memory_id") + ")" : ""));
      });
      return ToolResults.ok("Ingest job " + id + " is " + job.getString("status")
          + (job.getString("error") != null ? " (last error: " + job.getString("error") + ")" : "")
          + (note != null ? "; " + note : "") + ".", (JsonObject) ToolResults.clip(job, 1_000), lines);
    });
  }

  private Future<McpSchema.CallToolResult> remember(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("remember"));
    MemoryInput.parse(args);
    return bus(Addresses.STORE_REMEMBER, call, new JsonObject().put("memory", args)).map(r -> {
      JsonObject out = new JsonObject().put("id", r.getString("id")).put("action", r.getString("action"))
          .put("memory", ToolResults.memory(r.getJsonObject("memory"), ToolResults.MAX_CONTENT))
          .put("similar", r.getJsonArray("similar", new JsonArray()))
          .put("relations", r.getJsonArray("relations", new JsonArray()))
          .put("masked", r.getJsonArray("masked", new JsonArray()));
      String summary = "Memory " + out.getString("id") + " " + out.getString("action")
          + (out.getJsonArray("masked").isEmpty() ? "" : "; masked secrets: " + out.getJsonArray("masked").encode()) + ".";
      return ToolResults.ok(summary, out, List.of(ToolResults.line(out.getJsonObject("memory"))));
    });
  }

  private Future<McpSchema.CallToolResult> recall(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("recall"));
    Fields.requireString(args, "query", 4_000);
    int limit = intArg(args, "limit", 1, RECALL_MAX, RECALL_DEFAULT);
    Fields.optEnum(args, "search_type", Set.of("hybrid", "semantic", "keyword"));
    Fields.optBool(args, "include_relations");
    Filters.parse(Fields.optObject(args, "filters"), "filters");
    return bus(Addresses.SEARCH, call, args.copy().put("limit", limit)).map(r -> {
      JsonArray results = ToolResults.memories(r.getJsonArray("results", new JsonArray()), ToolResults.MAX_CONTENT);
      JsonObject out = new JsonObject().put("search_type", r.getString("search_type"))
          .put("took_ms", r.getLong("took_ms", 0L));
      int fit = ToolResults.fitting(out, results);
      out.put("results", ToolResults.head(results, fit));
      if (fit < results.size()) {
        out.put("omitted", results.size() - fit);
      }
      return ToolResults.ok(fit + " memories found" + (fit < results.size()
          ? " (" + (results.size() - fit) + " more left out to stay under 64 KiB; lower limit)" : "") + ".", out,
          ToolResults.lines(out.getJsonArray("results")));
    });
  }

  private Future<McpSchema.CallToolResult> forget(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("forget"));
    String id = Fields.optString(args, "id", MemoryInput.MAX_SHORT);
    if (id != null) {
      for (String other : List.of("query", "type", "before")) {
        if (args.containsKey(other)) {
          throw MemoryException.invalidField(other, "cannot be combined with id");
        }
      }
      Fields.requireString(args, "id", MemoryInput.MAX_SHORT);
      Fields.optBool(args, "confirm");
      return bus(Addresses.STORE_DELETE, call, new JsonObject().put("id", id))
          .map(r -> ToolResults.ok("Deleted memory " + id + ".", new JsonObject().put("dry_run", false)
              .put("count", 1).put("has_more", false).put("deleted", new JsonArray().add(id))));
    }
    JsonObject req = new JsonObject();
    for (String k : List.of("query", "type", "before", "confirm")) {
      if (args.getValue(k) != null) {
        req.put(k, args.getValue(k));
      }
    }
    return bus(Addresses.STORE_FORGET, call, req).map(r -> {
      JsonObject out = r.copy();
      out.remove("namespace");
      if (out.getBoolean("dry_run", false)) {
        JsonArray ms = ToolResults.memories(out.getJsonArray("memories", new JsonArray()), 500);
        out.remove("memories");
        int fit = ToolResults.fitting(out, ms);
        out.put("memories", ToolResults.head(ms, fit));
        return ToolResults.ok("Dry run: " + out.getInteger("count") + " memories would be deleted"
            + (out.getBoolean("has_more", false) ? " (and more beyond these 100)" : "")
            + "; nothing was deleted. Call forget again with confirm: true to delete them.", out,
            ToolResults.lines(out.getJsonArray("memories")));
      }
      return ToolResults.ok("Deleted " + out.getInteger("count") + " memories"
          + (out.getJsonArray("deleted", new JsonArray()).isEmpty() ? "." : ": "
              + String.join(", ", out.getJsonArray("deleted").stream().map(String::valueOf).toList()) + "."), out);
    });
  }

  private Future<McpSchema.CallToolResult> relate(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("relate"));
    Fields.requireString(args, "source_id", MemoryInput.MAX_SHORT);
    Fields.requireString(args, "target_id", MemoryInput.MAX_SHORT);
    Relations.checkType("relation_type", Fields.requireString(args, "relation_type", 64));
    JsonObject props = Fields.optObject(args, "properties");
    if (props != null && props.encode().length() > MAX_PROPERTIES_BYTES) {
      throw MemoryException.invalidField("properties", "larger than " + MAX_PROPERTIES_BYTES + " bytes");
    }
    Fields.optBool(args, "bidirectional");
    return bus(Addresses.STORE_RELATE, call, args.copy()).map(r -> {
      JsonObject out = new JsonObject().put("relations", r.getJsonArray("relations", new JsonArray()));
      return ToolResults.ok("Linked " + args.getString("source_id") + " -" + args.getString("relation_type")
          + "-> " + args.getString("target_id") + " (" + out.getJsonArray("relations").size() + " relations).", out);
    });
  }

  private Future<McpSchema.CallToolResult> update(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("update_memory"));
    String id = Fields.requireString(args, "id", MemoryInput.MAX_SHORT);
    JsonObject raw = args.copy();
    raw.remove("id");
    JsonObject patch = MemoryPatch.parse(raw);
    return bus(Addresses.STORE_UPDATE, call, new JsonObject().put("id", id).put("patch", patch)).map(r -> {
      JsonObject out = new JsonObject()
          .put("memory", ToolResults.memory(r.getJsonObject("memory"), ToolResults.MAX_CONTENT))
          .put("changed", r.getBoolean("changed", false))
          .put("changes", ToolResults.clip(r.getJsonObject("changes", new JsonObject()), ToolResults.MAX_EVENT_STRING))
          .put("masked", r.getJsonArray("masked", new JsonArray()))
          .put("reembedded", r.getBoolean("reembedded", false));
      String summary = out.getBoolean("changed")
          ? "Updated memory " + id + ": " + String.join(", ", out.getJsonObject("changes").fieldNames())
              + (out.getBoolean("reembedded") ? " (re-embedded)." : ".")
          : "Memory " + id + " already had these values; nothing changed.";
      return ToolResults.ok(summary, out, List.of(ToolResults.line(out.getJsonObject("memory"))));
    });
  }

  private Future<McpSchema.CallToolResult> list(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("list_memories"));
    int limit = intArg(args, "limit", 1, LIST_MAX, LIST_DEFAULT);
    String cursor = Fields.optString(args, "cursor", 200);
    JsonObject filters = args.copy();
    filters.remove("limit");
    filters.remove("cursor");
    flatFilters(filters);
    return listPage(call, filters, limit, cursor, true);
  }

  /** Filters given at the top level: errors name the field itself, not filters.field. */
  private static void flatFilters(JsonObject filters) {
    try {
      Filters.parse(filters, "filters");
    } catch (MemoryException e) {
      String field = e.details().getString("field", "filters.").substring("filters.".length());
      throw MemoryException.invalidField(field, e.getMessage().substring(e.getMessage().indexOf(':') + 2));
    }
  }

  private Future<McpSchema.CallToolResult> listPage(Call call, JsonObject filters, int limit,
      String cursor, boolean retry) {
    JsonObject req = new JsonObject().put("filters", filters).put("limit", limit);
    if (cursor != null) {
      req.put("cursor", cursor);
    }
    return bus(Addresses.STORE_LIST, call, req).compose(r -> {
      JsonArray ms = ToolResults.memories(r.getJsonArray("memories", new JsonArray()), ToolResults.MAX_CONTENT);
      JsonObject out = new JsonObject().put("next_cursor", r.getString("next_cursor"));
      int fit = ToolResults.fitting(out, ms);
      if (fit < ms.size() && retry) { // a smaller page, so that next_cursor continues right after it
        return listPage(call, filters, Math.max(1, fit), cursor, false);
      }
      out.put("memories", ToolResults.head(ms, Math.max(1, fit)));
      String more = out.getString("next_cursor") == null ? " (last page)" : "; pass next_cursor as cursor for more";
      return Future.succeededFuture(ToolResults.ok(out.getJsonArray("memories").size() + " memories" + more + ".", out,
          ToolResults.lines(out.getJsonArray("memories"))));
    });
  }

  private Future<McpSchema.CallToolResult> history(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("memory_history"));
    String id = Fields.requireString(args, "id", MemoryInput.MAX_SHORT);
    int limit = intArg(args, "limit", 1, HISTORY_MAX, HISTORY_DEFAULT);
    String cursor = Fields.optString(args, "cursor", 32);
    int offset;
    try {
      offset = cursor == null ? 0 : Integer.parseInt(cursor);
    } catch (NumberFormatException e) {
      offset = -1;
    }
    if (offset < 0) {
      throw MemoryException.invalidField("cursor", "is not a cursor this tool returned");
    }
    int from = offset;
    return bus(Addresses.STORE_HISTORY, call, new JsonObject().put("id", id)).map(r -> {
      JsonArray events = r.getJsonArray("events", new JsonArray());
      int total = events.size();
      JsonArray page = new JsonArray();
      for (int i = from; i < Math.min(total, from + limit); i++) {
        page.add(ToolResults.clip(events.getJsonObject(i), ToolResults.MAX_EVENT_STRING));
      }
      // a placeholder cursor of typical length, so the size estimate counts it
      JsonObject out = new JsonObject().put("id", id).put("total", total).put("next_cursor", "000000");
      int fit = Math.max(Math.min(1, page.size()), ToolResults.fitting(out, page));
      int next = from + fit;
      out.put("events", ToolResults.head(page, fit)).put("next_cursor", next < total ? String.valueOf(next) : null);
      List<String> lines = new ArrayList<>();
      out.getJsonArray("events").forEach(e -> lines.add(eventLine((JsonObject) e)));
      return ToolResults.ok(fit + " of " + total + " events from #" + from
          + (next < total ? "; pass next_cursor as cursor for more." : "."), out, lines);
    });
  }

  /** {@code - #3 UPDATE 2026-11-02T10:00:00Z by alice: {"content":{"from":…,"to":…}}}, its data cut at 300 characters. */
  private static String eventLine(JsonObject e) {
    String data = e.getJsonObject("data", new JsonObject()).encode();
    return "- #" + e.getValue("seq") + " " + e.getString("type") + " " + e.getString("at")
        + (e.getString("actor") != null ? " by " + e.getString("actor") : "") + ": "
        + (data.length() <= 300 ? data : ToolResults.cut(data, 300));
  }

  private Future<McpSchema.CallToolResult> context(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("get_context"));
    return packer.pack(call.caller(), call.ns(), args).map(r -> {
      String text = r.getString("context").isEmpty()
          ? "No relevant memories found." : r.getString("context");
      return ToolResults.okText(text, r);
    });
  }

  private Future<McpSchema.CallToolResult> rules(Call call, JsonObject args) {
    Fields.rejectUnknown(args, declared("get_project_rules"));
    String scopeId = Fields.optString(args, "scope_id", MemoryInput.MAX_SHORT);
    int limit = intArg(args, "limit", 1, RULES_MAX, RULES_DEFAULT);
    List<JsonObject> selections = new ArrayList<>();
    List<JsonObject> bases = new ArrayList<>();
    bases.add(scopeId == null ? new JsonObject() : new JsonObject().put("scope_id", scopeId));
    if (scopeId != null) {
      bases.add(new JsonObject().put("scope", "global"));
    }
    for (JsonObject base : bases) {
      selections.add(base.copy().put("types", new JsonArray().add("rule")));
      selections.add(base.copy().put("tags", new JsonArray().add("rule")));
    }
    List<Future<List<JsonObject>>> lists = new ArrayList<>();
    for (JsonObject f : selections) {
      lists.add(collect(call, f, limit + 1, null, new ArrayList<>()));
    }
    return Future.all(lists).map(cf -> {
      Map<String, JsonObject> byId = new LinkedHashMap<>();
      boolean more = false;
      for (Future<List<JsonObject>> f : lists) {
        more |= f.result().size() > limit;
        f.result().forEach(m -> byId.putIfAbsent(m.getString("id"), m));
      }
      List<JsonObject> sorted = new ArrayList<>(byId.values());
      sorted.sort(Comparator.comparingDouble((JsonObject m) -> -m.getDouble("importance", 0.5))
          .thenComparing(m -> m.getString("created_at", ""), Comparator.reverseOrder()));
      more |= sorted.size() > limit;
      JsonArray rules = new JsonArray();
      sorted.stream().limit(limit).forEach(m -> rules.add(ToolResults.memory(m, ToolResults.MAX_CONTENT)));
      JsonObject out = new JsonObject().put("count", 0).put("has_more", more);
      int fit = ToolResults.fitting(out, rules);
      out.put("rules", ToolResults.head(rules, fit)).put("count", fit).put("has_more", more || fit < rules.size());
      return ToolResults.ok(fit == 0 ? "No rules stored" + (scopeId == null ? "." : " for " + scopeId + " or globally.")
          : fit + " rules, most important first.", out, ToolResults.lines(out.getJsonArray("rules")));
    });
  }

  /** Up to {@code want} memories matching the filters, following the store's cursor. */
  private Future<List<JsonObject>> collect(Call call, JsonObject filters, int want, String cursor,
      List<JsonObject> acc) {
    JsonObject req = new JsonObject().put("filters", filters).put("limit", Math.min(STORE_PAGE, want - acc.size()));
    if (cursor != null) {
      req.put("cursor", cursor);
    }
    return bus(Addresses.STORE_LIST, call, req).compose(r -> {
      r.getJsonArray("memories", new JsonArray()).forEach(o -> acc.add((JsonObject) o));
      String next = r.getString("next_cursor");
      return next == null || acc.size() >= want ? Future.succeededFuture(acc) : collect(call, filters, want, next, acc);
    });
  }
}
