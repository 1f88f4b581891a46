package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code memory-server.jar mcp-stdio} as an MCP client starts it: the SDK's stdio client, and raw stdin/stdout. */
@DisplayName("memory-server.jar mcp-stdio")
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class McpStdioIT {
  @TempDir
  Path dir;

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String text(McpSchema.CallToolResult r) {
    return r.content().stream().filter(c -> c instanceof McpSchema.TextContent)
        .map(c -> ((McpSchema.TextContent) c).text()).collect(Collectors.joining("\n"));
  }

  @Test
  @DisplayName("the SDK's stdio client: initialize, list tools, remember/recall/forget, field errors; closing it ends the server with exit 0")
  void sdkClientRoundTrip() throws Exception {
    List<String> stderr = java.util.Collections.synchronizedList(new ArrayList<>());
    StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(java())
        .args("-jar", ServerProcess.jar().toString(), "mcp-stdio")
        .addEnvVar("MEMORY_MCP_DATA_DIR", dir.resolve("data").toString())
        .build(), McpJsonDefaults.getMapper());
    transport.setStdErrorHandler(stderr::add);
    McpSyncClient client = McpClient.sync(transport)
        .initializationTimeout(Duration.ofSeconds(120))
        .requestTimeout(Duration.ofSeconds(60))
        .build();
    try {
      McpSchema.InitializeResult init = client.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("memory-service");
      assertThat(init.capabilities().tools()).isNotNull();

      List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      assertThat(names).contains("remember", "recall", "forget", "get_context");

      String fact = "The staging database runs PostgreSQL 16 on port 5433";
      McpSchema.CallToolResult remembered = client.callTool(new McpSchema.CallToolRequest("remember",
          Map.of("content", fact, "type", "fact", "tags", List.of("db"))));
      assertThat(remembered.isError()).as(text(remembered)).isFalse();
      String id = (String) ((Map<?, ?>) remembered.structuredContent()).get("id");
      assertThat(id).isNotBlank();

      McpSchema.CallToolResult recalled = client.callTool(new McpSchema.CallToolRequest("recall",
          Map.of("query", "which port does the staging database use?")));
      assertThat(recalled.isError()).as(text(recalled)).isFalse();
      assertThat(text(recalled)).contains(fact).contains(id);

      McpSchema.CallToolResult forgot = client.callTool(new McpSchema.CallToolRequest("forget", Map.of("id", id)));
      assertThat(forgot.isError()).as(text(forgot)).isFalse();
      McpSchema.CallToolResult after = client.callTool(new McpSchema.CallToolRequest("recall",
          Map.of("query", "staging database port")));
      assertThat(after.isError()).as(text(after)).isFalse();
      assertThat(text(after)).doesNotContain(id);

      McpSchema.CallToolResult bad = client.callTool(new McpSchema.CallToolRequest("remember",
          Map.of("content", "importance out of range", "importance", 1.5)));
      assertThat(bad.isError()).isTrue();
      assertThat(text(bad)).contains("importance");
    } finally {
      client.closeGracefully();
    }
    Process server = serverProcess(transport);
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("server ended after the client closed").isTrue();
    assertThat(server.exitValue()).as(String.join("\n", stderr)).isZero();
  }

  @Test
  @DisplayName("stdin closed: the server stops cleanly and exits 0; stdout carries only JSON-RPC lines, logs go to stderr")
  void stdinCloseStopsCleanly() throws Exception {
    Path log = dir.resolve("stderr.log");
    ProcessBuilder pb = new ProcessBuilder(java(), "-jar", ServerProcess.jar().toString(), "mcp-stdio")
        .redirectError(log.toFile());
    pb.environment().put("MEMORY_MCP_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("MEMORY_MCP_MCP_PERSONA", "alice");
    Process p = pb.start();
    try {
      OutputStream in = p.getOutputStream();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      send(in, new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "initialize")
          .put("params", new JsonObject().put("protocolVersion", "2025-06-18").put("capabilities", new JsonObject())
              .put("clientInfo", new JsonObject().put("name", "it").put("version", "1"))));
      JsonObject init = new JsonObject(out.readLine());
      assertThat(init.getJsonObject("result").getJsonObject("serverInfo").getString("name")).isEqualTo("memory-service");
      send(in, new JsonObject().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
      send(in, new JsonObject().put("jsonrpc", "2.0").put("id", 2).put("method", "tools/list"));
      JsonObject list = new JsonObject(out.readLine());
      assertThat(list.getInteger("id")).isEqualTo(2);
      assertThat(list.getJsonObject("result").getJsonArray("tools")).isNotEmpty();
      in.close();
      String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited after stdin closed").isTrue();
      String err = Files.readString(log);
      assertThat(p.exitValue()).as(err).isZero();
      assertThat(rest).as("nothing but protocol messages on stdout").isBlank();
      assertThat(err).contains("namespace alice").contains("storage closed cleanly").contains("stopped cleanly");
    } finally {
      p.destroyForcibly();
    }
  }

  private static void send(OutputStream in, JsonObject msg) throws Exception {
    in.write((msg.encode() + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** The SDK keeps the child process private; its exit code is what this test is about. */
  private static Process serverProcess(StdioClientTransport transport) throws Exception {
    var f = StdioClientTransport.class.getDeclaredField("process");
    f.setAccessible(true);
    return (Process) f.get(transport);
  }
}
