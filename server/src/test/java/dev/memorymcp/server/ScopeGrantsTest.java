package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scope-id grants: a key limited to some team / project ids inside its persona sees and touches
 * only memories of those scope ids, on every route that takes an id, in every search, over REST
 * and MCP; a memory outside them answers exactly like a missing one. A real server, auth on.
 */
@DisplayName("scope-id grants (team / project)")
class ScopeGrantsTest {
  static final String ADMIN = "bootstrap-admin-key-for-scope-tests-0123456789abcdef";
  static final String NS = "team";
  @TempDir
  static Path dir;
  static TestServer server;
  static String projA;       // member limited to proj-a
  static String projAViewer; // viewer limited to proj-a
  static String inA;         // memories written by the admin
  static String inB;
  static String global;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)).start();
    projA = key("proj-a-dev", "member", "proj-a");
    projAViewer = key("proj-a-viewer", "viewer", "proj-a");
    inA = remember(ADMIN, "The deploy pipeline of project A runs on Tuesdays", "proj-a");
    inB = remember(ADMIN, "The deploy pipeline of project B runs on Fridays", "proj-b");
    global = remember(ADMIN, "The deploy pipeline policy for everyone: no deploys at night", null);
    TestServer.Resp rel = as(ADMIN, "POST", "/api/v1/relations", new JsonObject().put("source_id", inA)
        .put("target_id", inB).put("relation_type", "related_to").encode());
    assertThat(rel.status()).as(rel.text()).isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String key(String name, String role, String... scopeIds) throws Exception {
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/admin/keys", new JsonObject().put("name", name).put("role", role)
        .put("namespaces", new JsonArray().add(NS)).put("scope_ids", new JsonArray(List.of(scopeIds))).encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().getJsonObject("key_info").getJsonArray("scope_ids")).containsExactly((Object[]) scopeIds);
    return r.json().getString("key");
  }

  static TestServer.Resp as(String key, String method, String path, String body) throws Exception {
    return server.call(method, path, NS, body, Map.of("Authorization", "Bearer " + key));
  }

  static String remember(String key, String content, String scopeId) throws Exception {
    JsonObject m = new JsonObject().put("content", content);
    if (scopeId != null) {
      m.put("scope", "project").put("scope_id", scopeId);
    }
    TestServer.Resp r = as(key, "POST", "/api/v1/memories", m.encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getString("id");
  }

  static List<String> ids(JsonArray a) {
    return a.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  static void assertNotFound(TestServer.Resp r) {
    assertThat(r.status()).as(r.text()).isEqualTo(404);
    assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo("MEMORY_NOT_FOUND");
  }

  @Test
  @DisplayName("search of every type (with relations), list and get_context return only the granted scope")
  void readsSeeOnlyTheGrantedScope() throws Exception {
    for (String type : new String[] {"hybrid", "semantic", "keyword"}) {
      TestServer.Resp r = as(projAViewer, "POST", "/api/v1/search", new JsonObject().put("query", "deploy pipeline")
          .put("search_type", type).put("include_relations", true).encode());
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      JsonArray results = r.json().getJsonArray("results");
      assertThat(ids(results)).as(type).contains(inA).doesNotContain(inB, global);
      assertThat(results.stream().map(o -> ((JsonObject) o).getString("scope_id"))).as(type).containsOnly("proj-a");
      // the relation to the other project's memory is not shown either
      JsonObject a = results.stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals(inA)).findFirst().orElseThrow();
      assertThat(a.getJsonArray("relations")).as(type).isEmpty();
    }
    TestServer.Resp asked = as(projAViewer, "POST", "/api/v1/search", new JsonObject().put("query", "deploy pipeline")
        .put("filters", new JsonObject().put("scope_id", "proj-b")).encode());
    assertThat(asked.json().getJsonArray("results")).isEmpty();
    TestServer.Resp list = as(projAViewer, "GET", "/api/v1/memories", null);
    assertThat(ids(list.json().getJsonArray("memories"))).contains(inA).doesNotContain(inB, global);
    assertThat(list.json().getJsonArray("memories").stream().map(o -> ((JsonObject) o).getString("scope_id")))
        .containsOnly("proj-a");
    TestServer.Resp ctx = as(projAViewer, "GET", "/api/v1/context?query=deploy%20pipeline", null);
    assertThat(ctx.status()).as(ctx.text()).isEqualTo(200);
    assertThat(ctx.json().getString("context")).contains(inA).doesNotContain(inB).doesNotContain(global);
    // the admin, not limited, sees all three and the relation between the projects
    JsonArray adminResults = as(ADMIN, "POST", "/api/v1/search", new JsonObject().put("query", "deploy pipeline")
        .put("include_relations", true).encode()).json().getJsonArray("results");
    assertThat(adminResults.stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals(inA)).findFirst()
        .orElseThrow().getJsonArray("relations")).hasSize(1);
    assertThat(ids(as(ADMIN, "GET", "/api/v1/memories", null).json().getJsonArray("memories")))
        .contains(inA, inB, global);
  }

  @Test
  @DisplayName("every route that takes an id answers 404 for a memory outside the grants, as for a missing one")
  void byIdOutsideTheGrantsIsMissing() throws Exception {
    for (String other : new String[] {inB, global}) {
      assertNotFound(as(projA, "GET", "/api/v1/memories/" + other, null));
      assertNotFound(as(projA, "GET", "/api/v1/memories/" + other + "/history", null));
      assertNotFound(as(projA, "PATCH", "/api/v1/memories/" + other, "{\"importance\":0.9}"));
      assertNotFound(as(projA, "DELETE", "/api/v1/memories/" + other, null));
      assertNotFound(as(projA, "POST", "/api/v1/relations", new JsonObject().put("source_id", inA)
          .put("target_id", other).put("relation_type", "related_to").encode()));
    }
    TestServer.Resp missing = as(projA, "GET", "/api/v1/memories/zzzzzzzzzzzz", null);
    TestServer.Resp hidden = as(projA, "GET", "/api/v1/memories/" + inB, null);
    assertThat(hidden.json().getJsonObject("error").getString("message"))
        .isEqualTo(missing.json().getJsonObject("error").getString("message").replace("zzzzzzzzzzzz", inB));
    assertThat(as(projA, "GET", "/api/v1/memories/" + inA, null).status()).isEqualTo(200);
    assertThat(as(projA, "GET", "/api/v1/memories/" + inA + "/history", null).status()).isEqualTo(200);
    // nothing was changed by the refused calls
    JsonObject b = as(ADMIN, "GET", "/api/v1/memories/" + inB, null).json().getJsonObject("memory");
    assertThat(b.getDouble("importance")).isEqualTo(0.5);
  }

  @Test
  @DisplayName("writes must name a granted scope id: outside it (or none) is 403 naming scope_id, and nothing is written")
  void writesStayInTheGrants() throws Exception {
    String mine = remember(projA, "Project A uses Java 17 for its services", "proj-a");
    assertThat(as(projA, "GET", "/api/v1/memories/" + mine, null).status()).isEqualTo(200);
    int before = as(ADMIN, "GET", "/api/v1/memories?limit=100", null).json().getJsonArray("memories").size();
    for (JsonObject bad : List.of(new JsonObject().put("content", "Project B secret plan").put("scope", "project")
            .put("scope_id", "proj-b"),
        new JsonObject().put("content", "A global note from a project key"))) {
      TestServer.Resp r = as(projA, "POST", "/api/v1/memories", bad.encode());
      assertThat(r.status()).as(r.text()).isEqualTo(403);
      assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo("SCOPE_FORBIDDEN");
      assertThat(r.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("scope_id");
    }
    JsonObject batch = new JsonObject().put("memories", new JsonArray()
        .add(new JsonObject().put("content", "fine").put("scope", "project").put("scope_id", "proj-a"))
        .add(new JsonObject().put("content", "not fine").put("scope", "project").put("scope_id", "proj-b")));
    TestServer.Resp b = as(projA, "POST", "/api/v1/memories:batch", batch.encode());
    assertThat(b.status()).as(b.text()).isEqualTo(403);
    assertThat(b.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("memories[1].scope_id");
    TestServer.Resp moved = as(projA, "PATCH", "/api/v1/memories/" + mine, "{\"scope_id\":\"proj-b\"}");
    assertThat(moved.status()).as(moved.text()).isEqualTo(403);
    TestServer.Resp related = as(projA, "POST", "/api/v1/memories", new JsonObject().put("content", "links out")
        .put("scope", "project").put("scope_id", "proj-a")
        .put("relations", new JsonArray().add(new JsonObject().put("target_id", inB).put("type", "related_to"))).encode());
    assertThat(related.status()).as(related.text()).isEqualTo(400);
    assertThat(related.text()).contains("relations[0].target_id");
    TestServer.Resp ingest = as(projA, "POST", "/api/v1/ingest", new JsonObject().put("scope_id", "proj-b")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "I like tea"))).encode());
    assertThat(ingest.status()).as(ingest.text()).isEqualTo(403);
    assertThat(as(ADMIN, "GET", "/api/v1/memories?limit=100", null).json().getJsonArray("memories")).hasSize(before);
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + mine, null).json().getJsonObject("memory").getString("scope_id"))
        .isEqualTo("proj-a");
    // a memory it made that an admin moved to another project leaves its view, forget included
    String movedAway = remember(projA, "Project A cache settings, later moved", "proj-a");
    assertThat(as(ADMIN, "PATCH", "/api/v1/memories/" + movedAway, "{\"scope_id\":\"proj-b\"}").status()).isEqualTo(200);
    assertNotFound(as(projA, "GET", "/api/v1/memories/" + movedAway, null));
    TestServer.Resp dry = as(projA, "DELETE", "/api/v1/memories?query=cache", null);
    assertThat(dry.status()).as(dry.text()).isEqualTo(200);
    assertThat(dry.json().getInteger("count")).isZero();
    TestServer.Resp forget = as(projA, "DELETE", "/api/v1/memories?query=cache&confirm=true", null);
    assertThat(forget.json().getInteger("count")).isZero();
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + movedAway, null).status()).isEqualTo(200);
    // history stays readable after a delete, to keys that may see the memory's last scope id
    String gone = remember(projA, "Project A temporary note", "proj-a");
    assertThat(as(projA, "DELETE", "/api/v1/memories/" + gone, null).status()).isEqualTo(200);
    TestServer.Resp history = as(projA, "GET", "/api/v1/memories/" + gone + "/history", null);
    assertThat(history.status()).as(history.text()).isEqualTo(200);
    assertThat(history.json().getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("type")))
        .contains("CREATE", "DELETE");
    assertNotFound(as(projA, "GET", "/api/v1/memories/" + movedAway + "/history", null));
    String otherKey = key("proj-b-viewer", "viewer", "proj-b");
    assertThat(as(otherKey, "GET", "/api/v1/memories/" + movedAway + "/history", null).status()).isEqualTo(200);
    assertNotFound(as(otherKey, "GET", "/api/v1/memories/" + gone + "/history", null));
  }

  @Test
  @DisplayName("ingest into a granted scope id: the learned memories carry it, and the job is hidden from other scopes")
  void ingestIntoTheGrantedScope() throws Exception {
    String otherProject = key("proj-c-dev", "member", "proj-c");
    TestServer.Resp posted = as(projA, "POST", "/api/v1/ingest", new JsonObject().put("scope", "project").put("scope_id", "proj-a")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", "I prefer green tea over coffee when I work on project A."))).encode());
    assertThat(posted.status()).as(posted.text()).isEqualTo(202);
    String job = posted.json().getString("job_id");
    JsonObject status = null;
    for (int i = 0; i < 300 && (status == null || !"done".equals(status.getString("status"))); i++) {
      Thread.sleep(100);
      TestServer.Resp r = as(projA, "GET", "/api/v1/ingest/" + job, null);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      status = r.json().getJsonObject("job", r.json());
    }
    assertThat(status.getString("status")).as(status.encode()).isEqualTo("done");
    JsonArray created = status.getJsonObject("memories").getJsonArray("created");
    assertThat(created).isNotEmpty();
    for (Object id : created) {
      JsonObject m = as(projA, "GET", "/api/v1/memories/" + id, null).json().getJsonObject("memory");
      assertThat(m.getString("scope_id")).isEqualTo("proj-a");
      assertThat(m.getString("scope")).isEqualTo("project");
      assertNotFound(as(otherProject, "GET", "/api/v1/memories/" + id, null));
    }
    TestServer.Resp hidden = as(otherProject, "GET", "/api/v1/ingest/" + job, null);
    assertThat(hidden.status()).as(hidden.text()).isEqualTo(404);
  }

  @Test
  @DisplayName("an admin key cannot be limited to scope ids, and scope_ids are validated")
  void keyRequests() throws Exception {
    JsonObject admin = new JsonObject().put("name", "scoped-admin").put("role", "admin")
        .put("scope_ids", new JsonArray().add("proj-a"));
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/admin/keys", admin.encode());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("scope_ids");
    JsonObject bad = new JsonObject().put("name", "bad").put("role", "member").put("namespaces", new JsonArray().add(NS))
        .put("scope_ids", new JsonArray().add(""));
    assertThat(as(ADMIN, "POST", "/api/v1/admin/keys", bad.encode()).status()).isEqualTo(400);
    JsonArray listed = as(ADMIN, "GET", "/api/v1/admin/keys", null).json().getJsonArray("keys");
    assertThat(listed.stream().map(o -> (JsonObject) o).filter(k -> k.getString("name").equals("proj-a-dev"))
        .findFirst().orElseThrow().getJsonArray("scope_ids")).containsExactly("proj-a");
  }

  @Test
  @DisplayName("over MCP the same key recalls and lists only its scope, and cannot write outside it")
  void mcpHonoursTheGrants() {
    McpSyncClient c = McpAuthTest.client(server, "/mcp/" + NS, projA);
    try {
      c.initialize();
      McpSchema.CallToolResult recall = c.callTool(new McpSchema.CallToolRequest("recall",
          Map.of("query", "deploy pipeline")));
      assertThat(recall.isError()).isFalse();
      String text = McpAuthTest.text(recall);
      assertThat(text).contains(inA).doesNotContain(inB).doesNotContain(global);
      McpSchema.CallToolResult outside = c.callTool(new McpSchema.CallToolRequest("remember",
          Map.of("content", "Project B note", "scope", "project", "scope_id", "proj-b")));
      assertThat(outside.isError()).isTrue();
      assertThat(McpAuthTest.text(outside)).contains("scope_id");
      McpSchema.CallToolResult history = c.callTool(new McpSchema.CallToolRequest("memory_history",
          Map.of("id", inB)));
      assertThat(history.isError()).isTrue();
      assertThat(McpAuthTest.text(history)).contains("no memory with id " + inB);
    } finally {
      c.close();
    }
  }
}
