package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /mcp endpoint on the wire, both protocol eras, with raw HTTP requests against the whole service. */
@DisplayName("MCP Streamable HTTP protocol")
class McpHttpProtocolTest {
  static final String MODERN = "2026-07-28";
  static final String META = "io.modelcontextprotocol/protocolVersion";
  @TempDir
  static Path dir;
  static TestServer server;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("server.body_limit", 65_536)
        .put("mcp.session_idle_minutes", 0.05)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  record Resp(int status, String body, HttpResponse<String> raw) {
    JsonObject json() {
      return new JsonObject(body);
    }

    int errorCode() {
      return json().getJsonObject("error").getInteger("code");
    }
  }

  static Resp send(String method, String path, Map<String, String> headers, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(60)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream");
    headers.forEach(b::header);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Resp(r.statusCode(), r.body(), r);
  }

  static Map<String, String> h(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static String request(Object id, String method, JsonObject params) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id).put("method", method).put("params", params).encode();
  }

  static String initialize() {
    return request(1, "initialize", new JsonObject().put("protocolVersion", "2025-06-18")
        .put("capabilities", new JsonObject()).put("clientInfo", new JsonObject().put("name", "raw").put("version", "1")));
  }

  /** Initializes a session-era session and returns its id. */
  static String session(String path, Map<String, String> headers) throws Exception {
    Resp r = send("POST", path, headers, initialize());
    assertThat(r.status()).isEqualTo(200);
    String id = r.raw().headers().firstValue("Mcp-Session-Id").orElseThrow();
    Map<String, String> hs = new LinkedHashMap<>(headers);
    hs.put("Mcp-Session-Id", id);
    hs.put("MCP-Protocol-Version", "2025-06-18");
    assertThat(send("POST", path, hs, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").status())
        .isEqualTo(202);
    return id;
  }

  static Map<String, String> sessionHeaders(String id) {
    return h("Mcp-Session-Id", id, "MCP-Protocol-Version", "2025-06-18");
  }

  static JsonObject meta() {
    return new JsonObject().put("_meta", new JsonObject().put(META, MODERN)
        .put("io.modelcontextprotocol/clientInfo", new JsonObject().put("name", "raw").put("version", "1"))
        .put("io.modelcontextprotocol/clientCapabilities", new JsonObject()));
  }

  static Resp modern(String path, String method, String name, JsonObject params, String... extra) throws Exception {
    Map<String, String> hs = h("MCP-Protocol-Version", MODERN, "Mcp-Method", method);
    if (name != null) {
      hs.put("Mcp-Name", name);
    }
    hs.putAll(h(extra));
    return send("POST", path, hs, request(7, method, params));
  }

  static Resp call(String path, String tool, JsonObject args, String... extra) throws Exception {
    return modern(path, "tools/call", tool, meta().put("name", tool).put("arguments", args), extra);
  }

  @Nested
  @DisplayName("session era (2025-03-26 .. 2025-11-25)")
  class SessionEra {
    @Test
    void initializeReturnsSessionIdAndResult() throws Exception {
      Resp r = send("POST", "/mcp", h(), initialize());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.raw().headers().firstValue("Mcp-Session-Id")).isPresent();
      JsonObject result = r.json().getJsonObject("result");
      assertThat(result.getString("protocolVersion")).isEqualTo("2025-06-18");
      assertThat(result.getJsonObject("serverInfo").getString("name")).isEqualTo("memory-service");
      assertThat(result.getJsonObject("capabilities").containsKey("tools")).isTrue();
      assertThat(result.getString("instructions")).isNotBlank();
    }

    @Test
    void toolsListAnswersJson() throws Exception {
      String id = session("/mcp", h());
      Resp r = send("POST", "/mcp", sessionHeaders(id), request(2, "tools/list", new JsonObject()));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
      assertThat(r.json().getJsonObject("result").getJsonArray("tools").size()).isPositive();
    }

    @Test
    void missingSessionIs400() throws Exception {
      Resp r = send("POST", "/mcp", h("MCP-Protocol-Version", "2025-06-18"), request(2, "tools/list", new JsonObject()));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().getJsonObject("error")).isNotNull();
    }

    @Test
    void unknownSessionIs404() throws Exception {
      Resp r = send("POST", "/mcp", sessionHeaders("no-such-session"), request(2, "tools/list", new JsonObject()));
      assertThat(r.status()).isEqualTo(404);
    }

    @Test
    void deleteEndsTheSession() throws Exception {
      String id = session("/mcp", h());
      assertThat(send("DELETE", "/mcp", sessionHeaders(id), null).status()).isEqualTo(200);
      assertThat(send("POST", "/mcp", sessionHeaders(id), request(3, "tools/list", new JsonObject())).status())
          .isEqualTo(404);
      assertThat(send("DELETE", "/mcp", sessionHeaders(id), null).status()).isEqualTo(404);
    }

    @Test
    void unsupportedProtocolVersionIs400() throws Exception {
      String id = session("/mcp", h());
      Resp r = send("POST", "/mcp", h("Mcp-Session-Id", id, "MCP-Protocol-Version", "1999-01-01"),
          request(2, "tools/list", new JsonObject()));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errorCode()).isEqualTo(-32022);
      assertThat(r.json().getJsonObject("error").getJsonObject("data").getJsonArray("supported"))
          .contains(MODERN, "2025-11-25", "2025-06-18", "2025-03-26");
    }

    @Test
    void absentProtocolVersionMeans20250326() throws Exception {
      String id = session("/mcp", h());
      Resp r = send("POST", "/mcp", h("Mcp-Session-Id", id), request(2, "tools/list", new JsonObject()));
      assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void getOpensAnSseStream() throws Exception {
      String id = session("/mcp", h());
      HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/mcp"))
          .header("Accept", "text/event-stream").header("Mcp-Session-Id", id)
          .header("MCP-Protocol-Version", "2025-06-18").GET().build();
      HttpResponse<InputStream> r = HTTP.send(get, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      }
      assertThat(send("GET", "/mcp", h("Accept", "text/event-stream"), null).status()).isEqualTo(400);
    }

    @Test
    void idleSessionsAreClosed() throws Exception {
      String id = session("/mcp", h());
      Thread.sleep(6_000); // idle limit 0.05 min = 3 s, swept every 1.5 s
      assertThat(send("POST", "/mcp", sessionHeaders(id), request(2, "tools/list", new JsonObject())).status())
          .isEqualTo(404);
    }

    @Test
    void responsesAndNotificationsAre202() throws Exception {
      String id = session("/mcp", h());
      Resp r = send("POST", "/mcp", sessionHeaders(id),
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":99}}");
      assertThat(r.status()).isEqualTo(202);
      assertThat(r.body()).isEmpty();
      // the server then asks the client for its roots, which fails without a GET stream: still accepted
      assertThat(send("POST", "/mcp", sessionHeaders(id),
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}").status()).isEqualTo(202);
      Resp late = send("POST", "/mcp", sessionHeaders(id), "{\"jsonrpc\":\"2.0\",\"id\":\"x-1\",\"result\":{}}");
      assertThat(late.status()).isEqualTo(202);
    }

    @Test
    void unknownToolIsJsonRpcError() throws Exception {
      String id = session("/mcp", h());
      Resp r = send("POST", "/mcp", sessionHeaders(id), request(4, "tools/call",
          new JsonObject().put("name", "no_such_tool").put("arguments", new JsonObject())));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.errorCode()).isEqualTo(-32602);
    }
  }

  @Nested
  @DisplayName("both eras: security and framing")
  class Framing {
    @Test
    void foreignOriginIs403() throws Exception {
      Resp r = send("POST", "/mcp", h("Origin", "https://evil.example"), initialize());
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.json().containsKey("id")).isFalse();
      assertThat(r.json().getJsonObject("error").getString("message")).contains("Origin");
      assertThat(modern("/mcp", "server/discover", null, meta(), "Origin", "https://evil.example").status())
          .isEqualTo(403);
      assertThat(send("POST", "/mcp", h("Origin", "http://localhost:5173"), initialize()).status()).isEqualTo(200);
    }

    @Test
    void foreignHostIs421() throws Exception {
      assertThat(rawStatus("evil.example:80", initialize(), "")).isEqualTo(421);
      assertThat(rawStatus("evil.example", request(1, "server/discover", meta()),
          "MCP-Protocol-Version: " + MODERN + "\r\nMcp-Method: server/discover\r\n")).isEqualTo(421);
      assertThat(rawStatus("localhost:" + server.port(), initialize(), "")).isEqualTo(200);
    }

    @Test
    void malformedJsonIsParseError() throws Exception {
      Resp r = send("POST", "/mcp", h(), "{not json");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errorCode()).isEqualTo(-32700);
      Resp m = send("POST", "/mcp", h("MCP-Protocol-Version", MODERN, "Mcp-Method", "tools/list"), "{not json");
      assertThat(m.status()).isEqualTo(400);
      assertThat(m.errorCode()).isEqualTo(-32700);
    }

    @Test
    void oversizeBodyIs413Json() throws Exception {
      String big = "x".repeat(70_000);
      Resp r = send("POST", "/mcp", h(), request(1, "initialize", new JsonObject().put("pad", big)));
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.json().getString("jsonrpc")).isEqualTo("2.0");
      assertThat(r.json().getJsonObject("error").getString("message")).contains("65536");
    }

    @Test
    void invalidPersonaIs400() throws Exception {
      assertThat(send("POST", "/mcp", h("X-Persona", "../etc"), initialize()).status()).isEqualTo(400);
    }

    /** A raw HTTP/1.1 exchange, since java.net.http does not let us set Host. */
    int rawStatus(String host, String body, String extraHeaders) throws Exception {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        s.setSoTimeout(30_000);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
            + "Accept: application/json, text/event-stream\r\n" + extraHeaders + "Content-Length: " + b.length
            + "\r\nConnection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        return Integer.parseInt(status.substring(9, 12));
      }
    }
  }

  @Nested
  @DisplayName("stateless era (2026-07-28)")
  class Stateless {
    @Test
    void discover() throws Exception {
      Resp r = modern("/mcp", "server/discover", null, meta());
      assertThat(r.status()).isEqualTo(200);
      JsonObject res = r.json().getJsonObject("result");
      assertThat(res.getString("resultType")).isEqualTo("complete");
      assertThat(res.getJsonArray("supportedVersions")).contains(MODERN, "2025-11-25");
      assertThat(res.getJsonObject("capabilities").containsKey("tools")).isTrue();
      assertThat(res.getJsonObject("serverInfo").getString("name")).isEqualTo("memory-service");
      assertThat(res.getString("instructions")).isNotBlank();
      assertThat(res.getLong("ttlMs")).isPositive();
      assertThat(res.getString("cacheScope")).isNotBlank();
      assertThat(r.raw().headers().firstValue("Mcp-Session-Id")).isEmpty();
    }

    @Test
    void toolsList() throws Exception {
      Resp r = modern("/mcp", "tools/list", null, meta());
      assertThat(r.status()).isEqualTo(200);
      JsonObject res = r.json().getJsonObject("result");
      assertThat(res.getString("resultType")).isEqualTo("complete");
      assertThat(res.getLong("ttlMs")).isPositive();
      assertThat(res.getString("cacheScope")).isEqualTo("public");
      JsonArray tools = res.getJsonArray("tools");
      assertThat(tools.stream().map(t -> ((JsonObject) t).getString("name"))).contains("remember", "recall", "forget");
    }

    @Test
    void toolsCallAndUnknownTool() throws Exception {
      Resp r = call("/mcp", "remember", new JsonObject().put("content", "The stateless era stores memories too"),
          "X-Persona", "stateless-call");
      assertThat(r.status()).isEqualTo(200);
      JsonObject res = r.json().getJsonObject("result");
      assertThat(res.getString("resultType")).isEqualTo("complete");
      assertThat(res.getBoolean("isError")).isFalse();
      Resp bad = call("/mcp", "remember", new JsonObject());
      assertThat(bad.json().getJsonObject("result").getBoolean("isError")).isTrue();
      assertThat(bad.body()).contains("content");
      Resp unknown = call("/mcp", "no_such_tool", new JsonObject());
      assertThat(unknown.status()).isEqualTo(200);
      assertThat(unknown.errorCode()).isEqualTo(-32602);
    }

    @Test
    void headerMismatchesAre400() throws Exception {
      Resp method = send("POST", "/mcp", h("MCP-Protocol-Version", MODERN, "Mcp-Method", "tools/call"),
          request(1, "tools/list", meta()));
      assertThat(method.status()).isEqualTo(400);
      assertThat(method.errorCode()).isEqualTo(-32020);
      Resp missing = send("POST", "/mcp", h("MCP-Protocol-Version", MODERN), request(1, "tools/list", meta()));
      assertThat(missing.status()).isEqualTo(400);
      assertThat(missing.errorCode()).isEqualTo(-32020);
      Resp noVersion = send("POST", "/mcp", h("Mcp-Method", "tools/list"), request(1, "tools/list", meta()));
      assertThat(noVersion.status()).isEqualTo(400);
      assertThat(noVersion.errorCode()).isEqualTo(-32020);
      assertThat(noVersion.body()).contains("MCP-Protocol-Version header is required");
      Resp name = modern("/mcp", "tools/call", "recall", meta().put("name", "remember")
          .put("arguments", new JsonObject().put("content", "x")));
      assertThat(name.status()).isEqualTo(400);
      assertThat(name.errorCode()).isEqualTo(-32020);
      JsonObject oldMeta = meta();
      oldMeta.getJsonObject("_meta").put(META, "2025-11-25");
      Resp version = modern("/mcp", "tools/list", null, oldMeta);
      assertThat(version.status()).isEqualTo(400);
      assertThat(version.errorCode()).isEqualTo(-32020);
    }

    @Test
    void base64McpNameIsDecoded() throws Exception {
      Resp r = call("/mcp", "recall", new JsonObject().put("query", "anything"),
          "Mcp-Name", "=?base64?cmVjYWxs?=");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().getJsonObject("result").getString("resultType")).isEqualTo("complete");
    }

    @Test
    void unknownMethodIs404MethodNotFound() throws Exception {
      Resp r = modern("/mcp", "prompts/list", null, meta());
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.errorCode()).isEqualTo(-32601);
    }

    @Test
    void notificationIs202() throws Exception {
      Resp r = send("POST", "/mcp", h("MCP-Protocol-Version", MODERN, "Mcp-Method", "notifications/x"),
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}");
      assertThat(r.status()).isEqualTo(202);
      assertThat(r.body()).isEmpty();
    }

    @Test
    void getAndDeleteAre405() throws Exception {
      assertThat(send("GET", "/mcp", h("MCP-Protocol-Version", MODERN, "Accept", "text/event-stream"), null).status())
          .isEqualTo(405);
      assertThat(send("DELETE", "/mcp", h("MCP-Protocol-Version", MODERN), null).status()).isEqualTo(405);
    }

    @Test
    void personasIsolateData() throws Exception {
      String fact = "Persona isolation fact: the lighthouse keeper prefers oolong tea";
      assertThat(call("/mcp", "remember", new JsonObject().put("content", fact), "X-Persona", "alice-http").status())
          .isEqualTo(200);
      JsonObject query = new JsonObject().put("query", "lighthouse keeper oolong tea");
      assertThat(call("/mcp/alice-http", "recall", query).body()).contains("oolong");
      assertThat(call("/mcp", "recall", query, "X-Persona", "alice-http").body()).contains("oolong");
      assertThat(call("/mcp/bob-http", "recall", query).body()).doesNotContain("oolong");
      assertThat(call("/mcp", "recall", query).body()).doesNotContain("oolong");
      // the session era sees the same namespaces, through the path
      String id = session("/mcp/alice-http", h());
      Resp r = send("POST", "/mcp/alice-http", sessionHeaders(id), request(5, "tools/call",
          new JsonObject().put("name", "recall").put("arguments", query)));
      assertThat(r.body()).contains("oolong");
      String bob = session("/mcp/bob-http", h());
      Resp b = send("POST", "/mcp/bob-http", sessionHeaders(bob), request(5, "tools/call",
          new JsonObject().put("name", "recall").put("arguments", query)));
      assertThat(b.status()).isEqualTo(200);
      assertThat(b.body()).doesNotContain("oolong");
    }
  }
}
