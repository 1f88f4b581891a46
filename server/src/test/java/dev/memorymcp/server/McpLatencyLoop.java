package dev.memorymcp.server;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A measured loop (not a test): MCP {@code recall} over Streamable HTTP (the SDK's Java client,
 * one session) against REST {@code POST /api/v1/search}, same queries, same data, alternating.
 * Run with {@code -Ddata=DIR} pointing at a data dir filled by {@link LatencyLoop}.
 */
public final class McpLatencyLoop {
  public static void main(String[] args) throws Exception {
    Path data = Path.of(System.getProperty("data"));
    HttpClient http = HttpClient.newHttpClient();
    try (ServerProcess p = new ServerProcess(data)) {
      p.start(Map.of());
      var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + p.port).endpoint("/mcp").build();
      try (McpSyncClient mcp = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build()) {
        mcp.initialize();
        List<Double> viaMcp = new ArrayList<>();
        List<Double> viaRest = new ArrayList<>();
        for (int i = 0; i < 350; i++) {
          String q = "who " + LatencyLoop.DOES[i % LatencyLoop.DOES.length] + " "
              + LatencyLoop.WHAT[i % LatencyLoop.WHAT.length] + " " + i;
          long t0 = System.nanoTime();
          McpSchema.CallToolResult r = mcp.callTool(new McpSchema.CallToolRequest("recall", Map.of("query", q, "limit", 10)));
          double mcpMs = (System.nanoTime() - t0) / 1e6;
          if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException(r.content().toString());
          }
          t0 = System.nanoTime();
          HttpResponse<String> rest = http.send(HttpRequest.newBuilder(p.uri("/api/v1/search")).POST(
              HttpRequest.BodyPublishers.ofString(new JsonObject().put("query", q + " ").put("limit", 10).encode())).build(),
              HttpResponse.BodyHandlers.ofString());
          double restMs = (System.nanoTime() - t0) / 1e6;
          if (rest.statusCode() != 200) {
            throw new IllegalStateException(rest.body());
          }
          if (i >= 50) {
            viaMcp.add(mcpMs);
            viaRest.add(restMs);
          }
        }
        LatencyLoop.print("recall via MCP (HTTP)", viaMcp);
        LatencyLoop.print("search via REST", viaRest);
      }
      p.terminate();
    }
  }
}
