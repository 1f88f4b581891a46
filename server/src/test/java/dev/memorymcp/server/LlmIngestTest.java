package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM extraction path end to end. No LLM runs here, so a local HTTP server started by the test
 * answers like an OpenAI-compatible {@code /v1/chat/completions} endpoint (the one allowed test
 * double); everything else is real: the service, the queue, the e5 model, SQLite.
 */
@DisplayName("ingest with an LLM extractor (OpenAI-compatible stub server)")
class LlmIngestTest {
  @TempDir
  static Path dir;
  static Vertx stubVertx;
  static HttpServer stub;
  static TestServer server;
  /** Answers to the extraction call and to decision calls: request user text → assistant content (null: hang). */
  static final AtomicReference<Function<String, String>> extract = new AtomicReference<>();
  static final AtomicReference<Function<String, String>> decide = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    stubVertx = Vertx.vertx();
    stub = stubVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      JsonArray messages = b.toJsonObject().getJsonArray("messages");
      String system = messages.getJsonObject(0).getString("content");
      String user = messages.getJsonObject(1).getString("content");
      String content = (system.contains("You extract") ? extract : decide).get().apply(user);
      if (content == null) {
        return; // never answers: the service's timeout must kick in
      }
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
          .put("object", "chat.completion").put("choices", new JsonArray().add(new JsonObject()
              .put("message", new JsonObject().put("role", "assistant").put("content", content)))).encode());
    })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    server = new TestServer(dir.resolve("data"), new JsonObject()
        .put("llm.base_url", "http://127.0.0.1:" + stub.actualPort() + "/v1").put("llm.model", "stub-model")
        .put("llm.timeout_ms", 1500)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    stubVertx.close().await(10, TimeUnit.SECONDS);
  }

  static String ns() {
    return "llm-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static JsonObject chat(String... userTurns) {
    JsonArray messages = new JsonArray();
    for (String t : userTurns) {
      messages.add(new JsonObject().put("role", "user").put("content", t));
    }
    return new JsonObject().put("messages", messages);
  }

  static String facts(String... contentTypeImportance) {
    JsonArray facts = new JsonArray();
    for (int i = 0; i < contentTypeImportance.length; i += 2) {
      facts.add(new JsonObject().put("content", contentTypeImportance[i]).put("type", contentTypeImportance[i + 1])
          .put("tags", new JsonArray().add("test")).put("importance", 0.7));
    }
    return new JsonObject().put("facts", facts).encode();
  }

  static JsonObject run(String ns, JsonObject body) throws Exception {
    TestServer.Resp r = server.post("/api/v1/ingest", ns, body);
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    return server.awaitIngest(ns, r.json().getString("job_id"));
  }

  static JsonObject history(String ns, String id) throws Exception {
    return server.get("/api/v1/memories/" + id + "/history", ns).json();
  }

  @Test
  @DisplayName("ADD: the LLM's fact becomes a memory with source ingest and the job id in its CREATE event")
  void add() throws Exception {
    String ns = ns();
    extract.set(user -> user.contains("hiking") ? facts("User loves hiking in the Alps", "preference") : "{\"facts\":[]}");
    decide.set(user -> "{\"event\":\"ADD\",\"memory_id\":null,\"content\":null,\"reason\":\"new hobby\"}");
    JsonObject job = run(ns, chat("Hey! I love hiking in the Alps every summer."));
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getString("extractor")).isEqualTo("llm");
    String id = job.getJsonObject("memories").getJsonArray("created").getString(0);
    JsonObject m = server.get("/api/v1/memories/" + id, ns).json().getJsonObject("memory");
    assertThat(m.getString("content")).isEqualTo("User loves hiking in the Alps");
    assertThat(m.getString("type")).isEqualTo("preference");
    assertThat(m.getString("source")).isEqualTo("ingest");
    assertThat(m.getJsonArray("tags")).containsExactly("test");
    JsonObject create = history(ns, id).getJsonArray("events").getJsonObject(0);
    assertThat(create.getJsonObject("data").getString("job_id")).isEqualTo(job.getString("job_id"));
  }

  @Test
  @DisplayName("UPDATE: a contradicted preference is updated in place; the old text stays in the UPDATE event")
  void updateContradictedPreference() throws Exception {
    String ns = ns();
    String old = server.remember(ns, new JsonObject().put("content", "User prefers dark roast coffee every morning")
        .put("type", "preference")).getString("id");
    AtomicReference<String> shown = new AtomicReference<>();
    extract.set(user -> facts("User now prefers green tea instead of coffee", "preference"));
    decide.set(user -> {
      shown.set(user);
      return new JsonObject().put("event", "UPDATE").put("memory_id", old)
          .put("content", "User prefers green tea in the morning (switched from dark roast coffee)")
          .put("reason", "preference changed").encode();
    });
    JsonObject job = run(ns, chat("Actually I switched: I now drink green tea instead of coffee."));
    assertThat(shown.get()).as("the similar memory is shown to the LLM").contains(old).contains("dark roast coffee");
    assertThat(job.getJsonObject("memories").getJsonArray("updated")).containsExactly(old);
    assertThat(job.getJsonObject("memories").getJsonArray("created")).isEmpty();

    JsonObject m = server.get("/api/v1/memories/" + old, ns).json().getJsonObject("memory");
    assertThat(m.getString("content")).isEqualTo("User prefers green tea in the morning (switched from dark roast coffee)");
    JsonArray events = history(ns, old).getJsonArray("events");
    JsonObject update = events.getJsonObject(events.size() - 1);
    assertThat(update.getString("type")).isEqualTo("UPDATE");
    assertThat(update.getJsonObject("data").getString("job_id")).isEqualTo(job.getString("job_id"));
    assertThat(update.getJsonObject("data").getJsonObject("changes").getJsonObject("content").getString("from"))
        .isEqualTo("User prefers dark roast coffee every morning");
    JsonObject found = server.search(ns, new JsonObject().put("query", "what does the user drink in the morning?"));
    assertThat(found.getJsonArray("results").getJsonObject(0).getString("id")).isEqualTo(old);
  }

  @Test
  @DisplayName("DELETE: a memory the user says is no longer true is retired, its state kept in the DELETE event")
  void deleteRetiredFact() throws Exception {
    String ns = ns();
    String old = server.remember(ns, "User works at Initech as a tester").getString("id");
    extract.set(user -> facts("User no longer works at Initech", "fact"));
    decide.set(user -> "{\"event\":\"DELETE\",\"memory_id\":\"" + old + "\",\"reason\":\"left the job\"}");
    JsonObject job = run(ns, chat("I quit Initech last week."));
    assertThat(job.getJsonObject("memories").getJsonArray("deleted")).containsExactly(old);
    assertThat(server.get("/api/v1/memories/" + old, ns).status()).isEqualTo(404);
    JsonArray events = history(ns, old).getJsonArray("events");
    JsonObject delete = events.getJsonObject(events.size() - 1);
    assertThat(delete.getString("type")).isEqualTo("DELETE");
    assertThat(delete.getString("actor")).isEqualTo("ingest:" + job.getString("job_id"));
  }

  @Test
  @DisplayName("malformed LLM output falls back to the heuristic extractor for that job, and the note says so")
  void malformedFallsBack() throws Exception {
    String ns = ns();
    extract.set(user -> "I'm sorry, as a language model I can't output JSON today.");
    decide.set(user -> { throw new AssertionError("no decision expected after a fallback"); });
    JsonObject job = run(ns, chat("Hello!", "I prefer tabs over spaces in Go code."));
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getString("extractor")).isEqualTo("heuristic");
    assertThat(job.getString("note")).contains("llm malformed");
    String id = job.getJsonObject("memories").getJsonArray("created").getString(0);
    assertThat(server.get("/api/v1/memories/" + id, ns).json().getJsonObject("memory").getString("content"))
        .isEqualTo("I prefer tabs over spaces in Go code.");
  }

  @Test
  @DisplayName("an LLM that does not answer in time also falls back to the heuristic extractor")
  void timeoutFallsBack() throws Exception {
    String ns = ns();
    extract.set(user -> null);
    JsonObject job = run(ns, chat("We decided to deploy on Tuesdays."));
    assertThat(job.getString("extractor")).isEqualTo("heuristic");
    assertThat(job.getString("note")).contains("llm timeout");
    assertThat(job.getJsonObject("memories").getJsonArray("created")).hasSize(1);
  }

  @Test
  @DisplayName("a decision naming a memory that was not shown is malformed: the fact goes through remember instead")
  void badDecisionGoesThroughDedupe() throws Exception {
    String ns = ns();
    extract.set(user -> facts("User's cat is called Miso", "fact"));
    decide.set(user -> "{\"event\":\"UPDATE\",\"memory_id\":\"not-a-shown-id\",\"content\":\"x\"}");
    JsonObject job = run(ns, chat("My cat is called Miso."));
    JsonObject item = job.getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("action")).isEqualTo("created");
    assertThat(item.getString("detail")).contains("llm decision malformed");
    assertThat(List.of(server.get("/api/v1/memories/" + item.getString("memory_id"), ns).status())).containsExactly(200);
  }
}
