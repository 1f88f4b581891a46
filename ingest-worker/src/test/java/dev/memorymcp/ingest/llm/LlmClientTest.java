package dev.memorymcp.ingest.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.ingest.extract.ChatMessage;
import dev.memorymcp.ingest.extract.Fact;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client against a real local HTTP server that answers like an OpenAI-compatible endpoint
 * (a stub: no LLM runs here; this is the one allowed test double).
 */
@DisplayName("LLM client (OpenAI-compatible stub server)")
class LlmClientTest {
  Vertx vertx;
  HttpServer server;
  int port;
  /** What the stub answers as the assistant message content; null: never answer. */
  final AtomicReference<String> answer = new AtomicReference<>();
  final AtomicReference<Integer> status = new AtomicReference<>(200);
  final AtomicReference<JsonObject> lastBody = new AtomicReference<>();
  final AtomicReference<String> lastPath = new AtomicReference<>();
  final AtomicReference<String> lastAuth = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      lastPath.set(req.path());
      lastAuth.set(req.getHeader("Authorization"));
      lastBody.set(b.toJsonObject());
      String content = answer.get();
      if (content == null) {
        return; // hang: the client must time out
      }
      JsonObject completion = new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
              .put("message", new JsonObject().put("role", "assistant").put("content", content))
              .put("finish_reason", "stop")));
      req.response().setStatusCode(status.get()).putHeader("Content-Type", "application/json")
          .end(status.get() == 200 ? completion.encode() : "{\"error\":\"model overloaded\"}");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  LlmClient client(String base, String key, long timeoutMs) {
    return new LlmClient(vertx, new LlmOptions(base, "test-model", key, timeoutMs, 20));
  }

  LlmClient client() {
    return client("http://127.0.0.1:" + port + "/v1", "sk-test", 5000);
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  static final List<ChatMessage> CHAT = List.of(new ChatMessage("user", "I prefer green tea. 辛い食べ物が好きです。", null),
      new ChatMessage("assistant", "Noted!", null));

  static final Fact FACT = new Fact("User prefers green tea", "preference", List.of(), 0.7);

  @Test
  @DisplayName("extraction: request shape (path, model, temperature 0, json_object, bearer key, conversation) and facts parsed")
  void extractHappyPath() throws Exception {
    answer.set("{\"facts\":[{\"content\":\"User prefers green tea\",\"type\":\"preference\",\"tags\":[\"drinks\"],\"importance\":0.7},"
        + "{\"content\":\"辛い食べ物が好き\",\"type\":\"preference\",\"importance\":0.6}]}");
    List<Fact> facts = await(client().extractFacts(CHAT));
    assertThat(facts).extracting(Fact::content).containsExactly("User prefers green tea", "辛い食べ物が好き");
    assertThat(facts.get(0).tags()).containsExactly("drinks");
    assertThat(lastPath.get()).isEqualTo("/v1/chat/completions");
    assertThat(lastAuth.get()).isEqualTo("Bearer sk-test");
    JsonObject body = lastBody.get();
    assertThat(body.getString("model")).isEqualTo("test-model");
    assertThat(body.getInteger("temperature")).isZero();
    assertThat(body.getJsonObject("response_format").getString("type")).isEqualTo("json_object");
    String user = body.getJsonArray("messages").getJsonObject(1).getString("content");
    assertThat(user).contains("user: I prefer green tea. 辛い食べ物が好きです。").contains("assistant: Noted!");
    assertThat(body.getJsonArray("messages").getJsonObject(0).getString("content")).contains("never translate");
  }

  @Test
  @DisplayName("a base URL without /v1 (or with a slash) is completed; no API key, no Authorization header")
  void baseUrlVariants() throws Exception {
    answer.set("{\"facts\":[]}");
    assertThat(await(client("http://127.0.0.1:" + port, "", 5000).extractFacts(CHAT))).isEmpty();
    assertThat(lastPath.get()).isEqualTo("/v1/chat/completions");
    assertThat(lastAuth.get()).isNull();
    await(client("http://127.0.0.1:" + port + "/v1/", null, 5000).extractFacts(CHAT));
    assertThat(lastPath.get()).isEqualTo("/v1/chat/completions");
  }

  @Test
  @DisplayName("JSON wrapped in a ```json fence with prose around it is accepted")
  void fencedJson() throws Exception {
    answer.set("Here you go:\n```json\n{\"facts\":[{\"content\":\"Works at ACME\",\"type\":\"fact\",\"importance\":0.5}]}\n```\nDone.");
    assertThat(await(client().extractFacts(CHAT))).extracting(Fact::content).containsExactly("Works at ACME");
  }

  @Test
  @DisplayName("malformed extractions fail as MALFORMED naming the field")
  void malformedExtraction() {
    expectMalformed("Sorry, I cannot help with that.", "no JSON object");
    expectMalformed("{\"facts\": \"none\"}", "facts");
    expectMalformed("{\"facts\":[{\"content\":\"x\",\"type\":\"hobby\"}]}", "facts[0].type 'hobby'");
    expectMalformed("{\"facts\":[{\"content\":\"x\",\"type\":\"fact\",\"importance\":2.0}]}", "facts[0].importance");
    expectMalformed("{\"facts\":[{\"content\":\"\",\"type\":\"fact\"}]}", "facts[0].content");
    expectMalformed("{\"facts\":[{\"content\":\"x\",\"type\":\"fact\",\"tags\":\"a\"}]}", "facts[0].tags");
  }

  void expectMalformed(String content, String mentions) {
    answer.set(content);
    assertThatThrownBy(() -> await(client().extractFacts(CHAT))).isInstanceOfSatisfying(LlmException.class, e -> {
      assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
      assertThat(e.getMessage()).contains(mentions);
    });
  }

  @Test
  @DisplayName("HTTP 500 → HTTP with the status; no answer → TIMEOUT; closed port → UNREACHABLE")
  void transportFailures() throws Exception {
    status.set(500);
    answer.set("{}");
    assertThatThrownBy(() -> await(client().extractFacts(CHAT))).isInstanceOfSatisfying(LlmException.class, e -> {
      assertThat(e.kind()).isEqualTo(LlmException.Kind.HTTP);
      assertThat(e.getMessage()).contains("500").contains("model overloaded");
    });
    status.set(200);
    answer.set(null);
    assertThatThrownBy(() -> await(client("http://127.0.0.1:" + port, null, 300).extractFacts(CHAT)))
        .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.kind()).isEqualTo(LlmException.Kind.TIMEOUT));
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(() -> await(client("http://127.0.0.1:" + closed, null, 2000).extractFacts(CHAT)))
        .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.kind()).isEqualTo(LlmException.Kind.UNREACHABLE));
  }

  @Test
  @DisplayName("decide: the candidates are sent; ADD, UPDATE, DELETE, NONE parsed; unknown ids refused")
  void decisions() throws Exception {
    List<LlmClient.Candidate> similar = List.of(new LlmClient.Candidate("m1", "User prefers dark roast coffee"));
    answer.set("{\"event\":\"ADD\",\"memory_id\":null,\"content\":null,\"reason\":\"new\"}");
    LlmClient.Decision add = await(client().decide(FACT, similar));
    assertThat(add.event()).isEqualTo(LlmClient.Event.ADD);
    assertThat(add.content()).isEqualTo(FACT.content());
    assertThat(lastBody.get().getJsonArray("messages").getJsonObject(1).getString("content"))
        .contains("NEW FACT: User prefers green tea").contains("\"id\":\"m1\"");

    answer.set("{\"event\":\"UPDATE\",\"memory_id\":\"m1\",\"content\":\"User now prefers green tea over coffee\",\"reason\":\"changed\"}");
    LlmClient.Decision update = await(client().decide(FACT, similar));
    assertThat(update.event()).isEqualTo(LlmClient.Event.UPDATE);
    assertThat(update.memoryId()).isEqualTo("m1");
    assertThat(update.content()).isEqualTo("User now prefers green tea over coffee");

    answer.set("{\"event\":\"delete\",\"memory_id\":\"m1\"}");
    assertThat(await(client().decide(FACT, similar)).event()).isEqualTo(LlmClient.Event.DELETE);
    answer.set("{\"event\":\"NONE\",\"memory_id\":\"m1\"}");
    assertThat(await(client().decide(FACT, similar)).memoryId()).isEqualTo("m1");

    answer.set("{\"event\":\"UPDATE\",\"memory_id\":\"m9\",\"content\":\"x\"}");
    assertThatThrownBy(() -> await(client().decide(FACT, similar))).isInstanceOfSatisfying(LlmException.class,
        e -> assertThat(e.getMessage()).contains("memory_id 'm9'"));
    answer.set("{\"event\":\"UPDATE\",\"memory_id\":\"m1\"}");
    assertThatThrownBy(() -> await(client().decide(FACT, similar))).hasMessageContaining("content");
    answer.set("{\"event\":\"MERGE\"}");
    assertThatThrownBy(() -> await(client().decide(FACT, similar))).hasMessageContaining("event 'MERGE'");
  }

  @Test
  @DisplayName("bad settings are refused naming the setting")
  void badOptions() {
    assertThatThrownBy(() -> new LlmOptions("localhost:11434", "m", null, 1000, 5)).hasMessageContaining("llm.base_url");
    assertThatThrownBy(() -> new LlmOptions("http://localhost:11434", " ", null, 1000, 5)).hasMessageContaining("llm.model");
    assertThat(new LlmOptions("https://api.openai.com/v1", "gpt", "k", 1000, 5).completionsUrl())
        .isEqualTo("https://api.openai.com/v1/chat/completions");
  }
}
