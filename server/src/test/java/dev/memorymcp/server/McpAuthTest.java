package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access control on /mcp with the official MCP Java SDK client sending API keys. */
@DisplayName("access control (MCP)")
class McpAuthTest {
  static final String ADMIN = "bootstrap-admin-key-for-mcp-tests-0123456789abcdef";
  @TempDir
  static Path dir;
  static TestServer server;
  static String member;
  static String viewer;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)).start();
    member = key("mcp-member", "member");
    viewer = key("mcp-viewer", "viewer");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String key(String name, String role) throws Exception {
    TestServer.Resp r = server.call("POST", "/api/v1/admin/keys", null, new JsonObject().put("name", name).put("role", role)
        .put("namespaces", new JsonArray().add("mcp-team")).encode(), Map.of("Authorization", "Bearer " + ADMIN));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getString("key");
  }

  static McpSyncClient client(String endpoint, String key) {
    return client(server, endpoint, key);
  }

  static McpSyncClient client(TestServer server, String endpoint, String key) {
    HttpRequest.Builder req = HttpRequest.newBuilder();
    if (key != null) {
      req.header("Authorization", "Bearer " + key);
    }
    var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + server.port())
        .endpoint(endpoint).requestBuilder(req).build();
    return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
  }

  static String text(McpSchema.CallToolResult r) {
    return r.content().stream().map(c -> c instanceof McpSchema.TextContent t ? t.text() : String.valueOf(c))
        .reduce("", String::concat);
  }

  @Test
  @DisplayName("without a key the SDK client cannot even initialize")
  void noKey() {
    McpSyncClient c = client("/mcp/mcp-team", null);
    assertThatThrownBy(c::initialize).isNotNull();
    c.close();
  }

  @Test
  @DisplayName("a member remembers and recalls in its persona; the others' persona is refused at the door")
  void memberInGrants() {
    McpSyncClient c = client("/mcp/mcp-team", member);
    try {
      c.initialize();
      McpSchema.CallToolResult saved = c.callTool(new McpSchema.CallToolRequest("remember",
          Map.of("content", "The MCP auth test team ships on Fridays")));
      assertThat(saved.isError()).as(text(saved)).isFalse();
      McpSchema.CallToolResult found = c.callTool(new McpSchema.CallToolRequest("recall", Map.of("query", "ships on Fridays")));
      assertThat(text(found) + found.structuredContent()).contains("Fridays");
      McpSchema.CallToolResult migrate = c.callTool(new McpSchema.CallToolRequest("migrate_sqlite_to_qdrant", Map.of()));
      assertThat(migrate.isError()).isTrue();
      assertThat(text(migrate)).contains("member").contains("admin");
    } finally {
      c.closeGracefully();
    }
    McpSyncClient other = client("/mcp/someone-else", member);
    assertThatThrownBy(other::initialize).isNotNull();
    other.close();
  }

  static java.util.List<String> toolNames(String key) {
    McpSyncClient c = client("/mcp/mcp-team", key);
    try {
      c.initialize();
      return c.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    } finally {
      c.closeGracefully();
    }
  }

  @Test
  @DisplayName("tools/list shows each key only the tools its role may call, on the session and the stateless protocol")
  void toolsListFollowsTheRole() throws Exception {
    java.util.List<String> reads = java.util.List.of("recall", "list_memories", "memory_history", "get_context",
        "get_project_rules", "ingest_status");
    java.util.List<String> writes = java.util.List.of("remember", "forget", "relate", "update_memory", "ingest_conversation");
    java.util.List<String> admin = java.util.List.of("migrate_sqlite_to_qdrant", "migrate_qdrant_to_sqlite", "migration_status",
        "find_duplicates", "merge_memories", "restore_memory", "clean_duplicates", "memory_graph", "rebuild_embeddings");
    assertThat(toolNames(viewer)).containsExactlyInAnyOrderElementsOf(reads);
    java.util.List<String> memberTools = new java.util.ArrayList<>(reads);
    memberTools.addAll(writes);
    assertThat(toolNames(member)).containsExactlyInAnyOrderElementsOf(memberTools);
    java.util.List<String> all = new java.util.ArrayList<>(memberTools);
    all.addAll(admin);
    assertThat(toolNames(ADMIN)).containsExactlyInAnyOrderElementsOf(all);
    // the stateless era answers tools/list without a session, from the same filter
    TestServer.Resp r = server.call("POST", "/mcp/mcp-team", null, new JsonObject().put("jsonrpc", "2.0").put("id", 1)
        .put("method", "tools/list").put("params", McpHttpProtocolTest.meta()).encode(), Map.of(
        "Authorization", "Bearer " + viewer, "Accept", "application/json, text/event-stream",
        "MCP-Protocol-Version", McpHttpProtocolTest.MODERN, "Mcp-Method", "tools/list", "Content-Type", "application/json"));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().getJsonObject("result").getJsonArray("tools").stream().map(o -> ((JsonObject) o).getString("name")))
        .containsExactlyInAnyOrderElementsOf(reads);
  }

  @Test
  @DisplayName("a viewer recalls but every write tool answers a tool error naming the role")
  void viewerReadsOnly() {
    McpSyncClient c = client("/mcp/mcp-team", viewer);
    try {
      c.initialize();
      assertThat(c.callTool(new McpSchema.CallToolRequest("recall", Map.of("query", "anything"))).isError()).isFalse();
      for (var call : new McpSchema.CallToolRequest[] {
          new McpSchema.CallToolRequest("remember", Map.of("content", "a viewer must not write this")),
          new McpSchema.CallToolRequest("forget", Map.of("query", "Fridays", "confirm", true)),
          new McpSchema.CallToolRequest("ingest_conversation", Map.of("messages",
              java.util.List.of(Map.of("role", "user", "content", "I like green tea"))))}) {
        McpSchema.CallToolResult r = c.callTool(call);
        assertThat(r.isError()).as(call.name()).isTrue();
        assertThat(text(r)).as(call.name()).contains("viewer");
      }
      // the prompts and the project resource read through the same checks: a viewer may use them
      assertThat(c.readResource(new McpSchema.ReadResourceRequest("memory://context/anyproject")).contents()).hasSize(1);
      assertThat(c.getPrompt(new McpSchema.GetPromptRequest("recall_before_answering",
          Map.of("question", "when do we ship?"))).messages()).hasSize(1);
    } finally {
      c.closeGracefully();
    }
  }
}
