package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.gateway.mcp.MemoryTools;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat ingestion end to end with the built-in heuristic extractor: real HTTP, the durable queue in
 * a real SQLite file, the ingest worker, the real e5 model and dedupe.
 */
@DisplayName("ingest API (heuristic extractor)")
class IngestApiTest {
  @TempDir
  static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("data"), new JsonObject().put("ingest.max_messages", 20)
        .put("ingest.max_message_chars", 2000)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String ns() {
    return "i-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static JsonObject msg(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  static JsonObject conversation(JsonObject... messages) {
    return new JsonObject().put("messages", new JsonArray(List.of((Object[]) messages)));
  }

  /** Posts and returns the job id, asserting the 202. */
  static String ingest(String ns, JsonObject body) throws Exception {
    TestServer.Resp r = server.post("/api/v1/ingest", ns, body);
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    String id = r.json().getString("job_id");
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/ingest/" + id);
    return id;
  }

  static JsonObject awaitJob(String ns, String id) throws Exception {
    return server.awaitIngest(ns, id);
  }

  static List<String> ids(JsonObject job, String action) {
    return job.getJsonObject("memories").getJsonArray(action).stream().map(String::valueOf).toList();
  }

  static JsonObject memory(String ns, String id) throws Exception {
    TestServer.Resp r = server.get("/api/v1/memories/" + id, ns);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().getJsonObject("memory");
  }

