package dev.memorymcp.gateway.mcp;

import static dev.memorymcp.gateway.mcp.MemoryTools.HISTORY_DEFAULT;
import static dev.memorymcp.gateway.mcp.MemoryTools.HISTORY_MAX;
import static dev.memorymcp.gateway.mcp.MemoryTools.LIST_DEFAULT;
import static dev.memorymcp.gateway.mcp.MemoryTools.LIST_MAX;
import static dev.memorymcp.gateway.mcp.MemoryTools.RECALL_DEFAULT;
import static dev.memorymcp.gateway.mcp.MemoryTools.RECALL_MAX;
import static dev.memorymcp.gateway.mcp.MemoryTools.RULES_DEFAULT;
import static dev.memorymcp.gateway.mcp.MemoryTools.RULES_MAX;
import static dev.memorymcp.gateway.mcp.ToolSchemas.ARRAY;
import static dev.memorymcp.gateway.mcp.ToolSchemas.BOOLEAN;
import static dev.memorymcp.gateway.mcp.ToolSchemas.INTEGER;
import static dev.memorymcp.gateway.mcp.ToolSchemas.SCOPES;
import static dev.memorymcp.gateway.mcp.ToolSchemas.STRING;
import static dev.memorymcp.gateway.mcp.ToolSchemas.TYPES;
import static dev.memorymcp.gateway.mcp.ToolSchemas.anyObject;
import static dev.memorymcp.gateway.mcp.ToolSchemas.bool;
import static dev.memorymcp.gateway.mcp.ToolSchemas.described;
import static dev.memorymcp.gateway.mcp.ToolSchemas.input;
import static dev.memorymcp.gateway.mcp.ToolSchemas.integer;
import static dev.memorymcp.gateway.mcp.ToolSchemas.m;
import static dev.memorymcp.gateway.mcp.ToolSchemas.memories;
import static dev.memorymcp.gateway.mcp.ToolSchemas.memory;
import static dev.memorymcp.gateway.mcp.ToolSchemas.nullable;
import static dev.memorymcp.gateway.mcp.ToolSchemas.oneOf;
import static dev.memorymcp.gateway.mcp.ToolSchemas.output;
import static dev.memorymcp.gateway.mcp.ToolSchemas.str;
import static dev.memorymcp.gateway.mcp.ToolSchemas.strings;
import static dev.memorymcp.gateway.mcp.ToolSchemas.time;
import static dev.memorymcp.gateway.mcp.ToolSchemas.unit;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tool definitions: names, descriptions for a model, input/output schemas, annotations.
 *
 * <p>Every agent that connects loads these into its context before the first message, so they are
 * kept lean (issue 17; {@code ToolBudgetTest} holds the default profile's tools/list to 2,500
 * cl100k tokens): a description says what the tool does and when to call it, a parameter gets one
 * short line, limits the server checks anyway (lengths, list sizes) are not repeated in the schema
 * (a violation is a tool error naming the field), and output schemas name the top-level fields.
 */
final class ToolDefinitions {
  private ToolDefinitions() {}

  static List<McpSchema.Tool> all() {
    return List.of(remember(), recall(), forget(), relate(), updateMemory(), listMemories(),
        memoryHistory(), getContext(), getProjectRules(), ingestConversation(), ingestStatus(),
        migrate("sqlite", "qdrant"), migrate("qdrant", "sqlite"), migrationStatus(),
        findDuplicates(), mergeMemories(), restoreMemory(), cleanDuplicates(), memoryGraph(), rebuildEmbeddings());
  }

  /** The tools for tending the memory by hand: listed in the admin profile (or to an admin key) only. */
  static final List<String> CURATION = List.of("find_duplicates", "merge_memories", "restore_memory",
      "clean_duplicates", "memory_graph", "rebuild_embeddings");

