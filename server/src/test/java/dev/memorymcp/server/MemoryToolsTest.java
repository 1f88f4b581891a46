package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.memorymcp.gateway.mcp.McpToolbox;
import dev.memorymcp.gateway.mcp.MemoryTools;
import io.modelcontextprotocol.json.schema.jackson3.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MCP tools called directly against the whole service in-process (real bus, model, SQLite). */
@DisplayName("MCP memory tools")
class MemoryToolsTest {
  @TempDir
  static Path dir;
  static TestServer server;
  static MemoryTools tools;
  static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  static DefaultJsonSchemaValidator validator;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, null).start();
    tools = new MemoryTools(server.vertx(), server.cfg);
    try {
      validator = new DefaultJsonSchemaValidator();
    } catch (LinkageError e) { // Jackson 3 needs jackson-annotations 2.21+ on the class path
      validator = null;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String ns() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static McpSchema.CallToolResult raw(String ns, String tool, JsonObject args) throws Exception {
    Map<String, Object> plain = new JsonObject(args.encode()).getMap();
    return tools.call(ns, tool, plain).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static String text(McpSchema.CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  /** Calls a tool that must succeed; checks its structured content against the tool's output schema. */
  @SuppressWarnings("unchecked")
  static JsonObject ok(String ns, String tool, JsonObject args) throws Exception {
    McpSchema.CallToolResult r = raw(ns, tool, args);
    assertThat(r.isError()).as(tool + ": " + text(r)).isFalse();
    if (!tool.equals("get_context")) { // get_context is bounded by its token budget instead
      assertThat(text(r).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64 * 1024);
    }
    Map<String, Object> structured = (Map<String, Object>) r.structuredContent();
    Map<String, Object> schema = tools.tools().stream().filter(t -> t.name().equals(tool)).findFirst()
        .orElseThrow().outputSchema();
    for (String key : (List<String>) schema.get("required")) {
      assertThat(structured).as(tool + " structuredContent").containsKey(key);
    }
    assertPlain(structured);
    if (validator != null) {
      var v = validator.validate(schema, structured);
      assertThat(v.valid()).as(tool + ": " + v.errorMessage()).isTrue();
    }
    return new JsonObject(new JsonObject(structured).encode());
  }

  /** Structured content holds only Maps, Lists and JSON scalars (no Vert.x types). */
  static void assertPlain(Object v) {
    if (v instanceof Map<?, ?> m) {
      m.values().forEach(MemoryToolsTest::assertPlain);
    } else if (v instanceof List<?> l) {
      l.forEach(MemoryToolsTest::assertPlain);
    } else {
      assertThat(v == null || v instanceof String || v instanceof Number || v instanceof Boolean)
          .as("plain JSON value: " + (v == null ? null : v.getClass())).isTrue();
    }
  }

  /** Calls a tool that must fail with a tool error naming {@code field}. */
  static void rejects(String tool, JsonObject args, String field) throws Exception {
    McpSchema.CallToolResult r = raw(ns(), tool, args);
    assertThat(r.isError()).as(tool + " " + args.encode()).isTrue();
    assertThat(text(r)).contains("field " + field + ")");
  }

  static JsonObject remember(String ns, JsonObject args) throws Exception {
    return ok(ns, "remember", args);
  }

  static String rememberId(String ns, String content) throws Exception {
    return remember(ns, new JsonObject().put("content", content)).getString("id");
  }

  static List<String> ids(JsonArray memories) {
    return memories.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  @DisplayName("remember then recall finds it; results carry scores")
  void rememberRecall() throws Exception {
    String ns = ns();
    JsonObject r = remember(ns, new JsonObject().put("content", "The staging database runs PostgreSQL 16 on port 5433")
        .put("type", "decision").put("tags", new JsonArray().add("db")).put("importance", 0.8));
    assertThat(r.getString("action")).isEqualTo("created");
    assertThat(r.getJsonObject("memory").getString("type")).isEqualTo("decision");
    rememberId(ns, "The user's favourite colour is green");
    JsonObject found = ok(ns, "recall", new JsonObject().put("query", "which postgres version does staging use?"));
    assertThat(ids(found.getJsonArray("results"))).first().isEqualTo(r.getString("id"));
    assertThat(found.getJsonArray("results").getJsonObject(0).getDouble("score")).isPositive();
    assertThat(found.getString("search_type")).isEqualTo("hybrid");
  }

  @Test
  @DisplayName("recall caps each result's content at 2,000 characters with truncated: true")
  void recallCapsContent() throws Exception {
    String ns = ns();
    StringBuilder sb = new StringBuilder("Zanzibar notes:");
    for (int i = 0; sb.length() < 5_000; i++) {
      sb.append(" item").append(i).append(" of the zanzibar inventory");
    }
    rememberId(ns, sb.toString());
    JsonObject found = ok(ns, "recall", new JsonObject().put("query", "zanzibar inventory").put("limit", 5));
    JsonObject first = found.getJsonArray("results").getJsonObject(0);
    assertThat(first.getString("content").length()).isLessThanOrEqualTo(2_001);
    assertThat(first.getBoolean("truncated")).isTrue();
    assertThat(first.getInteger("content_chars")).isEqualTo(sb.length());
  }

  @Test
  @DisplayName("forget by criteria is a dry run until confirm: true; forget by id deletes one")
  void forget() throws Exception {
    String ns = ns();
    rememberId(ns, "The kumquat tree in the garden needs water every Monday");
    rememberId(ns, "Kumquat jam recipe: sugar, lemon and kumquat slices");
    String keep = rememberId(ns, "The car needs new tyres before winter");
    JsonObject dry = ok(ns, "forget", new JsonObject().put("query", "kumquat"));
    assertThat(dry.getBoolean("dry_run")).isTrue();
    assertThat(dry.getInteger("count")).isEqualTo(2);
    assertThat(dry.getJsonArray("memories")).hasSize(2);
    assertThat(ok(ns, "list_memories", new JsonObject()).getJsonArray("memories")).hasSize(3);
    JsonObject done = ok(ns, "forget", new JsonObject().put("query", "kumquat").put("confirm", true));
    assertThat(done.getBoolean("dry_run")).isFalse();
    assertThat(done.getJsonArray("deleted")).hasSize(2);
    assertThat(ids(ok(ns, "list_memories", new JsonObject()).getJsonArray("memories"))).containsExactly(keep);
    JsonObject byId = ok(ns, "forget", new JsonObject().put("id", keep));
    assertThat(byId.getJsonArray("deleted").getList()).containsExactly(keep);
    assertThat(ok(ns, "list_memories", new JsonObject()).getJsonArray("memories")).isEmpty();
    McpSchema.CallToolResult again = raw(ns, "forget", new JsonObject().put("id", keep));
    assertThat(again.isError()).isTrue();
    assertThat(text(again)).contains("MEMORY_NOT_FOUND");
  }

  @Test
  @DisplayName("update_memory changes only the given fields and re-embeds new content")
  void updateReembeds() throws Exception {
    String ns = ns();
    String id = rememberId(ns, "The team lunch is on Tuesday at noon");
    rememberId(ns, "Quarterly reports are due at the end of March");
    JsonObject u = ok(ns, "update_memory", new JsonObject().put("id", id)
        .put("content", "The office cat is named Mochi and sleeps on the printer").put("importance", 0.9));
    assertThat(u.getBoolean("changed")).isTrue();
    assertThat(u.getBoolean("reembedded")).isTrue();
    assertThat(u.getJsonObject("changes").fieldNames()).contains("content", "importance");
    assertThat(u.getJsonObject("memory").getDouble("importance")).isEqualTo(0.9);
    JsonObject found = ok(ns, "recall", new JsonObject().put("query", "what is the pet called?")
        .put("search_type", "semantic"));
    assertThat(ids(found.getJsonArray("results"))).first().isEqualTo(id);
    McpSchema.CallToolResult none = raw(ns, "update_memory", new JsonObject().put("id", id));
    assertThat(none.isError()).isTrue();
    assertThat(text(none)).contains("field body)");
  }

  @Test
  @DisplayName("relate links two memories, both ways when bidirectional")
  void relate() throws Exception {
    String ns = ns();
    String a = rememberId(ns, "The billing service calls the ledger API");
    String b = rememberId(ns, "The ledger API is owned by the finance team");
    JsonObject r = ok(ns, "relate", new JsonObject().put("source_id", a).put("target_id", b)
        .put("relation_type", "depends_on").put("bidirectional", true));
    assertThat(r.getJsonArray("relations")).hasSize(2);
    assertThat(r.getJsonArray("relations").getJsonObject(0).getString("relation_type")).isEqualTo("depends_on");
    rejects("relate", new JsonObject().put("source_id", a).put("target_id", b).put("relation_type", "Depends On"),
        "relation_type");
    McpSchema.CallToolResult missing = raw(ns, "relate", new JsonObject().put("source_id", a)
        .put("target_id", "nope").put("relation_type", "depends_on"));
    assertThat(missing.isError()).isTrue();
    assertThat(text(missing)).contains("target_id");
  }

  @Test
  @DisplayName("list_memories pages with next_cursor until null, no memory twice")
  void listPagination() throws Exception {
    String ns = ns();
    List<String> contents = List.of("Alice leads the mobile team", "The VPN config lives in the ops wiki",
        "Invoices are sent on the first of the month", "The espresso machine is on the third floor",
        "Release trains leave every second Thursday");
    for (String c : contents) {
      rememberId(ns, c);
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject args = new JsonObject().put("limit", 2);
      if (cursor != null) {
        args.put("cursor", cursor);
      }
      JsonObject page = ok(ns, "list_memories", args);
      assertThat(page.getJsonArray("memories").size()).isLessThanOrEqualTo(2);
      for (String id : ids(page.getJsonArray("memories"))) {
        assertThat(seen.add(id)).as("seen twice: " + id).isTrue();
      }
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(seen).hasSize(5);
    assertThat(pages).isEqualTo(3);
    JsonObject filtered = ok(ns, "list_memories", new JsonObject().put("type", "note").put("limit", 50));
    assertThat(filtered.getJsonArray("memories")).hasSize(5);
  }

  @Test
  @DisplayName("bulky memories: recall and list stay under 64 KiB, list's smaller page still continues without gaps")
  void sizeCaps() throws Exception {
    String ns = ns();
    java.util.Random rnd = new java.util.Random(42);
    JsonArray tags = new JsonArray();
    for (int t = 0; t < 32; t++) {
      tags.add("tag-" + t + "-" + "x".repeat(56));
    }
    for (int i = 0; i < 20; i++) {
      StringBuilder sb = new StringBuilder("Bulky record " + i + " about the warehouse:");
      while (sb.length() < 2_600) {
        sb.append(' ');
        for (int c = 3 + rnd.nextInt(6); c > 0; c--) {
          sb.append((char) ('a' + rnd.nextInt(26)));
        }
      }
      // through REST: the remember tool takes no summary (a REST-only field, kept out of the tool list)
      JsonObject r = server.remember(ns, new JsonObject().put("content", sb.toString()).put("tags", tags)
          .put("summary", "s".repeat(2_000)).put("name", "n".repeat(200))
          .put("metadata", new JsonObject().put("blob", "m".repeat(15_000))));
      assertThat(r.getString("action")).as(r.getJsonArray("similar").encode()).isEqualTo("created");
    }
    McpSchema.CallToolResult recall = raw(ns, "recall", new JsonObject().put("query", "bulky warehouse record").put("limit", 50));
    JsonObject found = ok(ns, "recall", new JsonObject().put("query", "bulky warehouse record").put("limit", 50));
    assertThat(text(recall).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64 * 1024);
    assertThat(found.getJsonArray("results")).isNotEmpty(); // (near-identical gibberish vectors: search drops look-alikes)
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject args = new JsonObject().put("limit", 50);
      if (cursor != null) {
        args.put("cursor", cursor);
      }
      JsonObject page = ok(ns, "list_memories", args); // ok() checks the 64 KiB bound
      page.getJsonArray("memories").forEach(o -> assertThat(seen.add(((JsonObject) o).getString("id"))).isTrue());
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 20);
    assertThat(seen).hasSize(20);
    assertThat(pages).isGreaterThan(1);
  }

  @Test
  @DisplayName("memory_history pages over the events, oldest first")
  void historyPagination() throws Exception {
    String ns = ns();
    String id = rememberId(ns, "The deploy window is Monday morning");
    ok(ns, "update_memory", new JsonObject().put("id", id).put("importance", 0.6));
    ok(ns, "update_memory", new JsonObject().put("id", id).put("importance", 0.7));
    ok(ns, "update_memory", new JsonObject().put("id", id).put("tags", new JsonArray().add("ops")));
    JsonObject p1 = ok(ns, "memory_history", new JsonObject().put("id", id).put("limit", 2));
    assertThat(p1.getInteger("total")).isEqualTo(4);
    assertThat(p1.getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("type")).toList())
        .containsExactly("CREATE", "UPDATE");
    assertThat(p1.getString("next_cursor")).isNotNull();
    JsonObject p2 = ok(ns, "memory_history", new JsonObject().put("id", id).put("limit", 2)
        .put("cursor", p1.getString("next_cursor")));
    assertThat(p2.getJsonArray("events")).hasSize(2);
    assertThat(p2.getString("next_cursor")).isNull();
    rejects("memory_history", new JsonObject().put("id", id).put("limit", 201), "limit");
    rejects("memory_history", new JsonObject().put("id", id).put("cursor", "abc"), "cursor");
  }

  @Test
  @DisplayName("get_context stays within max_tokens (cl100k_base) and puts the project memory first")
  void getContext() throws Exception {
    String ns = ns();
    String project = remember(ns, new JsonObject().put("content", "Apollo is built with Gradle and the Kotlin DSL")
        .put("type", "decision").put("scope", "project").put("scope_id", "apollo")).getString("id");
    remember(ns, new JsonObject().put("content", "Our team builds every service in CI with GitHub Actions")
        .put("scope", "team").put("scope_id", "platform"));
    for (int i = 0; i < 12; i++) {
      rememberId(ns, "Build note " + i + ": the " + List.of("linux", "mac", "windows", "arm", "docker", "nightly")
          .get(i % 6) + " build of service number " + (i * 37) + " takes about " + (i + 3) + " minutes to finish");
    }
    JsonObject args = new JsonObject().put("query", "how is apollo built?").put("max_tokens", 100).put("scope_id", "apollo");
    McpSchema.CallToolResult r = raw(ns, "get_context", args);
    JsonObject c = ok(ns, "get_context", args);
    String context = c.getString("context");
    assertThat(CL100K.countTokens(context)).isLessThanOrEqualTo(100).isEqualTo(c.getInteger("used_tokens"));
    assertThat(c.getInteger("max_tokens")).isEqualTo(100);
    assertThat(context).startsWith("Relevant memories:\n- [decision] Apollo is built with Gradle");
    assertThat(c.getJsonArray("memories").getJsonObject(0).getString("id")).isEqualTo(project);
    assertThat(c.getInteger("omitted")).isPositive();
    assertThat(text(r)).isEqualTo(context);
    JsonObject big = ok(ns, "get_context", new JsonObject().put("query", "builds"));
    assertThat(big.getInteger("max_tokens")).isEqualTo(2000);
    assertThat(CL100K.countTokens(big.getString("context"))).isLessThanOrEqualTo(2000);
    rejects("get_context", new JsonObject().put("query", "x").put("max_tokens", 99), "max_tokens");
    rejects("get_context", new JsonObject().put("max_tokens", 500), "query");
  }

  @Test
  @DisplayName("get_project_rules finds type rule and tag rule, most important first, no duplicates")
  void projectRules() throws Exception {
    String ns = ns();
    String typed = remember(ns, new JsonObject().put("content", "Never commit directly to the main branch")
        .put("type", "rule").put("importance", 0.6)).getString("id");
    String tagged = remember(ns, new JsonObject().put("content", "Always run mvn verify before pushing")
        .put("tags", new JsonArray().add("rule")).put("importance", 0.9)).getString("id");
    String both = remember(ns, new JsonObject().put("content", "Use two-space indentation in Java files")
        .put("type", "rule").put("tags", new JsonArray().add("rule")).put("importance", 0.3)).getString("id");
    rememberId(ns, "The user likes hiking in the Alps");
    JsonObject r = ok(ns, "get_project_rules", new JsonObject());
    assertThat(ids(r.getJsonArray("rules"))).containsExactly(tagged, typed, both);
    assertThat(r.getInteger("count")).isEqualTo(3);
    String scoped = remember(ns, new JsonObject().put("content", "Apollo modules must not depend on each other cyclically")
        .put("type", "rule").put("scope", "project").put("scope_id", "apollo")).getString("id");
    remember(ns, new JsonObject().put("content", "Zeus uses tabs in Makefiles only")
        .put("type", "rule").put("scope", "project").put("scope_id", "zeus"));
    JsonObject apollo = ok(ns, "get_project_rules", new JsonObject().put("scope_id", "apollo"));
    assertThat(ids(apollo.getJsonArray("rules"))).contains(scoped, typed, tagged, both).hasSize(4);
    JsonObject limited = ok(ns, "get_project_rules", new JsonObject().put("limit", 1));
    assertThat(limited.getJsonArray("rules")).hasSize(1);
    assertThat(limited.getBoolean("has_more")).isTrue();
  }

  @Test
  @DisplayName("invalid arguments are tool errors naming the field")
  void invalidArguments() throws Exception {
    rejects("remember", new JsonObject(), "content");
    rejects("remember", new JsonObject().put("content", "x").put("importance", 2), "importance");
    rejects("remember", new JsonObject().put("content", "x").put("colour", "red"), "colour");
    rejects("remember", new JsonObject().put("content", "x").put("type", "opinion"), "type");
    rejects("recall", new JsonObject().put("query", "x").put("limit", 0), "limit");
    rejects("recall", new JsonObject().put("query", "x").put("limit", 51), "limit");
    rejects("recall", new JsonObject().put("query", "x")
        .put("filters", new JsonObject().put("min_importance", 3)), "filters.min_importance");
    rejects("recall", new JsonObject(), "query");
    rejects("list_memories", new JsonObject().put("limit", 0), "limit");
    rejects("list_memories", new JsonObject().put("min_importance", 3), "min_importance");
    rejects("forget", new JsonObject(), "query");
    rejects("forget", new JsonObject().put("id", "a").put("query", "b"), "query");
    rejects("update_memory", new JsonObject().put("content", "x"), "id");
    rejects("get_project_rules", new JsonObject().put("limit", 0), "limit");
  }

  @Test
  @DisplayName("an unknown tool fails the call with UnknownToolException")
  void unknownTool() {
    assertThatThrownBy(() -> tools.call("default", "summon_demon", Map.of()).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(McpToolbox.UnknownToolException.class);
  }

  @Test
  @DisplayName("GET /api/v1/context packs like get_context; 400 names query / max_tokens")
  void restContext() throws Exception {
    String ns = ns();
    server.remember(ns, new JsonObject().put("content", "Hermes deploys with Helm charts").put("type", "decision")
        .put("scope", "project").put("scope_id", "hermes"));
    String q = URLEncoder.encode("how does hermes deploy?", StandardCharsets.UTF_8);
    TestServer.Resp r = server.get("/api/v1/context?query=" + q + "&max_tokens=300&scope_id=hermes&types=decision,rule", ns);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonObject c = r.json();
    assertThat(c.getString("context")).contains("Hermes deploys with Helm charts");
    assertThat(CL100K.countTokens(c.getString("context"))).isLessThanOrEqualTo(300);
    assertThat(c.getInteger("max_tokens")).isEqualTo(300);
    TestServer.Resp noQuery = server.get("/api/v1/context", ns);
    assertThat(noQuery.status()).isEqualTo(400);
    assertThat(noQuery.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("query");
    for (String bad : new String[] {"abc", "50", "40000"}) {
      TestServer.Resp badMax = server.get("/api/v1/context?query=x&max_tokens=" + bad, ns);
      assertThat(badMax.status()).isEqualTo(400);
      assertThat(badMax.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("max_tokens");
    }
  }

  @Test
  @DisplayName("every tool declares schemas and annotations; structured content is checked on each call above")
  void definitions() {
    List<String> names = new ArrayList<>();
    for (McpSchema.Tool t : tools.tools()) {
      names.add(t.name());
      assertThat(t.outputSchema()).containsKey("required");
      assertThat(t.inputSchema().get("additionalProperties")).isEqualTo(false);
      assertThat(t.annotations().openWorldHint()).isFalse();
    }
    if (validator != null) { // the validator is real: a reply missing required keys fails it
      assertThat(validator.validate(tools.tools().get(0).outputSchema(), Map.of("id", 1)).valid()).isFalse();
    } else {
      System.err.println("MemoryToolsTest: SDK JSON schema validator unavailable (jackson-annotations < 2.21);"
          + " structured content checked for required keys only");
    }
    assertThat(names).containsExactlyInAnyOrder("remember", "recall", "forget", "relate", "update_memory",
        "list_memories", "memory_history", "get_context", "get_project_rules", "ingest_conversation",
        "ingest_status", "migrate_sqlite_to_qdrant", "migrate_qdrant_to_sqlite", "migration_status",
        "find_duplicates", "merge_memories", "restore_memory", "clean_duplicates", "memory_graph", "rebuild_embeddings");
  }
}
