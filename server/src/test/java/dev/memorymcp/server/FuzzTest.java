package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of generated malformed requests over every REST route and MCP tool: wrong types, sizes,
 * nesting, invalid UTF-8, lone surrogates, NUL, FTS query syntax, odd header values and keys.
 * Asserts no 5xx, an error body in JSON for every 4xx, the server still answering, and nothing
 * written that was not acknowledged. Seeded ({@code -Dfuzz.seed=N} repeats a run), bounded to
 * {@link #SECONDS} seconds and {@link #MAX_REQUESTS} requests.
 */
@DisplayName("fuzz: malformed requests over every route and tool")
class FuzzTest {
  static final int SECONDS = Integer.getInteger("fuzz.seconds", 40);
  static final int MAX_REQUESTS = Integer.getInteger("fuzz.requests", 4000);
  static final String ADMIN = "bootstrap-admin-key-for-fuzzing-0123456789abcdef";
  static final String NS = "fuzz";
  @TempDir
  static Path dir;
  static TestServer server;
  static String member;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)
        .put("rate_limit.requests", 0).put("ingest.worker", false)).start();
    member = server.call("POST", "/api/v1/admin/keys", null, new JsonObject().put("name", "fuzz-member").put("role", "member")
        .put("namespaces", new JsonArray().add(NS)).encode(), Map.of("Authorization", "Bearer " + ADMIN)).json().getString("key");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** One route: method, path (with {id}), and a valid body to mutate (null: no body). */
  record Route(String method, String path, JsonObject valid) {}

  static final List<Route> ROUTES = List.of(
      new Route("POST", "/api/v1/memories", new JsonObject().put("content", "fuzz seed memory").put("type", "note")
          .put("tags", new JsonArray().add("a")).put("importance", 0.5).put("metadata", new JsonObject().put("k", "v"))),
      new Route("POST", "/api/v1/memories:batch", new JsonObject().put("memories", new JsonArray()
          .add(new JsonObject().put("content", "fuzz batch one")).add(new JsonObject().put("content", "fuzz batch two")))),
      new Route("GET", "/api/v1/memories?type=note&limit=5&tags=a", null),
      new Route("GET", "/api/v1/memories/{id}", null),
      new Route("PATCH", "/api/v1/memories/{id}", new JsonObject().put("importance", 0.7).put("tags", new JsonArray().add("b"))),
      new Route("PATCH", "/api/v1/memories/{id}", new JsonObject().put("add_tags", new JsonArray().add("a")).put("remove_tags", new JsonArray().add("b"))),
      new Route("DELETE", "/api/v1/memories/{id}", null),
      new Route("DELETE", "/api/v1/memories?query={q}", null),
      new Route("GET", "/api/v1/memories/{id}/history", null),
      new Route("POST", "/api/v1/search", new JsonObject().put("query", "fuzz").put("limit", 5)
          .put("filters", new JsonObject().put("types", new JsonArray().add("note")).put("min_importance", 0.1))),
      new Route("GET", "/api/v1/search?query={q}&search_type=keyword", null),
      new Route("POST", "/api/v1/relations", new JsonObject().put("source_id", "{id}").put("target_id", "{id2}")
          .put("relation_type", "related_to")),
      new Route("GET", "/api/v1/context?query={q}&max_tokens=500", null),
      new Route("POST", "/api/v1/chat/context", new JsonObject().put("message", "what did I say about fuzzing?")
          .put("recent", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")))
          .put("max_tokens", 300)),
      new Route("POST", "/api/v1/ingest", new JsonObject().put("session_id", "s1").put("messages", new JsonArray()
          .add(new JsonObject().put("role", "user").put("content", "I prefer fuzzing on Fridays")))),
      new Route("GET", "/api/v1/ingest/{id}", null),
      new Route("POST", "/api/v1/admin/keys", new JsonObject().put("name", "fz").put("role", "viewer")
          .put("namespaces", new JsonArray().add(NS))),
      new Route("GET", "/api/v1/admin/keys", null),
      new Route("DELETE", "/api/v1/admin/keys/{id}", null),
      new Route("GET", "/api/v1/admin/audit-logs?actor={q}&limit=3", null),
      new Route("POST", "/api/v1/admin/migrate", new JsonObject().put("source", "sqlite").put("target", "sqlite")),
      new Route("GET", "/api/v1/admin/migrate/{id}", null),
      new Route("POST", "/api/v1/admin/cleanup", null),
      new Route("POST", "/api/v1/admin/rebuild", new JsonObject().put("batch_size", 8)),
      new Route("GET", "/api/v1/admin/rebuild", null),
      new Route("GET", "/api/v1/categories?scope_id={q}", null),
      new Route("GET", "/api/v1/tags?scope_id={q}", null),
      new Route("GET", "/api/v1/projects", null),
      new Route("GET", "/api/v1/namespaces", null),
      new Route("GET", "/api/v1/memories/{id}/relations", null),
      new Route("GET", "/api/v1/ingest?status={q}&limit=5", null),
      new Route("GET", "/metrics", null),
      new Route("GET", "/api/v1/duplicates?threshold={q}&limit=5", null),
      new Route("POST", "/api/v1/memories:merge", new JsonObject().put("ids", new JsonArray().add("{id}").add("m2"))),
      new Route("POST", "/api/v1/memories/{id}/restore", new JsonObject().put("event_seq", 1)),
      new Route("POST", "/api/v1/admin/clean", new JsonObject().put("confirm", false)),
      new Route("GET", "/api/v1/graph?format={q}&limit=20", null),
      new Route("GET", "/api/v1/stats?scope_id={q}", null),
      new Route("POST", "/api/v1/import?namespace=" + NS, null),
      new Route("GET", "/api/v1/export?namespace={q}", null),
      new Route("POST", "/mcp", null));

  static final List<String> TOOLS = List.of("remember", "recall", "forget", "relate", "update_memory", "list_memories",
      "memory_history", "get_context", "get_project_rules", "ingest_conversation", "ingest_status",
      "migrate_sqlite_to_qdrant", "migrate_qdrant_to_sqlite", "migration_status", "no_such_tool");

  static final String[] NASTY = {"", " ", "\u0000", "a\u0000b", "\ud800", "\udfff\ud800", "\"", "*", "NEAR(a b)",
      "a AND OR NOT b", "\"unterminated", "col:val", "^x", "(((", "' OR 1=1 --", "%00", "%", "../../etc/passwd",
      "\u202e\u200b", "東京^", "ラーメン*", "🙂", "\\", "{}", "[]", "null", "x".repeat(5000)};

  final long seed = Long.getLong("fuzz.seed", System.nanoTime());
  final Random rnd = new Random(seed);
  final Set<String> acknowledged = new HashSet<>();
  final List<String> knownIds = new ArrayList<>(List.of("nope"));
  final Map<Integer, Integer> statuses = new TreeMap<>();

  @Test
  @DisplayName("no 5xx, JSON errors, the server keeps answering, nothing written that was not acknowledged")
  void fuzz() throws Exception {
    System.err.println("fuzz seed: " + seed + " (repeat with -Dfuzz.seed=" + seed + ")");
    for (int i = 0; i < 5; i++) { // a few real memories so that ids resolve
      send(ROUTES.get(0), ROUTES.get(0).valid.copy().put("content", "fuzz seed memory " + i).encode().getBytes(StandardCharsets.UTF_8),
          member, NS, "none");
    }
    long end = System.nanoTime() + SECONDS * 1_000_000_000L;
    int n = 0;
    while (n < MAX_REQUESTS && System.nanoTime() < end) {
      Route route = ROUTES.get(rnd.nextInt(ROUTES.size()));
      if (rnd.nextInt(12) == 0) {
        rawHeaderFuzz(route);
      } else if (route.path.equals("/mcp")) {
        mcpCall();
      } else {
        send(route, body(route), key(), persona(), "mutated");
      }
      if (++n % 100 == 0) {
        assertThat(server.get("/health/live", null).status()).as("alive after " + n + " requests").isEqualTo(200);
      }
    }
    System.err.println("fuzz: " + n + " requests, statuses " + statuses);
    assertThat(n).isGreaterThan(300);
    assertThat(server.get("/health", null).status()).isEqualTo(200);
    // nothing half-written: every stored memory in the fuzzed namespaces was acknowledged to a client
    for (String ns : List.of(NS, "default")) {
      Set<String> stored = new HashSet<>();
      String cursor = null;
      do {
        TestServer.Resp page = server.call("GET", "/api/v1/memories?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), ns, null,
            Map.of("Authorization", "Bearer " + ADMIN));
        page.json().getJsonArray("memories").forEach(o -> stored.add(((JsonObject) o).getString("id")));
        cursor = page.json().getString("next_cursor");
      } while (cursor != null);
      assertThat(acknowledged).as("namespace " + ns).containsAll(stored);
    }
  }

  String key() {
    return switch (rnd.nextInt(10)) {
      case 0 -> null;
      case 1 -> "mk_" + "0".repeat(12) + "_" + "x".repeat(43);
      case 2 -> pick(NASTY).replaceAll("[\\u0000-\\u001f\\u007f-\\uffff]", "?");
      case 3, 4 -> ADMIN;
      default -> member;
    };
  }

  String persona() {
    return switch (rnd.nextInt(8)) {
      case 0 -> null;
      case 1 -> URLEncoder.encode(pick(NASTY), StandardCharsets.UTF_8);
      case 2 -> "other";
      case 3 -> "%E3%83";
      default -> NS;
    };
  }

  String pick(String[] a) {
    return a[rnd.nextInt(a.length)];
  }

  Object value(int depth) {
    return switch (rnd.nextInt(depth > 2 ? 6 : 9)) {
      case 0 -> null;
      case 1 -> rnd.nextBoolean();
      case 2 -> rnd.nextInt(5) == 0 ? Long.MAX_VALUE : rnd.nextInt(2001) - 1000;
      case 3 -> rnd.nextDouble() * 4 - 2;
      case 4, 5 -> pick(NASTY);
      case 6 -> {
        JsonArray a = new JsonArray();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          a.add(value(depth + 1));
        }
        yield rnd.nextInt(10) == 0 ? new JsonArray(java.util.Collections.nCopies(300, "t")) : a;
      }
      default -> {
        JsonObject o = new JsonObject();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          o.put(rnd.nextBoolean() ? pick(NASTY) : "content", value(depth + 1));
        }
        yield o;
      }
    };
  }

  byte[] body(Route route) {
    switch (rnd.nextInt(10)) {
      case 0: return new byte[0];
      case 1: return new byte[] {(byte) 0xC3, (byte) 0x28, '{', (byte) 0xFF, '}'}; // invalid UTF-8
      case 2: return ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8); // deep nesting
      case 3: return String.valueOf(value(0)).getBytes(StandardCharsets.UTF_8);
      default:
        if (route.path.startsWith("/api/v1/import")) {
          return ("{\"format\":\"memory-export\",\"version\":1,\"model\":\"e5-small-v2-q\"}\n" + value(0) + "\n"
              + new JsonObject().put("namespace", NS).put("id", pick(NASTY)).put("memory", value(1)).encode())
              .getBytes(StandardCharsets.UTF_8);
        }
        JsonObject b = route.valid == null ? new JsonObject() : route.valid.copy();
        List<String> fields = new ArrayList<>(b.fieldNames());
        String f = fields.isEmpty() || rnd.nextInt(4) == 0 ? pick(NASTY) : fields.get(rnd.nextInt(fields.size()));
        b.put(f, value(0));
        String text = b.encode().replace("{id}", id()).replace("{id2}", id());
        if (rnd.nextInt(5) == 0) { // a lone surrogate or a NUL as JSON escapes, which encode() never writes
          text = text.replaceFirst("\"fuzz", rnd.nextBoolean() ? "\"\\\\ud800fuzz" : "\"\\\\u0000fuzz").replace("\\\\\\\\", "\\\\");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
  }

  String id() {
    return rnd.nextInt(3) == 0 ? URLEncoder.encode(pick(NASTY), StandardCharsets.UTF_8) : knownIds.get(rnd.nextInt(knownIds.size()));
  }

  void send(Route route, byte[] body, String key, String persona, String what) throws Exception {
    String path = route.path.replace("{id}", id()).replace("{q}", URLEncoder.encode(pick(NASTY), StandardCharsets.UTF_8));
    HttpRequest request;
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
          .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
          .method(route.method, route.valid == null && !route.path.startsWith("/api/v1/import") && body.length == 0
              ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      if (key != null) {
        boolean bearer = rnd.nextBoolean();
        boolean valid = key.equals(ADMIN) || key.equals(member);
        // a valid key mostly sent the right way, so that requests get past the door to the handlers
        b.header(bearer ? "Authorization" : "X-API-Key", bearer && (!valid || rnd.nextInt(8) > 0) ? "Bearer " + key : key);
      }
      if (persona != null) {
        b.header("X-Persona", persona);
      }
      request = b.build();
    } catch (IllegalArgumentException e) { // the client itself refuses such a header or URI: raw fuzzing covers those
      return;
    }
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    check(route.method + " " + path + " (" + what + ")", r.statusCode(), r.body(), route.path);
    boolean json = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
    if (r.statusCode() / 100 == 2 && json) {
      JsonObject j = new JsonObject(r.body());
      if (j.getString("id") != null) {
        acknowledged.add(j.getString("id"));
        knownIds.add(j.getString("id"));
      }
      j.getJsonArray("results", new JsonArray()).forEach(o -> {
        if (o instanceof JsonObject res && res.getString("id") != null) {
          acknowledged.add(res.getString("id"));
        }
      });
      if (j.getString("job_id") != null) {
        knownIds.add(j.getString("job_id"));
      }
    }
  }

  void check(String what, int status, String body, String route) {
    statuses.merge(status, 1, Integer::sum);
    boolean migrationStoreDown = route.startsWith("/api/v1/admin/migrate") && status == 503 && body.contains("STORE_UNAVAILABLE");
    assertThat(status < 500 || migrationStoreDown).as(what + " → " + status + " " + body).isTrue();
    // 414/431: the HTTP codec refuses an over-long request line or header (over 4 KiB / 8 KiB) before
    // any handler runs, with an empty body; every other error carries the JSON error body
    boolean codecRefusal = (status == 414 || status == 431) && body.isEmpty();
    if (status >= 400 && !route.startsWith("/api/v1/export") && !codecRefusal) {
      JsonObject j;
      try {
        j = new JsonObject(body);
      } catch (RuntimeException e) {
        throw new AssertionError(what + " → " + status + " with a body that is not JSON: " + body);
      }
      assertThat(j.getValue("error")).as(what + " → " + body).isNotNull();
    }
  }

  void mcpCall() throws Exception {
    String tool = TOOLS.get(rnd.nextInt(TOOLS.size()));
    Object args = rnd.nextInt(6) == 0 ? value(0) : randomArgs();
    JsonObject params = McpHttpProtocolTest.meta().put("name", tool).put("arguments", args);
    JsonObject req = new JsonObject().put("jsonrpc", "2.0").put("id", rnd.nextInt(1000)).put("method", "tools/call").put("params", params);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/mcp"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/call").header("Mcp-Name", tool).header("X-Persona", NS)
        .header("Authorization", "Bearer " + (rnd.nextInt(4) == 0 ? ADMIN : member))
        .POST(HttpRequest.BodyPublishers.ofString(req.encode()));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    statuses.merge(r.statusCode(), 1, Integer::sum);
    assertThat(r.statusCode()).as("MCP " + tool + " " + args + " → " + r.body()).isLessThan(500);
    JsonObject j = new JsonObject(r.body());
    assertThat(j.containsKey("result") || j.containsKey("error")).as(r.body()).isTrue();
    JsonObject result = j.getJsonObject("result");
    if (result != null && !result.getBoolean("isError", false) && result.getJsonObject("structuredContent") != null) {
      JsonObject sc = result.getJsonObject("structuredContent");
      if (sc.getString("id") != null) {
        acknowledged.add(sc.getString("id"));
        knownIds.add(sc.getString("id"));
      }
    }
  }

  JsonObject randomArgs() {
    JsonObject a = new JsonObject();
    String[] fields = {"content", "query", "id", "limit", "filters", "type", "confirm", "source_id", "target_id",
        "relation_type", "messages", "job_id", "cursor", "tags", "importance", "search_type", "max_tokens", pick(NASTY)};
    for (int i = rnd.nextInt(4); i >= 0; i--) {
      String f = fields[rnd.nextInt(fields.length)];
      a.put(f, f.endsWith("id") && rnd.nextBoolean() ? id() : value(1));
    }
    return a;
  }

  /** Header bytes no well-behaved client sends (non-ASCII, NUL, overlong), over a raw socket. */
  void rawHeaderFuzz(Route route) throws Exception {
    String path = route.path.replace("{id}", "x").replace("{q}", "x");
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    req.write((route.method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 2\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    String[] names = {"X-Persona", "Authorization", "X-API-Key", "Idempotency-Key", "MCP-Protocol-Version", "Origin"};
    req.write((pick(names) + ": ").getBytes(StandardCharsets.US_ASCII));
    req.write(switch (rnd.nextInt(4)) {
      case 0 -> "ニロウ".getBytes(StandardCharsets.UTF_8);
      case 1 -> new byte[] {(byte) 0xE3, (byte) 0x83, 'x'};
      case 2 -> "Bearer ".concat("k".repeat(6000)).getBytes(StandardCharsets.US_ASCII);
      default -> new byte[] {'a', 0, 'b', (byte) 0x7F};
    });
    req.write("\r\nAuthorization: Bearer ".getBytes(StandardCharsets.US_ASCII));
    req.write(member.getBytes(StandardCharsets.US_ASCII));
    req.write("\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(60_000);
      s.getOutputStream().write(req.toByteArray());
      String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (reply.isEmpty()) { // the server may drop a request it cannot parse; it must keep serving others
        return;
      }
      int status = Integer.parseInt(reply.substring(9, 12));
      String body = reply.contains("\r\n\r\n") ? reply.substring(reply.indexOf("\r\n\r\n") + 4) : "";
      if (reply.toLowerCase().contains("transfer-encoding: chunked")) {
        body = body.replaceAll("(?m)^[0-9a-fA-F]+\r$\n?", "").strip();
      }
      statuses.merge(status, 1, Integer::sum);
      assertThat(status).as("raw " + route.path + " → " + reply).isLessThan(500);
      if (status >= 400 && status != 431 && !body.isBlank()) {
        assertThat(body.strip()).as("raw " + route.path + " → " + reply).startsWith("{");
      }
    }
  }
}
