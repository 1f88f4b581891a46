package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.gateway.mcp.MemoryTools;
import dev.memorymcp.qdrantdouble.QdrantDouble;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration endpoints end to end: the whole service on SQLite, the Qdrant side on QdrantDouble
 * (the TEST DOUBLE of Qdrant's gRPC API on a loopback port; no Qdrant runs here), then a service on
 * the Qdrant backend serving what was copied, and the way back.
 */
@DisplayName("migration API: REST, server-sent events, MCP tools")
class MigrateApiTest {
  @TempDir
  Path dir;
  QdrantDouble qdrant;

  @BeforeEach
  void startQdrant() {
    qdrant = QdrantDouble.onLoopback(0);
  }

  @AfterEach
  void stopQdrant() {
    qdrant.close();
  }

  JsonObject cfg(String backend) {
    return new JsonObject().put("storage.backend", backend).put("qdrant.url", qdrant.url());
  }

  @Test
  @DisplayName("SQLite → Qdrant over REST with an SSE stream, a Qdrant-backed service serves it, and back to SQLite")
  void roundTrip() throws Exception {
    String updatedId;
    String deletedId;
    try (TestServer sqlite = new TestServer(dir.resolve("a"), cfg("sqlite")).start()) {
      sqlite.remember("mig-alice", "We deploy the billing service to the eu-west-3 region every Tuesday");
      String keep = sqlite.remember("mig-alice", "Alice prefers PostgreSQL 16 for new services").getString("id");
      updatedId = sqlite.remember("mig-alice", "The staging cluster runs Kubernetes 1.29").getString("id");
      deletedId = sqlite.remember("mig-alice", "A temporary note about the old VPN").getString("id");
      sqlite.remember("mig-bob", "ボブの好きな食べ物は寿司です");
      sqlite.remember("mig-bob", "プロジェクトの締め切りは三月末に決まった");
      assertThat(sqlite.call("PATCH", "/api/v1/memories/" + updatedId, "mig-alice",
          new JsonObject().put("content", "The staging cluster runs Kubernetes 1.30").encode()).status()).isEqualTo(200);
      assertThat(sqlite.post("/api/v1/relations", "mig-alice", new JsonObject().put("source_id", updatedId)
          .put("target_id", keep).put("relation_type", "related_to")).status()).isEqualTo(201);
      assertThat(sqlite.call("DELETE", "/api/v1/memories/" + deletedId, "mig-alice", null).status()).isEqualTo(200);

      TestServer.Resp started = sqlite.post("/api/v1/admin/migrate", null,
          new JsonObject().put("source", "sqlite").put("target", "qdrant").put("batch_size", 2));
      assertThat(started.status()).as(started.text()).isEqualTo(202);
      String id = started.json().getString("job_id");
      assertThat(started.headers().firstValue("Location")).contains("/api/v1/admin/migrate/" + id);

      List<String[]> events = sse(sqlite.port(), started.json().getString("events_url"));
      // a progress event whenever the state changed while the stream was open (none if the job
      // was already over when it connected), then done
      assertThat(events).extracting(e -> e[0]).last().isEqualTo("done");
      assertThat(events.subList(0, events.size() - 1)).allMatch(e -> e[0].equals("progress"));
      JsonObject end = new JsonObject(events.get(events.size() - 1)[1]);
      assertThat(end.getJsonObject("verify").getBoolean("ok")).as(end.encodePrettily()).isTrue();
      assertThat(end.getLong("done")).isEqualTo(6L).isEqualTo(end.getLong("total"));
      assertThat(end.getJsonArray("namespaces").stream().map(o -> ((JsonObject) o).getString("namespace")))
          .contains("mig-alice", "mig-bob");

      TestServer.Resp status = sqlite.get("/api/v1/admin/migrate/" + id, null);
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.json().getString("status")).isEqualTo("done");
    }

    try (TestServer onQdrant = new TestServer(dir.resolve("b"), cfg("qdrant")).start()) {
      assertThat(onQdrant.get("/health", null).json().getString("backend")).isEqualTo("qdrant");
      assertThat(firstContent(onQdrant, "mig-alice", "which region do we deploy billing to?")).contains("eu-west-3");
      assertThat(firstContent(onQdrant, "mig-bob", "寿司")).contains("寿司");
      JsonArray history = onQdrant.get("/api/v1/memories/" + updatedId + "/history", "mig-alice").json().getJsonArray("events");
      assertThat(history.stream().map(e -> ((JsonObject) e).getString("type"))).containsExactly("CREATE", "UPDATE");
      JsonArray deleted = onQdrant.get("/api/v1/memories/" + deletedId + "/history", "mig-alice").json().getJsonArray("events");
      assertThat(deleted.stream().map(e -> ((JsonObject) e).getString("type"))).containsExactly("CREATE", "DELETE");

      TestServer.Resp back = onQdrant.post("/api/v1/admin/migrate", null,
          new JsonObject().put("source", "qdrant").put("target", "sqlite"));
      assertThat(back.status()).as(back.text()).isEqualTo(202);
      JsonObject done = await(onQdrant, back.json().getString("job_id"));
      assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("done");
      assertThat(done.getJsonObject("verify").getBoolean("ok")).as(done.encodePrettily()).isTrue();
    }

    try (TestServer sqliteAgain = new TestServer(dir.resolve("b"), cfg("sqlite")).start()) {
      assertThat(sqliteAgain.get("/health", null).json().getLong("memories")).isEqualTo(5L);
      assertThat(firstContent(sqliteAgain, "mig-alice", "which Kubernetes version does staging run?")).contains("1.30");
    }
  }

  @Test
  @DisplayName("bad requests name the field; an unknown job is 404; an unreachable Qdrant is 503 naming its URL")
  void errors() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("c"), new JsonObject().put("qdrant.url", "http://127.0.0.1:1")).start()) {
      assertBad(s, new JsonObject().put("target", "qdrant"), "source");
      assertBad(s, new JsonObject().put("source", "sqlite").put("target", "sqlite"), "target");
      assertBad(s, new JsonObject().put("source", "sqlite").put("target", "qdrant").put("batch_size", 5000), "batch_size");
      assertBad(s, new JsonObject().put("source", "sqlite").put("target", "qdrant").put("dryrun", true), "dryrun");
      TestServer.Resp missing = s.get("/api/v1/admin/migrate/mig_0123456789abcdef", null);
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.json().getJsonObject("error").getString("code")).isEqualTo("MIGRATION_NOT_FOUND");
      TestServer.Resp unreachable = s.post("/api/v1/admin/migrate", null,
          new JsonObject().put("source", "sqlite").put("target", "qdrant"));
      assertThat(unreachable.status()).as(unreachable.text()).isEqualTo(503);
      assertThat(unreachable.text()).contains("http://127.0.0.1:1");
    }
  }

  @Test
  @DisplayName("MCP: migrate_sqlite_to_qdrant (dry run) and migration_status")
  void mcpTools() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("d"), cfg("sqlite")).start()) {
      s.remember("mig-carol", "Carol's team ships on Fridays");
      MemoryTools tools = new MemoryTools(s.vertx(), s.cfg);
      McpSchema.CallToolResult started = tools.call("mig-carol", "migrate_sqlite_to_qdrant",
          Map.of("dry_run", true, "namespace", "mig-carol")).await(30, TimeUnit.SECONDS);
      assertThat(started.isError()).as(started.content().toString()).isFalse();
      @SuppressWarnings("unchecked")
      String id = (String) ((Map<String, Object>) started.structuredContent()).get("job_id");
      await(s, id);
      McpSchema.CallToolResult status = tools.call("mig-carol", "migration_status", Map.of("job_id", id))
          .await(30, TimeUnit.SECONDS);
      String text = ((McpSchema.TextContent) status.content().get(0)).text();
      assertThat(text).contains("is done").contains("0 of 1 items");
      assertThat(qdrantCollections()).isZero(); // a dry run writes nothing

      McpSchema.CallToolResult bad = tools.call("mig-carol", "migrate_qdrant_to_sqlite", Map.of("batch_size", 0))
          .await(30, TimeUnit.SECONDS);
      assertThat(bad.isError()).isTrue();
      assertThat(((McpSchema.TextContent) bad.content().get(0)).text()).contains("batch_size");
    }
  }

  private long qdrantCollections() throws Exception {
    try (var raw = new io.qdrant.client.QdrantClient(io.qdrant.client.QdrantGrpcClient.newBuilder("127.0.0.1",
        qdrant.port(), false).build())) {
      return raw.listCollectionsAsync().get().stream().filter(c -> c.startsWith("memory_mig")).count();
    }
  }

  private static void assertBad(TestServer s, JsonObject body, String field) throws Exception {
    TestServer.Resp r = s.post("/api/v1/admin/migrate", null, body);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.text()).contains(field);
  }

  private static String firstContent(TestServer s, String ns, String query) throws Exception {
    JsonArray results = s.search(ns, new JsonObject().put("query", query).put("record_access", false)).getJsonArray("results");
    assertThat(results).as("no results for " + query).isNotEmpty();
    return results.getJsonObject(0).getString("content");
  }

  private static JsonObject await(TestServer s, String id) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      JsonObject st = s.get("/api/v1/admin/migrate/" + id, null).json();
      if ("done".equals(st.getString("status")) || "failed".equals(st.getString("status"))) {
        return st;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("migration " + id + " did not end in 60 s");
  }

  /** Reads a server-sent event stream to its end (at most 60 s): [event name, data] pairs. */
  private static List<String[]> sse(int port, String path) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<String[]> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String event = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          out.add(new String[] {event, line.substring(6)});
        }
      }
    }
    return out;
  }
}
