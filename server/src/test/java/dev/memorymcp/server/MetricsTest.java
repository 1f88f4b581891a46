package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /metrics after real traffic: HTTP by route template, MCP tool calls, search stages, embedding
 * model calls, dedupe decisions, store size, JVM; admin only. (interop/dashboard/check.mjs parses the
 * same output with a Prometheus text-format parser in CI.)
 */
@DisplayName("metrics (Prometheus)")
class MetricsTest {
  static final String ADMIN = "bootstrap-admin-key-for-metrics-0123456789ab";
  @TempDir
  static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static TestServer.Resp as(String key, String method, String path, String body) throws Exception {
    return server.call(method, path, "met", body, Map.of("Authorization", "Bearer " + key));
  }

  @Test
  @DisplayName("traffic shows up under its route, tool, stage and decision; a member key gets 403")
  void afterTraffic() throws Exception {
    String id = as(ADMIN, "POST", "/api/v1/memories", new JsonObject().put("content", "Metrics test: the cache is Redis").encode())
        .json().getString("id");
    as(ADMIN, "POST", "/api/v1/memories", new JsonObject().put("content", "Metrics test: the cache is Redis").encode());
    as(ADMIN, "GET", "/api/v1/memories/" + id, null);
    as(ADMIN, "POST", "/api/v1/search", new JsonObject().put("query", "which cache do we use").encode());
    // one tool call in the stateless era (no session needed)
    TestServer.Resp mcp = server.call("POST", "/mcp/met", null, new JsonObject().put("jsonrpc", "2.0").put("id", 1)
        .put("method", "tools/call").put("params", McpHttpProtocolTest.meta().put("name", "recall")
            .put("arguments", new JsonObject().put("query", "cache"))).encode(), Map.of(
        "Authorization", "Bearer " + ADMIN, "Accept", "application/json, text/event-stream",
        "MCP-Protocol-Version", McpHttpProtocolTest.MODERN, "Mcp-Method", "tools/call", "Mcp-Name", "recall",
        "Content-Type", "application/json"));
    assertThat(mcp.status()).as(mcp.text()).isEqualTo(200);
    TestServer.Resp r = as(ADMIN, "GET", "/metrics", null);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    String text = r.text();
    // routes as templates, never the id itself
    assertThat(text).containsPattern("vertx_http_server_requests_total\\{[^}]*route=\"/api/v1/memories/:id\"");
    assertThat(text).doesNotContain(id);
    assertThat(count(text, "memory_search_seconds_count", "search_type=\"hybrid\"")).isGreaterThanOrEqualTo(1);
    assertThat(text).contains("memory_search_stage_seconds_count{").contains("stage=\"embed\"");
    assertThat(count(text, "memory_embedding_model_call_seconds_count", "")).isGreaterThanOrEqualTo(2);
    assertThat(text).contains("memory_embedding_batch_texts_bucket");
    assertThat(count(text, "memory_dedupe_decisions_total", "action=\"merge\"")).isGreaterThanOrEqualTo(1);
    assertThat(text).contains("memory_store_memories").contains("memory_ingest_queue_depth").contains("jvm_memory_used_bytes");
    assertThat(count(text, "memory_mcp_tool_call_seconds_count", "tool=\"recall\"")).isGreaterThanOrEqualTo(1);
    String member = as(ADMIN, "POST", "/api/v1/admin/keys", new JsonObject().put("name", "m").put("role", "member")
        .put("namespaces", new JsonArray().add("met")).encode()).json().getString("key");
    assertThat(as(member, "GET", "/metrics", null).status()).isEqualTo(403);
    assertThat(server.call("GET", "/metrics", null, null, Map.of()).status()).isEqualTo(401);
  }

  /** The value of the first sample of {@code name} whose labels contain {@code labelPart}. */
  static double count(String text, String name, String labelPart) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
    while (m.find()) {
      if (m.group(1) == null ? labelPart.isEmpty() : m.group(1).contains(labelPart)) {
        return Double.parseDouble(m.group(2));
      }
    }
    return -1;
  }
}
