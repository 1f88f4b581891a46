package dev.memorymcp.gateway.mcp;

import static dev.memorymcp.gateway.mcp.ToolSchemas.SCOPES;
import static dev.memorymcp.gateway.mcp.ToolSchemas.TYPES;
import static dev.memorymcp.gateway.mcp.ToolSchemas.anyObject;
import static dev.memorymcp.gateway.mcp.ToolSchemas.bool;
import static dev.memorymcp.gateway.mcp.ToolSchemas.enums;
import static dev.memorymcp.gateway.mcp.ToolSchemas.input;
import static dev.memorymcp.gateway.mcp.ToolSchemas.integer;
import static dev.memorymcp.gateway.mcp.ToolSchemas.m;
import static dev.memorymcp.gateway.mcp.ToolSchemas.memories;
import static dev.memorymcp.gateway.mcp.ToolSchemas.memory;
import static dev.memorymcp.gateway.mcp.ToolSchemas.nonEmpty;
import static dev.memorymcp.gateway.mcp.ToolSchemas.nullable;
import static dev.memorymcp.gateway.mcp.ToolSchemas.oneOf;
import static dev.memorymcp.gateway.mcp.ToolSchemas.output;
import static dev.memorymcp.gateway.mcp.ToolSchemas.relations;
import static dev.memorymcp.gateway.mcp.ToolSchemas.str;
import static dev.memorymcp.gateway.mcp.ToolSchemas.strings;
import static dev.memorymcp.gateway.mcp.ToolSchemas.time;
import static dev.memorymcp.gateway.mcp.ToolSchemas.unit;

import dev.memorymcp.bus.MemoryInput;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tool definitions: names, descriptions for a model, input/output schemas, annotations. */
final class ToolDefinitions {
  private ToolDefinitions() {}

  static final String CAPS = " Results are capped at 64 KiB of text; memory contents longer than 2,000 characters"
      + " are cut and flagged truncated: true.";

  static List<McpSchema.Tool> all() {
    return List.of(remember(), recall(), forget(), relate(), updateMemory(), listMemories(),
        memoryHistory(), getContext(), getProjectRules(), ingestConversation(), ingestStatus(),
        migrate("sqlite", "qdrant"), migrate("qdrant", "sqlite"), migrationStatus());
  }

  static McpSchema.ToolAnnotations hints(String title, boolean readOnly, boolean destructive,
      boolean idempotent) {
    return McpSchema.ToolAnnotations.builder().title(title).readOnlyHint(readOnly)
        .destructiveHint(destructive).idempotentHint(idempotent).openWorldHint(false).build();
  }

  static McpSchema.Tool tool(String name, String title, String description, Map<String, Object> in,
      Map<String, Object> out, McpSchema.ToolAnnotations hints) {
    return McpSchema.Tool.builder().name(name).title(title).description(description).inputSchema(in)
        .outputSchema(out).annotations(hints).build();
  }