  static McpSchema.Tool findDuplicates() {
    return tool("find_duplicates", "Find duplicates",
        "Pairs of stored memories that look like duplicates, closest first, each with the verdict the write path's"
            + " dedupe would give (merge, update, supersede, relate, create) and why. Changes nothing.",
        input(m("threshold", unit("Dense cosine a pair needs; default 0.9."),
            "limit", integer(1, 500, 50),
            "scope_id", str(null))),
        output(m("pairs", ARRAY, "scanned", INTEGER), "pairs", "scanned"),
        hints(true, false, true));
  }

  static McpSchema.Tool mergeMemories() {
    return tool("merge_memories", "Merge memories",
        "Fold the listed memories into one (into, default the first): every text is kept, tags and relations"
            + " move over, the others are deleted with their history kept. Undo with restore_memory on the MERGE event.",
        input(m("ids", strings(null), "into", str(null)), "ids"),
        output(m("memory", memory(), "merged", ARRAY), "memory", "merged"),
        hints(false, true, false));
  }

  static McpSchema.Tool restoreMemory() {
    return tool("restore_memory", "Restore memory",
        "Bring a deleted memory back from its history, or, with event_seq (from memory_history), return a memory"
            + " to its state before that UPDATE or MERGE (a merge's memories come back too).",
        input(m("id", str(null), "event_seq", m("type", "integer", "minimum", 1)), "id"),
        output(m("memory", memory(), "restored", ARRAY), "memory", "restored"),
        hints(false, false, false));
  }

  static McpSchema.Tool cleanDuplicates() {
    return tool("clean_duplicates", "Clean exact duplicates",
        "Memories with the same text (case, width and spacing aside), type and scope: a dry run lists the groups;"
            + " with confirm: true each group is merged into its oldest memory.",
        input(m("confirm", bool(null))),
        output(m("dry_run", BOOLEAN, "duplicates", INTEGER, "groups", ARRAY), "dry_run", "duplicates"),
        hints(false, true, true));
  }

  static McpSchema.Tool memoryGraph() {
    return tool("memory_graph", "Memory graph",
        "The newest memories as nodes and the relations between them as edges.",
        input(m("scope_id", str(null), "limit", integer(1, 2000, 300))),
        output(m("nodes", ARRAY, "edges", ARRAY), "nodes", "edges"),
        hints(true, false, true));
  }

  static McpSchema.Tool rebuildEmbeddings() {
    return tool("rebuild_embeddings", "Rebuild embeddings",
        "Where the background re-embedding with the configured model stands; with start: true, start one"
            + " (the old vectors answer recall until it has finished).",
        input(m("start", bool(null))),
        output(m("status", STRING, "done", INTEGER, "total", INTEGER), "status"),
        hints(false, false, true));
  }

  /**
   * The behaviour hints. The title is the tool's own; for a read-only tool the destructive and
   * idempotent hints carry no meaning (MCP: "meaningful only when readOnlyHint is false") and are left out.
   */
  static McpSchema.ToolAnnotations hints(boolean readOnly, boolean destructive, boolean idempotent) {
    McpSchema.ToolAnnotations.Builder b = McpSchema.ToolAnnotations.builder().readOnlyHint(readOnly).openWorldHint(false);
    if (!readOnly) {
      b.destructiveHint(destructive).idempotentHint(idempotent);
    }
    return b.build();
  }

  static McpSchema.Tool tool(String name, String title, String description, Map<String, Object> in,
      Map<String, Object> out, McpSchema.ToolAnnotations hints) {
    return McpSchema.Tool.builder().name(name).title(title).description(description).inputSchema(in)
        .outputSchema(out).annotations(hints).build();
  }