  static List<String> contents(String ns, List<String> ids) throws Exception {
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      out.add(memory(ns, id).getString("content"));
    }
    return out;
  }

  @Test
  @DisplayName("the acknowledgement says the service's own time (Server-Timing), within the client's round trip")
  void acknowledgementCarriesServerTiming() throws Exception {
    String ns = ns();
    long t0 = System.nanoTime();
    TestServer.Resp r = server.post("/api/v1/ingest", ns, conversation(msg("user", "I keep my notes in Obsidian.")));
    double roundTripMs = (System.nanoTime() - t0) / 1e6;
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    String timing = r.headers().firstValue("Server-Timing").orElseThrow();
    assertThat(timing).matches("app;dur=\\d+\\.\\d{2}");
    double serverMs = Double.parseDouble(timing.substring("app;dur=".length()));
    assertThat(serverMs).isGreaterThan(0).isLessThanOrEqualTo(roundTripMs);
    TestServer.Resp refused = server.post("/api/v1/ingest", ns, new JsonObject().put("messages", new JsonArray()));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.headers().firstValue("Server-Timing")).as("errors too").isPresent();
  }

  @Test
  @DisplayName("a learned memory keeps the time its message was said (created_at), not the time the worker ran")
  void memoriesKeepTheTimeTheyWereSaid() throws Exception {
    String ns = ns();
    String id = ingest(ns, conversation(
        msg("user", "I prefer oolong tea in the afternoon.").put("timestamp", "2026-03-02T19:00:00Z"),
        msg("assistant", "Noted.").put("timestamp", "2026-03-02T19:00:30Z"),
        msg("user", "We decided to deploy on Thursdays.").put("timestamp", "2026-03-03T08:15:00Z")));
    JsonObject job = awaitJob(ns, id);
    assertThat(job.getString("status")).isEqualTo("done");
    java.util.Map<String, String> saidAt = new java.util.HashMap<>();
    for (String mid : ids(job, "created")) {
      JsonObject m = memory(ns, mid);
      saidAt.put(m.getString("content"), m.getString("created_at"));
    }
    assertThat(saidAt).containsEntry("I prefer oolong tea in the afternoon.", "2026-03-02T19:00:00Z")
        .containsEntry("We decided to deploy on Thursdays.", "2026-03-03T08:15:00Z");
  }

  @Test
  @DisplayName("an English chat is acknowledged with 202 and its facts become memories with source ingest")
  void englishConversationLearned() throws Exception {
    String ns = ns();
    JsonObject body = conversation(
        msg("user", "Hi there!"),
        msg("assistant", "Hello! How can I help you today?"),
        msg("user", "I prefer green tea over coffee. What's the weather like in Paris?"),
        msg("assistant", "I think it is sunny. Anything else?"),
        msg("user", "We decided to use PostgreSQL 16 for the billing service."))
        .put("session_id", "chat-42").put("metadata", new JsonObject().put("app", "test-chat"));
    String id = ingest(ns, body);

    JsonObject job = awaitJob(ns, id);
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getString("extractor")).isEqualTo("heuristic");
    assertThat(job.getInteger("attempts")).isEqualTo(1);
    List<String> created = ids(job, "created");
    assertThat(contents(ns, created)).containsExactlyInAnyOrder("I prefer green tea over coffee.",
        "We decided to use PostgreSQL 16 for the billing service.");

    for (String mid : created) {
      JsonObject m = memory(ns, mid);
      assertThat(m.getString("source")).isEqualTo("ingest");
      assertThat(m.getString("session_id")).isEqualTo("chat-42");
      assertThat(m.getJsonObject("metadata").getString("ingest_job")).isEqualTo(id);
      assertThat(m.getJsonObject("metadata").getString("app")).isEqualTo("test-chat");
      JsonObject create = server.get("/api/v1/memories/" + mid + "/history", ns).json()
          .getJsonArray("events").getJsonObject(0);
      assertThat(create.getString("type")).isEqualTo("CREATE");
      assertThat(create.getJsonObject("data").getString("job_id")).isEqualTo(id);
    }
    JsonObject decision = memory(ns, created.get(contents(ns, created).indexOf(
        "We decided to use PostgreSQL 16 for the billing service.")));
    assertThat(decision.getString("type")).isEqualTo("decision");
    JsonObject r = server.search(ns, new JsonObject().put("query", "which database for billing?"));
    assertThat(r.getJsonArray("results").getJsonObject(0).getString("id")).isEqualTo(decision.getString("id"));
  }

  @Test
  @DisplayName("an ingest job's facts are embedded in the background lane, a remember's text in the foreground")
  void extractionEmbedsInTheBackground() throws Exception {
    String ns = ns();
    String tag = UUID.randomUUID().toString().substring(0, 8); // texts the embedding cache has not seen
    double[] before = embeddedTexts();
    JsonObject job = awaitJob(ns, ingest(ns, conversation(
        msg("user", "I prefer window seats on flight " + tag + "."),
        msg("user", "We decided to ship release " + tag + " on Monday."))));
    assertThat(ids(job, "created")).hasSize(2);
    double[] afterJob = embeddedTexts();
    assertThat(afterJob[1] - before[1]).as("background texts").isEqualTo(2);
    assertThat(afterJob[0] - before[0]).as("foreground texts").isZero();

    TestServer.Resp r = server.post("/api/v1/memories", ns, new JsonObject().put("content", "Remembered by hand " + tag));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    double[] afterRemember = embeddedTexts();
    assertThat(afterRemember[0] - afterJob[0]).as("foreground texts").isEqualTo(1);
    assertThat(afterRemember[1] - afterJob[1]).as("background texts").isZero();
  }

  @Test
  @DisplayName("a remember does not wait in its namespace behind an ingest job's fact queued in the background lane")
  void rememberDoesNotWaitForTheBackgroundLane() throws Exception {
    String ns = ns();
    String tag = UUID.randomUUID().toString().substring(0, 8);
    // keep the lane busy for seconds: two requests of 256 texts it has not seen, one inference each
    List<Future<JsonObject>> filler = new ArrayList<>();
    for (int batch = 0; batch < 2; batch++) {
      JsonArray texts = new JsonArray();
      for (int i = 0; i < 256; i++) {
        texts.add("background filler " + tag + " batch " + batch + " number " + i + " about the weekly report");
      }
      filler.add(Bus.request(server.vertx(), Addresses.EMBED,
          new JsonObject().put("texts", texts).put("kind", "passage").put("priority", "background"), 120_000));
    }
    Future<?> busy = Future.all(filler);
    String job = ingest(ns, conversation(msg("user", "I prefer aisle seats on flight " + tag + ".")));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"running".equals(server.get("/api/v1/ingest/" + job, ns).json().getString("status"))) {
      assertThat(System.nanoTime()).as("the job never ran").isLessThan(end);
      Thread.sleep(10);
    }
    Thread.sleep(200); // the job's fact is now on its way to storage, its embedding queued behind the filler

    TestServer.Resp r = server.post("/api/v1/memories", ns, new JsonObject().put("content", "Remembered meanwhile " + tag));
    boolean laneStillBusy = !busy.isComplete();
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    // inside the namespace's write order, the job's fact would have held this remember until the lane got to it
    assertThat(laneStillBusy).as("the remember returned while the lane was still busy").isTrue();
    assertThat(ids(awaitJob(ns, job), "created")).hasSize(1);
    busy.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    assertThat(filler.get(1).result().getJsonArray("vectors")).hasSize(256);
  }

  /** Distinct texts the embedding model embedded so far: {foreground, background} (/metrics). */
  static double[] embeddedTexts() throws Exception {
    TestServer.Resp m = server.get("/metrics", null);
    assertThat(m.status()).as(m.text()).isEqualTo(200);
    return new double[] {Math.max(0, MetricsTest.count(m.text(), "memory_embedding_batch_texts_sum", "lane=\"foreground\"")),
        Math.max(0, MetricsTest.count(m.text(), "memory_embedding_batch_texts_sum", "lane=\"background\""))};
  }

  @Test
  @DisplayName("Japanese facts are kept verbatim in Japanese and found by keyword")
  void japaneseConversationLearned() throws Exception {
    String ns = ns();
    String id = ingest(ns, conversation(
        msg("user", "こんにちは！"),
        msg("user", "私は京都に住んでいます。辛い食べ物が好きです。"),
        msg("assistant", "承知しました。ほかに何かありますか？"),
        msg("user", "来月の旅行は沖縄にすることに決めた。")));
    JsonObject job = awaitJob(ns, id);
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(contents(ns, ids(job, "created")))
        .contains("辛い食べ物が好きです。", "来月の旅行は沖縄にすることに決めた。")
        .allSatisfy(c -> assertThat(c).doesNotContainPattern("[A-Za-z]{3,}"));
    JsonObject r = server.search(ns, new JsonObject().put("query", "沖縄").put("search_type", "keyword"));
    assertThat(r.getJsonArray("results")).isNotEmpty();
    assertThat(r.getJsonArray("results").getJsonObject(0).getString("content")).contains("沖縄");
  }

  @Test
  @DisplayName("a chat with nothing memorable ends done with a note saying so, and writes nothing")
  void nothingMemorableSaysSo() throws Exception {
    String ns = ns();
    String id = ingest(ns, conversation(msg("user", "Hello!"), msg("assistant", "Hi, how can I help?"),
        msg("user", "What time is it in Tokyo?"), msg("user", "Thanks!")));
    JsonObject job = awaitJob(ns, id);
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getString("note")).startsWith("nothing memorable");
    assertThat(job.getInteger("facts")).isZero();
    assertThat(server.get("/api/v1/memories", ns).json().getJsonArray("memories")).isEmpty();
  }

  @Test
  @DisplayName("the same facts posted again merge into the existing memories: all duplicates, no copy")
  void secondPostIsAllDuplicates() throws Exception {
    String ns = ns();
    JsonObject body = conversation(msg("user", "My favourite editor is Neovim with the LazyVim setup."));
    JsonObject first = awaitJob(ns, ingest(ns, body));
    JsonObject second = awaitJob(ns, ingest(ns, body.copy()));
    assertThat(ids(first, "created")).hasSize(1);
    assertThat(ids(second, "created")).isEmpty();
    assertThat(ids(second, "merged")).isEqualTo(ids(first, "created"));
    assertThat(second.getString("note")).contains("all duplicates");
    assertThat(server.get("/api/v1/memories", ns).json().getJsonArray("memories")).hasSize(1);
  }

  @Test
  @DisplayName("Idempotency-Key: a retried post returns the first job; another body with the key is 409")
  void idempotencyKey() throws Exception {
    String ns = ns();
    JsonObject body = conversation(msg("user", "I live in Lisbon and work remotely."));
    Map<String, String> key = Map.of("Idempotency-Key", "chat-7-turn-3");
    TestServer.Resp first = server.call("POST", "/api/v1/ingest", ns, body.encode(), key);
    TestServer.Resp again = server.call("POST", "/api/v1/ingest", ns, body.encode(), key);
    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().getString("job_id")).isEqualTo(first.json().getString("job_id"));
    assertThat(again.json().getBoolean("duplicate")).isTrue();

    TestServer.Resp other = server.call("POST", "/api/v1/ingest", ns,
        conversation(msg("user", "I live in Porto.")).encode(), key);
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.json().getJsonObject("error").getString("message")).contains("Idempotency-Key");
    awaitJob(ns, first.json().getString("job_id"));
  }

  @Test
  @DisplayName("bad ingest input gets a 4xx naming the field, and nothing is queued")
  void badInput() throws Exception {
    String ns = ns();
    assertError(server.post("/api/v1/ingest", ns, new JsonObject()), 400, "messages");
    assertError(server.post("/api/v1/ingest", ns, new JsonObject().put("messages", new JsonArray())), 400, "messages");
    assertError(server.post("/api/v1/ingest", ns, conversation(msg("user", "ok"), msg("robot", "beep"))), 400,
        "messages[1].role");
    assertError(server.post("/api/v1/ingest", ns, conversation(new JsonObject().put("role", "user"))), 400,
        "messages[0].content");
    assertError(server.post("/api/v1/ingest", ns, conversation(msg("user", "hi").put("timestamp", "yesterday"))), 400,
        "messages[0].timestamp");
    assertError(server.post("/api/v1/ingest", ns, conversation(msg("user", "x")).put("sessionId", "s")), 400, "sessionId");
    assertError(server.post("/api/v1/ingest", ns, conversation(msg("user", "x".repeat(2001)))), 413,
        "messages[0].content");
    JsonObject[] many = new JsonObject[21];
    java.util.Arrays.fill(many, msg("user", "I like tea."));
    assertError(server.post("/api/v1/ingest", ns, conversation(many)), 413, "messages");
    assertError(server.call("POST", "/api/v1/ingest", ns, conversation(msg("user", "I like tea.")).encode(),
        Map.of("Idempotency-Key", "k".repeat(201))), 400, "Idempotency-Key");
    assertError(server.call("POST", "/api/v1/ingest", ns, "[1,2]"), 400, "body");
    assertThat(server.get("/api/v1/ingest/nope", ns).status()).isEqualTo(404);
    assertThat(server.get("/health", null).json().getJsonObject("ingest_jobs").getLong("failed")).isZero();
  }

  static void assertError(TestServer.Resp r, int status, String field) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.json().getJsonObject("error").getString("message")).startsWith(field);
  }

  @Test
  @DisplayName("a retried background write with the same write key replays the first outcome and writes nothing")
  void writeKeyMakesRetriesIdempotent() throws Exception {
    String ns = ns();
    JsonObject first = remember(ns, "Retry-safe fact about the build server", "job-x:0");
    JsonObject again = remember(ns, "A different text that must not be written", "job-x:0");
    assertThat(first.getString("action")).isEqualTo("created");
    assertThat(again.getBoolean("replayed")).isTrue();
    assertThat(again.getString("id")).isEqualTo(first.getString("id"));
    assertThat(again.getString("action")).isEqualTo("created");
    assertThat(server.get("/api/v1/memories", ns).json().getJsonArray("memories")).hasSize(1);
    JsonObject other = remember(ns, "Another fact of the same job", "job-x:1");
    assertThat(other.getString("id")).isNotEqualTo(first.getString("id"));
    JsonObject found = server.vertx().eventBus().<JsonObject>request(Addresses.STORE_WRITE_KEY,
        new JsonObject().put("namespace", ns).put("key", "job-x:1")).await(30, TimeUnit.SECONDS).body();
    assertThat(found.getJsonObject("event").getString("memory_id")).isEqualTo(other.getString("id"));
  }

  JsonObject remember(String ns, String content, String writeKey) throws Exception {
    return server.vertx().eventBus().<JsonObject>request(Addresses.STORE_REMEMBER, new JsonObject()
        .put("namespace", ns).put("memory", new JsonObject().put("content", content).put("source", "ingest"))
        .put("job_id", "job-x").put("write_key", writeKey)).await(30, TimeUnit.SECONDS).body();
  }

  @Test
  @DisplayName("a job is only visible in its own namespace")
  void jobsAreNamespaced() throws Exception {
    String ns = ns();
    String id = ingest(ns, conversation(msg("user", "I use a standing desk.")));
    assertThat(server.get("/api/v1/ingest/" + id, ns()).status()).isEqualTo(404);
    awaitJob(ns, id);
  }

  @Test
  @DisplayName("the MCP tools ingest_conversation and ingest_status do the same for agents")
  void mcpTools() throws Exception {
    String ns = ns();
    MemoryTools tools = new MemoryTools(server.vertx(), server.cfg);
    McpSchema.CallToolResult accepted = tools.call(ns, "ingest_conversation", Map.of("messages",
        List.of(Map.of("role", "user", "content", "I prefer dark mode in every editor.")),
        "session_id", "agent-1", "idempotency_key", "agent-1-part-1")).await(30, TimeUnit.SECONDS);
    assertThat(accepted.isError()).isFalse();
    @SuppressWarnings("unchecked")
    String id = (String) ((Map<String, Object>) accepted.structuredContent()).get("job_id");
    JsonObject job = awaitJob(ns, id);
    assertThat(ids(job, "created")).hasSize(1);

    McpSchema.CallToolResult status = tools.call(ns, "ingest_status", Map.of("job_id", id)).await(30, TimeUnit.SECONDS);
    assertThat(status.isError()).isFalse();
    assertThat(((McpSchema.TextContent) status.content().get(0)).text()).contains("is done");

    McpSchema.CallToolResult bad = tools.call(ns, "ingest_conversation", Map.of("messages",
        List.of(Map.of("role", "bot", "content", "x")))).await(30, TimeUnit.SECONDS);
    assertThat(bad.isError()).isTrue();
    assertThat(((McpSchema.TextContent) bad.content().get(0)).text()).contains("messages[0].role");
  }
}