  /** The memory fields remember and update_memory accept (update: all optional). */
  static Map<String, Object> memoryFields() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("content", nonEmpty("The text to remember: one self-contained fact, decision or preference,"
        + " written so it makes sense without the conversation. At most 20,000 characters.", MemoryInput.MAX_CONTENT));
    p.put("type", oneOf("What kind of memory this is (default note). Use rule for standing instructions"
        + " (coding conventions, do/don't), decision for choices made, preference for likes/dislikes.", TYPES));
    p.put("scope", oneOf("Who it applies to: global (default, everywhere), team, or project; with team/project"
        + " give scope_id.", SCOPES));
    p.put("scope_id", str("The project or team id for scope project/team, e.g. the repository name.", MemoryInput.MAX_SHORT));
    p.put("name", str("A short title.", MemoryInput.MAX_SHORT));
    p.put("summary", str("A one-line summary.", MemoryInput.MAX_SUMMARY));
    p.put("tags", strings("Labels for filtering (at most 32, each at most 64 characters).", MemoryInput.MAX_TAGS, 64));
    p.put("category", str("A free-form category.", 64));
    p.put("importance", unit("How important, 0..1 (default 0.5)."));
    p.put("confidence", unit("How sure, 0..1 (default 1.0)."));
    p.put("metadata", anyObject("Any JSON object, at most 16 KiB encoded."));
    p.put("expires_at", time("ISO-8601 time after which the memory is no longer recalled."));
    return p;
  }

  static McpSchema.Tool remember() {
    Map<String, Object> p = memoryFields();
    p.put("session_id", str("The current conversation/session id, if known.", MemoryInput.MAX_SHORT));
    p.put("relations", m("type", "array", "maxItems", MemoryInput.MAX_RELATIONS, "description",
        "Links to existing memories (at most 32).", "items", input(m(
            "target_id", nonEmpty("Id of an existing memory.", MemoryInput.MAX_SHORT),
            "type", str("snake_case relation name (default related_to).", 64)), "target_id")));
    return tool("remember", "Remember",
        "Store a long-term memory: a fact, decision, preference, rule or note worth keeping across"
            + " conversations. Call it when the user states something durable (\"we use PostgreSQL 16\","
            + " \"I prefer tabs\", \"never push to main\") or asks you to remember. One memory per fact."
            + " Secrets (API keys, passwords, tokens) are masked before storing; masked lists what was hidden."
            + " Near-duplicates are merged into the existing memory (action merged/updated, same id);"
            + " contradictions create a new memory that supersedes the old. Returns {id, action, memory,"
            + " similar, relations, masked}." + CAPS,
        input(p, "content"),
        output(m("id", m("type", "string"), "action", oneOf("created, merged or updated",
            List.of("created", "merged", "updated")), "memory", memory(),
            "similar", m("type", "array", "items", m("type", "object")), "relations", relations(),
            "masked", m("type", "array", "items", m("type", "string"))),
            "id", "action", "memory", "similar", "relations", "masked"),
        hints("Remember", false, false, false));
  }

  static McpSchema.Tool recall() {
    return tool("recall", "Recall",
        "Search long-term memory by meaning and keywords (hybrid by default; English and Japanese)."
            + " Use it before answering anything that may depend on earlier conversations, the user's"
            + " preferences, or project decisions. Returns {results: [memory + score], search_type, took_ms},"
            + " most relevant first; limit 1..50 (default 10). filters narrows by type, scope, scope_id, tags"
            + " (all of), category, time or importance. For a prompt-ready block under a token budget use"
            + " get_context instead." + CAPS,
        input(m(
            "query", nonEmpty("What to look for, in natural language or keywords (at most 4,000 characters).", 4_000),
            "limit", integer("Most results to return.", 1, 50, 10),
            "search_type", oneOf("hybrid (default), semantic (meaning only) or keyword (exact words).",
                List.of("hybrid", "semantic", "keyword")),
            "filters", ToolSchemas.input(ToolSchemas.filterProps()),
            "include_relations", bool("Add each result's relations (at most 20 each).", false)), "query"),
        output(m("results", memories(), "search_type", m("type", "string"), "took_ms", m("type", "integer"),
            "omitted", m("type", "integer")), "results", "search_type", "took_ms"),
        hints("Recall", true, false, true));
  }

  static McpSchema.Tool forget() {
    return tool("forget", "Forget",
        "Delete memories. With id: deletes that one memory immediately. Without id: selects by query"
            + " (keyword match), type and/or before (created before this ISO-8601 time) and is a DRY RUN"
            + " that only lists what would be deleted unless confirm is true; show the list to the user and"
            + " call again with confirm: true only when they agree. At most 100 memories per call (has_more"
            + " says whether more match). A deleted memory's history stays readable. Returns {dry_run, count,"
            + " has_more, memories (dry run, contents cut at 500 characters) | deleted (ids)}. Results are"
            + " capped at 64 KiB of text.",
        input(m(
            "id", nonEmpty("Id of one memory to delete (no other field may be given with it).", MemoryInput.MAX_SHORT),
            "query", str("Keyword query selecting memories to delete.", 2_000),
            "type", oneOf("Only memories of this type.", TYPES),
            "before", time("Only memories created before this ISO-8601 time."),
            "confirm", bool("Actually delete (default false: dry run).", false))),
        output(m("dry_run", m("type", "boolean"), "count", m("type", "integer"),
            "has_more", m("type", "boolean"), "memories", memories(),
            "deleted", m("type", "array", "items", m("type", "string")), "hint", m("type", "string")),
            "dry_run", "count"),
        hints("Forget", false, true, true));
  }

  static McpSchema.Tool relate() {
    return tool("relate", "Relate memories",
        "Link two existing memories with a typed, directed relation (e.g. depends_on, part_of, supersedes,"
            + " related_to; any snake_case name). bidirectional adds the reverse link too. Relating the"
            + " same pair and type again updates it. Returns {relations}.",
        input(m(
            "source_id", nonEmpty("Id of the memory the relation starts from.", MemoryInput.MAX_SHORT),
            "target_id", nonEmpty("Id of the memory it points to.", MemoryInput.MAX_SHORT),
            "relation_type", m("type", "string", "pattern", "^[a-z][a-z0-9_]{0,63}$",
                "description", "snake_case relation name, e.g. depends_on."),
            "properties", anyObject("Any JSON object describing the link (at most 16 KiB)."),
            "bidirectional", bool("Also create target -> source.", false)),
            "source_id", "target_id", "relation_type"),
        output(m("relations", relations()), "relations"),
        hints("Relate memories", false, false, true));
  }

  static McpSchema.Tool updateMemory() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("id", nonEmpty("Id of the memory to change.", MemoryInput.MAX_SHORT));
    p.putAll(memoryFields());
    p.put("content", str("New text (replaces the old; it is re-masked and re-embedded).", MemoryInput.MAX_CONTENT));
    p.put("expires_at", m("type", List.of("string", "null"), "maxLength", 64,
        "description", "New ISO-8601 expiry, or null to clear it."));
    return tool("update_memory", "Update memory",
        "Change fields of an existing memory; only the fields given change (at least one besides id)."
            + " Use it to correct or refine a memory instead of remembering a near-copy. Changed content is"
            + " masked and re-embedded; the old values stay in memory_history. Returns {memory, changed,"
            + " changes: {field: {from, to}}, reembedded}." + CAPS,
        input(p, "id"),
        output(m("memory", memory(), "changed", m("type", "boolean"), "changes", m("type", "object"),
            "masked", m("type", "array", "items", m("type", "string")), "reembedded", m("type", "boolean")),
            "memory", "changed"),
        hints("Update memory", false, false, true));
  }

  static McpSchema.Tool listMemories() {
    Map<String, Object> p = ToolSchemas.filterProps();
    p.put("limit", integer("Page size.", 1, 50, 20));
    p.put("cursor", str("next_cursor from the previous page.", 200));
    return tool("list_memories", "List memories",
        "Browse memories newest first, optionally filtered (type/types, scope, scope_id, tags, category,"
            + " since/until, min_importance, ...). Paginated: limit 1..50 (default 20); pass next_cursor back"
            + " as cursor for the next page (null on the last page). Use recall to search by meaning."
            + " Returns {memories, next_cursor}." + CAPS,
        input(p),
        output(m("memories", memories(), "next_cursor", nullable("string")), "memories", "next_cursor"),
        hints("List memories", true, false, true));
  }

  static McpSchema.Tool memoryHistory() {
    return tool("memory_history", "Memory history",
        "The audit trail of one memory, oldest first: CREATE, UPDATE (from/to per field), MERGE (previous"
            + " state and incoming text), ACCESS (recalls), DELETE. Readable after a delete. Paginated:"
            + " limit 1..200 (default 50); pass next_cursor back as cursor. Strings inside events are cut at"
            + " 1,000 characters; results are capped at 64 KiB. Returns {id, events, total, next_cursor}.",
        input(m(
            "id", nonEmpty("Id of the memory.", MemoryInput.MAX_SHORT),
            "limit", integer("Page size.", 1, 200, 50),
            "cursor", str("next_cursor from the previous page.", 32)), "id"),
        output(m("id", m("type", "string"), "events", m("type", "array", "items", ToolSchemas.event()),
            "total", m("type", "integer"), "next_cursor", nullable("string")),
            "id", "events", "total", "next_cursor"),
        hints("Memory history", true, false, true));
  }

  static McpSchema.Tool getContext() {
    return tool("get_context", "Get context",
        "The memories relevant to a task, packed into a ready-to-inject text block under a token budget"
            + " (cl100k_base tokens; max_tokens 100..32,000, default from the server configuration, 2,000"
            + " unless changed). Call it at the start of a task to load what is known. The budget is shared"
            + " between scopes (project 50%, team 25%, global 25%; a scope without matches gives its share to"
            + " the others), most relevant first; a memory that does not fit is skipped (omitted counts"
            + " them). scope_id narrows the project scope to one project. The text content is the block itself"
            + " (\"Relevant memories:\\n- [type] content (id ...)\"); structured {context, used_tokens,"
            + " max_tokens, memories: [{id, type, scope, score, tokens}], omitted}.",
        input(m(
            "query", nonEmpty("The task or question to load context for (at most 4,000 characters).", 4_000),
            "max_tokens", integer("Token budget of the block.", ContextPacker.MIN_TOKENS, ContextPacker.MAX_TOKENS, null),
            "scope_id", str("Project id: project-scope memories of other projects are left out.", MemoryInput.MAX_SHORT),
            "types", enums("Only memories of these types.", TYPES, 16)), "query"),
        output(m("context", m("type", "string"), "used_tokens", m("type", "integer"),
            "max_tokens", m("type", "integer"), "memories", m("type", "array", "items", output(m(
                "id", m("type", "string"), "type", m("type", "string"), "scope", m("type", "string"),
                "score", m("type", "number"), "tokens", m("type", "integer")), "id", "type", "scope", "score", "tokens")),
            "omitted", m("type", "integer")),
            "context", "used_tokens", "max_tokens", "memories", "omitted"),
        hints("Get context", true, false, true));
  }

  static McpSchema.Tool getProjectRules() {
    return tool("get_project_rules", "Get project rules",
        "The standing rules to follow (memories of type rule or tagged rule): coding conventions,"
            + " do/don't instructions. Call it before starting work in a project. With scope_id: that"
            + " project's rules plus the global ones. Ordered by importance, then newest; limit 1..200"
            + " (default 50). Returns {rules, count, has_more}." + CAPS,
        input(m(
            "scope_id", str("Project (or team) id.", MemoryInput.MAX_SHORT),
            "limit", integer("Most rules to return.", 1, 200, 50))),
        output(m("rules", memories(), "count", m("type", "integer"), "has_more", m("type", "boolean")),
            "rules", "count"),
        hints("Get project rules", true, false, true));
  }

  static McpSchema.Tool ingestConversation() {
    Map<String, Object> message = input(m(
        "role", oneOf("Who said it; only user turns are mined by the built-in extractor.",
            List.of("user", "assistant", "system", "tool")),
        "content", str("What was said.", MemoryInput.MAX_CONTENT),
        "timestamp", time("When it was said (ISO-8601), optional.")), "role", "content");
    return tool("ingest_conversation", "Ingest conversation",
        "Hand a conversation over for background learning: the service stores it durably, answers at once"
            + " with a job id, and later extracts the user's facts, preferences, decisions and plans (English"
            + " and Japanese, kept in the language they were said in), de-duplicating and merging them into"
            + " memory. Use it at the end of a session instead of many remember calls. At most 200 messages"
            + " per call and 20,000 characters per message by default. idempotency_key makes a retried call"
            + " return the first job. Check progress with ingest_status. Returns {job_id, status, duplicate}.",
        input(m(
            "messages", m("type", "array", "minItems", 1, "items", message, "description",
                "The conversation turns, oldest first."),
            "session_id", str("The conversation's id; stored on the memories learned from it.", MemoryInput.MAX_SHORT),
            "metadata", anyObject("Copied into every memory learned from this conversation."),
            "scope", oneOf("Scope of the memories learned (default global).", SCOPES),
            "scope_id", str("Project or team id of the memories learned.", MemoryInput.MAX_SHORT),
            "idempotency_key", str("Any unique string for this conversation chunk.", 200)), "messages"),
        output(m("job_id", m("type", "string"), "status", m("type", "string"), "duplicate", m("type", "boolean")),
            "job_id", "status"),
        hints("Ingest conversation", false, false, true));
  }

  static McpSchema.Tool ingestStatus() {
    return tool("ingest_status", "Ingest status",
        "Where an ingest job stands: status (queued | running | done | failed), attempts, error, and once"
            + " done the memory ids created / merged / updated / deleted / unchanged, one item per extracted"
            + " fact, and a note when nothing new was learned (nothing memorable, all duplicates).",
        input(m("job_id", nonEmpty("The job_id ingest_conversation returned.", 64)), "job_id"),
        output(m("job_id", m("type", "string"), "status", m("type", "string"), "attempts", m("type", "integer"),
            "memories", anyObject("Memory ids by action."), "note", nullable("string")), "job_id", "status"),
        hints("Ingest status", true, false, true));
  }

  static McpSchema.Tool migrate(String from, String to) {
    String name = "migrate_" + from + "_to_" + to;
    return tool(name, "Migrate " + from + " to " + to,
        "Copy every memory (with its vector, whole history and relations) from the " + from + " backend to the "
            + to + " backend, in the background: returns a job_id at once; follow it with migration_status. The "
            + "source is never modified; vectors are copied, not re-embedded, and a target holding another model's "
            + "vectors is refused. Idempotent and resumable: running it again replaces what was copied. "
            + "Needs MEMORY_MCP_QDRANT_URL. dry_run only counts what would be copied.",
        input(m("namespace", str("Only this namespace (persona); all namespaces when omitted.", 128),
            "batch_size", integer("Items per batch (default 200).", 1, 1000, 200),
            "dry_run", bool("Count and check only; copy nothing.", false))),
        output(m("job_id", m("type", "string"), "status", m("type", "string")), "job_id", "status"),
        hints("Migrate " + from + " to " + to, false, false, true));
  }

  static McpSchema.Tool migrationStatus() {
    return tool("migration_status", "Migration status",
        "Where a migration job stands: status (running | verifying | done | failed), items done / total overall"
            + " and per namespace, the error if it failed, and once done the verification (counts per namespace,"
            + " vectors checked, any difference).",
        input(m("job_id", nonEmpty("The job_id a migrate_* tool returned.", 64)), "job_id"),
        output(m("job_id", m("type", "string"), "status", m("type", "string"), "done", m("type", "integer"),
            "total", m("type", "integer")), "job_id", "status"),
        hints("Migration status", true, false, true));
  }
}