  /**
   * The memory fields remember and update_memory accept (update: all optional). summary, confidence
   * and relations at creation are REST-only: agents link with relate.
   */
  static Map<String, Object> memoryFields() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("content", str("One self-contained fact, readable without the conversation."));
    p.put("type", oneOf("Default note; rule = standing instruction.", TYPES));
    p.put("scope", oneOf("Default global; team/project need scope_id.", SCOPES));
    p.put("scope_id", str("Project or team id, e.g. the repository name."));
    p.put("name", str("Short title."));
    p.put("tags", strings("Labels."));
    p.put("category", str(null));
    p.put("importance", unit("0..1, default 0.5."));
    p.put("metadata", anyObject(null));
    p.put("expires_at", time("ISO-8601; not recalled after it."));
    return p;
  }

  static McpSchema.Tool remember() {
    Map<String, Object> p = memoryFields();
    p.put("session_id", str("Current conversation id."));
    return tool("remember", "Remember",
        "Store a durable fact, preference, decision or rule, one per call, when the user states one or asks"
            + " you to remember. Near-duplicates merge; secrets are masked.",
        input(p, "content"),
        output(m("id", STRING, "action", oneOf(null, List.of("created", "merged", "updated")), "memory", memory()),
            "id", "action", "memory"),
        hints(false, false, false));
  }

  static McpSchema.Tool recall() {
    return tool("recall", "Recall",
        "Search memory by meaning and keywords (English and Japanese) before answering anything that may"
            + " depend on earlier sessions, preferences or project decisions: cues are remember, last time, prefer,"
            + " my …, 前回, 覚えて, 好み, 私の. Most relevant first.",
        input(m(
            "query", str(null),
            "limit", integer(1, RECALL_MAX, RECALL_DEFAULT),
            "search_type", oneOf("Default hybrid.", List.of("hybrid", "semantic", "keyword")),
            "filters", input(ToolSchemas.filterProps()),
            "include_relations", bool(null)), "query"),
        output(m("results", memories()), "results"),
        hints(true, false, true));
  }

  static McpSchema.Tool forget() {
    return tool("forget", "Forget",
        "Delete memories when the user asks. id deletes one. Otherwise query/type/before select up to 100"
            + " and it is a dry run listing them; call again with confirm: true once the user agrees.",
        input(m(
            "id", str(null),
            "query", str("Keywords."),
            "type", str("A memory type, as in remember."),
            "before", time("Created before, ISO-8601."),
            "confirm", bool(null))),
        output(m("dry_run", BOOLEAN, "count", INTEGER), "dry_run", "count"),
        hints(false, true, true));
  }

  static McpSchema.Tool relate() {
    return tool("relate", "Relate memories",
        "Link two memories with a directed, typed relation; relating them again updates it.",
        input(m(
            "source_id", str(null),
            "target_id", str(null),
            "relation_type", m("type", "string", "pattern", "^[a-z][a-z0-9_]{0,63}$",
                "description", "snake_case, e.g. depends_on."),
            "properties", anyObject(null),
            "bidirectional", bool("Also link target to source.")),
            "source_id", "target_id", "relation_type"),
        output(m("relations", ARRAY), "relations"),
        hints(false, false, true));
  }

  static McpSchema.Tool updateMemory() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("id", str(null));
    for (Map.Entry<String, Object> field : memoryFields().entrySet()) { // described in remember already
      @SuppressWarnings("unchecked")
      Map<String, Object> bare = new LinkedHashMap<>((Map<String, Object>) field.getValue());
      bare.remove("description");
      p.put(field.getKey(), bare);
    }
    p.put("expires_at", described(nullable("string"), "ISO-8601, or null to clear."));
    return tool("update_memory", "Update memory",
        "Correct or refine a memory instead of remembering a near-copy: only the fields given change;"
            + " old values stay in memory_history.",
        input(p, "id"),
        output(m("memory", memory(), "changed", BOOLEAN), "memory", "changed"),
        hints(false, false, true));
  }

  static McpSchema.Tool listMemories() {
    Map<String, Object> p = ToolSchemas.filterProps();
    p.put("limit", integer(1, LIST_MAX, LIST_DEFAULT));
    p.put("cursor", str("next_cursor of the previous page."));
    return tool("list_memories", "List memories",
        "Browse memories newest first, filtered; paginated by cursor.",
        input(p),
        output(m("memories", memories(), "next_cursor", nullable("string")), "memories", "next_cursor"),
        hints(true, false, true));
  }

  static McpSchema.Tool memoryHistory() {
    return tool("memory_history", "Memory history",
        "Every change to one memory, oldest first, also after a delete; paginated by cursor.",
        input(m(
            "id", str(null),
            "limit", integer(1, HISTORY_MAX, HISTORY_DEFAULT),
            "cursor", str("next_cursor of the previous page.")), "id"),
        output(m("events", ARRAY, "next_cursor", nullable("string")), "events", "next_cursor"),
        hints(true, false, true));
  }

  static McpSchema.Tool getContext() {
    return tool("get_context", "Get context",
        "At the start of a task: the relevant memories as one text block within a token budget,"
            + " project first, then team and global.",
        input(m(
            "query", str("The task."),
            "max_tokens", integer(ContextPacker.MIN_TOKENS, ContextPacker.MAX_TOKENS, null),
            "scope_id", str("Current project id."),
            "types", strings("Memory types, as in remember.")), "query"),
        output(m("context", STRING, "used_tokens", INTEGER), "context", "used_tokens"),
        hints(true, false, true));
  }

  static McpSchema.Tool getProjectRules() {
    return tool("get_project_rules", "Get project rules",
        "Before working in a project: the standing rules (type rule or tag rule) of that project and the"
            + " global ones, most important first.",
        input(m(
            "scope_id", str("Project or team id."),
            "limit", integer(1, RULES_MAX, RULES_DEFAULT))),
        output(m("rules", memories()), "rules"),
        hints(true, false, true));
  }

  static McpSchema.Tool ingestConversation() {
    Map<String, Object> message = input(m(
        "role", oneOf(null, List.of("user", "assistant", "system", "tool")),
        "content", str(null),
        "timestamp", time("ISO-8601.")), "role", "content");
    return tool("ingest_conversation", "Ingest conversation",
        "At the end of a session, instead of many remember calls: hand over the turns; facts and"
            + " preferences are extracted and merged in the background. Returns a job id at once.",
        input(m(
            "messages", m("type", "array", "items", message, "description", "Oldest first."),
            "session_id", str(null),
            "metadata", anyObject(null),
            "scope", oneOf(null, SCOPES),
            "scope_id", str(null),
            "idempotency_key", str("A retry with the same key returns the first job.")), "messages"),
        output(m("job_id", STRING, "status", STRING), "job_id", "status"),
        hints(false, false, true));
  }

  static McpSchema.Tool ingestStatus() {
    return tool("ingest_status", "Ingest status",
        "Status of an ingest job and the memories it created or merged.",
        input(m("job_id", str(null)), "job_id"),
        output(m("job_id", STRING, "status", STRING), "job_id", "status"),
        hints(true, false, true));
  }

  static McpSchema.Tool migrate(String from, String to) {
    String name = "migrate_" + from + "_to_" + to;
    return tool(name, "Migrate " + from + " to " + to,
        "Copy every memory (with its vector, whole history and relations) from the " + from + " backend to the "
            + to + " backend, in the background: returns a job_id at once; follow it with migration_status. The "
            + "source is never modified; vectors are copied, not re-embedded, and a target holding another model's "
            + "vectors is refused. Idempotent and resumable: running it again replaces what was copied. "
            + "Needs MEMORY_MCP_QDRANT_URL. dry_run only counts what would be copied.",
        input(m("namespace", str("Only this namespace (persona); all namespaces when omitted."),
            "batch_size", integer(1, 1000, 200),
            "dry_run", bool("Count and check only; copy nothing."))),
        output(m("job_id", STRING, "status", STRING), "job_id", "status"),
        hints(false, false, true));
  }

  static McpSchema.Tool migrationStatus() {
    return tool("migration_status", "Migration status",
        "Where a migration job stands: status (running | verifying | done | failed), items done / total overall"
            + " and per namespace, the error if it failed, and once done the verification (counts per namespace,"
            + " vectors checked, any difference).",
        input(m("job_id", str("The job_id a migrate_* tool returned.")), "job_id"),
        output(m("job_id", STRING, "status", STRING, "done", INTEGER, "total", INTEGER), "job_id", "status"),
        hints(true, false, true));
  }
}
