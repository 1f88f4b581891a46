package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import dev.memorymcp.gateway.mcp.MemoryTools;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official MCP Java SDK client against our Vert.x Streamable HTTP transport and the real tools. */
@DisplayName("MCP over HTTP with the SDK client")
class McpHttpClientTest {
  @TempDir
  static Path dir;
  static TestServer server;
  McpSyncClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject()).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @BeforeEach
  void connect() {
    client = client("/mcp/sdk-client");
    client.initialize();
  }

  @AfterEach
  void disconnect() {
    client.closeGracefully();
  }

  static McpSyncClient client(String endpoint) {
    var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + server.port())
        .endpoint(endpoint).build();
    return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
  }

  static String text(McpSchema.CallToolResult r) {
    return r.content().stream().map(c -> c instanceof McpSchema.TextContent t ? t.text() : String.valueOf(c))
        .reduce("", String::concat) + " " + r.structuredContent();
  }

  McpSchema.CallToolResult call(McpSyncClient c, String tool, Map<String, Object> args) {
    return c.callTool(new McpSchema.CallToolRequest(tool, args));
  }

  @Test
  void initializeAndListTools() {
    assertThat(client.getServerInfo().name()).isEqualTo("memory-service");
    assertThat(client.getServerInstructions()).isNotBlank();
    // the default profile: the memory tools, no operator tools even for a local user without keys
    assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("remember", "recall", "forget")
        .doesNotContain("migrate_sqlite_to_qdrant", "migrate_qdrant_to_sqlite", "migration_status").hasSize(11);
  }

  @Test
  @DisplayName("the default tools/list an agent loads costs at most 2,500 cl100k tokens, output schemas included")
  void toolListTokenBudget() throws Exception {
    var cl100k = com.knuddels.jtokkit.Encodings.newDefaultEncodingRegistry()
        .getEncoding(com.knuddels.jtokkit.api.EncodingType.CL100K_BASE);
    McpSchema.ListToolsResult list = client.listTools();
    int tokens = cl100k.countTokens(io.modelcontextprotocol.json.McpJsonDefaults.getMapper().writeValueAsString(list));
    System.out.println("tools/list over /mcp (default profile): " + list.tools().size() + " tools, " + tokens
        + " cl100k tokens (budget 2,500)");
    assertThat(list.tools()).allSatisfy(t -> assertThat(t.outputSchema()).as(t.name()).isNotNull());
    assertThat(tokens).isBetween(1_000, 2_500);
  }

  @Test
  @DisplayName("prompts and the project resource: answered from the memories, outside tools/list")
  void promptsAndResources() {
    McpSyncClient c = client("/mcp/prompts-resources");
    try {
      c.initialize();
      assertThat(c.getServerCapabilities().prompts()).isNotNull();
      assertThat(c.getServerCapabilities().resources()).isNotNull();
      call(c, "remember", Map.of("content", "Hermes services log in JSON lines", "type", "rule",
          "scope", "project", "scope_id", "hermes"));
      call(c, "remember", Map.of("content", "The hermes queue runs on NATS JetStream", "scope", "project",
          "scope_id", "hermes"));
      call(c, "remember", Map.of("content", "Apollo deploys on Tuesdays", "scope", "project", "scope_id", "apollo"));

      assertThat(c.listPrompts().prompts()).extracting(McpSchema.Prompt::name)
          .containsExactly("recall_before_answering", "save_session_memories");
      McpSchema.GetPromptResult prompt = c.getPrompt(new McpSchema.GetPromptRequest("recall_before_answering",
          Map.of("question", "Which message queue does hermes use?", "project", "hermes")));
      String asked = ((McpSchema.TextContent) prompt.messages().get(0).content()).text();
      assertThat(asked).contains("NATS JetStream").endsWith("Question: Which message queue does hermes use?");
      assertThatThrownBy(() -> c.getPrompt(new McpSchema.GetPromptRequest("recall_before_answering", Map.of())))
          .isInstanceOf(McpError.class).hasMessageContaining("question");
      String save = ((McpSchema.TextContent) c.getPrompt(new McpSchema.GetPromptRequest("save_session_memories",
          Map.of("project", "hermes"))).messages().get(0).content()).text();
      assertThat(save).contains("remember").contains("scope_id \"hermes\"");

      assertThat(c.listResourceTemplates().resourceTemplates()).extracting(McpSchema.ResourceTemplate::uriTemplate)
          .containsExactly("memory://context/{project}");
      McpSchema.ReadResourceResult read = c.readResource(new McpSchema.ReadResourceRequest("memory://context/hermes"));
      String context = ((McpSchema.TextResourceContents) read.contents().get(0)).text();
      assertThat(context).contains("# Project hermes").contains("JSON lines").contains("NATS JetStream")
          .doesNotContain("Apollo");
      assertThat(context.indexOf("JSON lines")).isLessThan(context.indexOf("## Newest memories"));
      assertThatThrownBy(() -> c.readResource(new McpSchema.ReadResourceRequest("memory://context/")))
          .isInstanceOf(McpError.class);
    } finally {
      c.closeGracefully();
    }
  }

  @Test
  void adminProfileAddsTheOperatorTools() {
    var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + server.port())
        .endpoint("/mcp?profile=admin").build();
    McpSyncClient admin = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
    try {
      admin.initialize();
      assertThat(admin.listTools().tools()).extracting(McpSchema.Tool::name)
          .contains("remember", "migrate_sqlite_to_qdrant", "migrate_qdrant_to_sqlite", "migration_status")
          .contains("find_duplicates", "merge_memories", "restore_memory", "clean_duplicates", "memory_graph",
              "rebuild_embeddings").hasSize(20);
      // the curation tools answer through the same client
      String a = admin.callTool(new McpSchema.CallToolRequest("remember", Map.of("content", "The build server is named hydra")))
          .structuredContent() instanceof Map<?, ?> m ? (String) m.get("id") : null;
      // near enough to pair, different enough that dedupe kept both
      admin.callTool(new McpSchema.CallToolRequest("remember", Map.of("content", "The build server hydra runs Ubuntu 24.04")));
      McpSchema.CallToolResult dupes = admin.callTool(new McpSchema.CallToolRequest("find_duplicates", Map.of("threshold", 0.75)));
      assertThat(dupes.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(((McpSchema.TextContent) dupes.content().get(0)).text()).contains("hydra").contains(a);
      McpSchema.CallToolResult graph = admin.callTool(new McpSchema.CallToolRequest("memory_graph", Map.of("limit", 10)));
      assertThat(((McpSchema.TextContent) graph.content().get(0)).text()).contains("memories");
      McpSchema.CallToolResult rebuild = admin.callTool(new McpSchema.CallToolRequest("rebuild_embeddings", Map.of()));
      assertThat(((McpSchema.TextContent) rebuild.content().get(0)).text()).startsWith("Rebuild idle");
      McpSchema.CallToolResult bad = admin.callTool(new McpSchema.CallToolRequest("merge_memories", Map.of("ids", List.of(a))));
      assertThat(bad.isError()).isTrue();
      assertThat(((McpSchema.TextContent) bad.content().get(0)).text()).contains("ids");
    } finally {
      admin.closeGracefully();
    }
  }

  @Test
  void stdioListsItsProfile() {
    MemoryTools tools = new MemoryTools(io.vertx.core.Vertx.vertx(), new io.vertx.core.json.JsonObject());
    assertThat(StdioServer.stdioTools(tools, "default", new io.vertx.core.json.JsonObject())).hasSize(11);
    assertThat(StdioServer.stdioTools(tools, "default", new io.vertx.core.json.JsonObject().put("mcp.profile", "admin")))
        .hasSize(20);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StdioServer.stdioTools(tools, "default",
        new io.vertx.core.json.JsonObject().put("mcp.profile", "root"))).hasMessageContaining("mcp.profile");
  }

  @Test
  void rememberRecallForget() {
    McpSchema.CallToolResult saved = call(client, "remember",
        Map.of("content", "The SDK client test remembers that the staging database runs PostgreSQL 16"));
    assertThat(saved.isError()).isFalse();
    Object id = ((Map<?, ?>) saved.structuredContent()).get("id");
    assertThat(id).isNotNull();
    McpSchema.CallToolResult found = call(client, "recall", Map.of("query", "staging database PostgreSQL"));
    assertThat(found.isError()).isFalse();
    assertThat(text(found)).contains("PostgreSQL 16");
    McpSchema.CallToolResult forgot = call(client, "forget", Map.of("id", id, "confirm", true));
    assertThat(forgot.isError()).isFalse();
    assertThat(text(call(client, "recall", Map.of("query", "staging database PostgreSQL")))).doesNotContain("PostgreSQL 16");
  }

  @Test
  void personaIsolation() {
    call(client, "remember", Map.of("content", "Only the sdk-client persona knows the vault code is amber falcon"));
    McpSyncClient other = client("/mcp/sdk-other");
    try {
      other.initialize();
      assertThat(text(call(other, "recall", Map.of("query", "vault code amber falcon")))).doesNotContain("amber falcon");
    } finally {
      other.closeGracefully();
    }
    assertThat(text(call(client, "recall", Map.of("query", "vault code amber falcon")))).contains("amber falcon");
  }

  @Test
  void invalidArgumentIsToolErrorNamingTheField() {
    McpSchema.CallToolResult r = call(client, "remember", Map.of("content", "x", "importance", 7));
    assertThat(r.isError()).isTrue();
    assertThat(text(r)).contains("importance");
  }

  @Test
  void unknownToolIsJsonRpcError() {
    assertThatThrownBy(() -> call(client, "no_such_tool", Map.of()))
        .isInstanceOfSatisfying(McpError.class, e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32602));
  }
}
