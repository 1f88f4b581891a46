package dev.memorymcp.bench;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MCP {@code recall} (the official Java SDK client over Streamable HTTP, one session) against REST
 * {@code POST /api/v1/search} (hybrid, the recall default) on the same namespace with the same
 * queries, alternating one call of each so both see the same machine state. The REST query gets a
 * trailing space so the service's embedding cache never answers it from the MCP call just before.
 */
final class McpScenario {
  private final Http http;
  private final String persona;

  McpScenario(Http http, String persona) {
    this.http = http;
    this.persona = persona;
  }

  JsonObject run(int queries, int warmup) throws IOException, InterruptedException {
    var transport = HttpClientStreamableHttpTransport.builder(http.url).endpoint("/mcp")
        .requestBuilder(Http.authorized(HttpRequest.newBuilder().header("X-Persona", persona))).build();
    List<Double> viaMcp = new ArrayList<>();
    List<Double> viaRest = new ArrayList<>();
    Corpus corpus = new Corpus(7);
    try (McpSyncClient mcp = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build()) {
      mcp.initialize();
      for (int i = 0; i < warmup + queries; i++) {
        String q = corpus.query(50_000_000L + i); // numbers the latency scenario never uses
        long t0 = System.nanoTime();
        McpSchema.CallToolResult r = mcp.callTool(new McpSchema.CallToolRequest("recall", Map.of("query", q, "limit", 10)));
        double mcpMs = (System.nanoTime() - t0) / 1e6;
        if (Boolean.TRUE.equals(r.isError())) {
          throw new IOException("MCP recall failed: " + r.content());
        }
        t0 = System.nanoTime();
        http.post("/api/v1/search", persona, new JsonObject().put("query", q + " ").put("limit", 10), 200);
        double restMs = (System.nanoTime() - t0) / 1e6;
        if (i >= warmup) {
          viaMcp.add(mcpMs);
          viaRest.add(restMs);
        }
      }
    }
    JsonObject mcp = Stats.summary(viaMcp);
    JsonObject rest = Stats.summary(viaRest);
    JsonObject out = new JsonObject().put("persona", persona).put("mcp_recall_ms", mcp).put("rest_search_ms", rest)
        .put("mcp_overhead_p50_ms", Stats.round(mcp.getDouble("p50") - rest.getDouble("p50")));
    System.out.printf("%n== MCP recall against REST search (same namespace, same queries, %d pairs) ==%n", queries);
    System.out.printf("%-34s %s%n%-34s %s%n%-34s %s%n", "", "p50 / p95 / p99 ms", "MCP recall (Streamable HTTP, SDK)",
        Stats.cell(mcp), "REST POST /api/v1/search", Stats.cell(rest));
    return out;
  }
}
