package dev.memorymcp.ingest.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.ingest.extract.ChatMessage;
import dev.memorymcp.ingest.extract.Fact;
import dev.memorymcp.ingest.llm.LlmClient.Candidate;
import dev.memorymcp.ingest.llm.LlmClient.Decision;
import dev.memorymcp.ingest.llm.LlmClient.Event;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a real local HTTP server answering like an OpenAI-compatible endpoint with
 * canned {@code chat.completion} replies. This stub is the one test double: no LLM runs here.
 */
class LlmClientTest {
  private static final List<ChatMessage> CHAT = List.of(
      new ChatMessage("user", "I prefer green tea over coffee.", 1L),
      new ChatMessage("assistant", "Noted! Maybe try oolong too?", 2L));
  private static final Fact FACT = new Fact("User prefers green tea", "preference", List.of("drinks"), 0.7);
  private static final List<Candidate> SIMILAR = List.of(
      new Candidate("m1", "User prefers dark roast coffee"), new Candidate("m2", "User lives in Osaka"));

  private Vertx vertx;
  private HttpServer server;
  private String base;
  // what the stub answers: the assistant message content, or a raw body with a status
  private volatile String content;
  private volatile String finishReason = "stop";
  private volatile int status = 200;
  private volatile String rawBody;
  private volatile boolean hang;
  // what the stub received last
  private volatile String path;
  private volatile String auth;
  private volatile JsonObject request;

  @BeforeEach
  void startStub() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      path = req.path();
      auth = req.getHeader("Authorization");
      request = b.toJsonObject();
      if (hang) {
        return; // never answers: the client's timeout must fire
      }
      String body = rawBody != null ? rawBody : new JsonObject().put("id", "chatcmpl-1")
          .put("object", "chat.completion").put("model", request.getString("model"))
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
              .put("message", new JsonObject().put("role", "assistant").put("content", content))
              .put("finish_reason", finishReason)))
          .encode();
      req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterEach
  void stopStub() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private LlmClient client(String baseUrl, String apiKey, long timeoutMs, int maxFacts) {
    return new LlmClient(vertx, new LlmOptions(baseUrl, "test-model", apiKey, timeoutMs, maxFacts));
  }

  private LlmClient client() {
    return client(base + "/v1", "sk-test", 5_000, 20);
  }

  /** Called from the JUnit thread, never an event loop. */
  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static LlmException failure(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(LlmException.class);
      return (LlmException) e.getCause();
    }
    throw new AssertionError("expected an LlmException, got a result");
  }

  private LlmException extractionFailure(String answer) throws Exception {
    content = answer;
    return failure(client().extractFacts(CHAT));
  }

  private String userMessage() {
    return request.getJsonArray("messages").getJsonObject(1).getString("content");
  }

  // --- extraction: request and happy paths

  @Test
  void testExtractionSendsAnOpenAiChatCompletionRequest() throws Exception {
    content = "{\"facts\":[]}";
    await(client().extractFacts(CHAT));
    assertThat(path).isEqualTo("/v1/chat/completions");
    assertThat(auth).isEqualTo("Bearer sk-test");
    assertThat(request.getString("model")).isEqualTo("test-model");
    assertThat(request.getValue("temperature")).isEqualTo(0);
    assertThat(request.getJsonObject("response_format")).isEqualTo(new JsonObject().put("type", "json_object"));
    JsonArray messages = request.getJsonArray("messages");
    assertThat(messages).hasSize(2);
    assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("system");
    assertThat(messages.getJsonObject(0).getString("content")).contains("JSON").contains("Never translate")
        .contains("At most 20 memories");
    assertThat(messages.getJsonObject(1).getString("role")).isEqualTo("user");
    assertThat(userMessage()).contains("user: I prefer green tea over coffee.\n")
        .contains("assistant: Noted! Maybe try oolong too?\n");
  }

  @Test
  void testExtractionParsesFactsWithTypeTagsAndImportance() throws Exception {
    content = "{\"facts\":[{\"content\":\"User prefers green tea over coffee\",\"type\":\"preference\","
        + "\"tags\":[\"drinks\",\" tea \",\"\"],\"importance\":0.7},"
        + "{\"content\":\"User decided to use Vert.x 5\",\"type\":\"Decision\",\"importance\":1}]}";
    List<Fact> facts = await(client().extractFacts(CHAT));
    assertThat(facts).containsExactly(
        new Fact("User prefers green tea over coffee", "preference", List.of("drinks", "tea"), 0.7),
        new Fact("User decided to use Vert.x 5", "decision", List.of(), 1.0));
  }

  @Test
  void testNoAuthorizationHeaderWithoutApiKey() throws Exception {
    content = "{\"facts\":[]}";
    await(client(base, null, 5_000, 20).extractFacts(CHAT));
    assertThat(auth).isNull();
    await(client(base, "  ", 5_000, 20).extractFacts(CHAT));
    assertThat(auth).isNull();
  }

  @Test
  void testBaseUrlWithOrWithoutV1ReachesTheSamePath() throws Exception {
    content = "{\"facts\":[]}";
    for (String b : List.of(base, base + "/", base + "/v1", base + "/v1/")) {
      path = null;
      await(client(b, null, 5_000, 20).extractFacts(CHAT));
      assertThat(path).as(b).isEqualTo("/v1/chat/completions");
    }
    assertThat(new LlmOptions("https://api.openai.com/v1", "gpt-4o-mini", "k").completionsUrl())
        .isEqualTo("https://api.openai.com/v1/chat/completions");
    assertThat(new LlmOptions("http://gpu:8000/openai", "m", null).completionsUrl())
        .isEqualTo("http://gpu:8000/openai/v1/chat/completions");
  }

  @Test
  void testFencedJsonWithProseIsAccepted() throws Exception {
    content = "Sure! Here are the {important} facts:\n```json\n"
        + "{\"facts\":[{\"content\":\"User works at ACME {Osaka office}\",\"type\":\"fact\",\"tags\":[],\"importance\":0.5}]}"
        + "\n```\nLet me know if you need {anything} else.";
    assertThat(await(client().extractFacts(CHAT))).extracting(Fact::content)
        .containsExactly("User works at ACME {Osaka office}");
  }

  @Test
  void testThinkBlockBeforeTheJsonIsSkipped() throws Exception {
    content = "<think>The user said {\"tea\"}; that is a preference.</think>\n"
        + "{\"facts\":[{\"content\":\"User likes tea\",\"type\":\"preference\",\"importance\":0.6}]}";
    assertThat(await(client().extractFacts(CHAT))).extracting(Fact::content).containsExactly("User likes tea");
  }

  @Test
  void testJapaneseFactsAreKeptAsIs() throws Exception {
    content = "{\"facts\":[{\"content\":\"ユーザーは辛い食べ物が好き\",\"type\":\"preference\",\"tags\":[\"食べ物\"],"
        + "\"importance\":0.6},{\"content\":\"プロジェクトではPostgreSQLを使うと決めた\",\"type\":\"decision\","
        + "\"tags\":[\"データベース\"],\"importance\":0.8}]}";
    List<Fact> facts = await(client().extractFacts(List.of(
        new ChatMessage("user", "辛い食べ物が好きです。DBはPostgreSQLに決めました。", null))));
    assertThat(userMessage()).contains("user: 辛い食べ物が好きです。DBはPostgreSQLに決めました。");
    assertThat(facts).containsExactly(
        new Fact("ユーザーは辛い食べ物が好き", "preference", List.of("食べ物"), 0.6),
        new Fact("プロジェクトではPostgreSQLを使うと決めた", "decision", List.of("データベース"), 0.8));
  }

  @Test
  void testEmptyFactsListIsValid() throws Exception {
    content = "{\"facts\":[]}";
    assertThat(await(client().extractFacts(CHAT))).isEmpty();
  }

  @Test
  void testDuplicateContentsAreDroppedAndFactsCappedToMaxFacts() throws Exception {
    content = "{\"facts\":[{\"content\":\"A\",\"type\":\"fact\"},{\"content\":\" a \",\"type\":\"note\"},"
        + "{\"content\":\"B\",\"type\":\"fact\"},{\"content\":\"C\",\"type\":\"fact\"}]}";
    List<Fact> facts = await(client(base, null, 5_000, 2).extractFacts(CHAT));
    assertThat(facts).extracting(Fact::content).containsExactly("A", "B");
    assertThat(facts.get(0).importance()).isEqualTo(0.5);
  }

  // --- extraction: malformed replies

  @Test
  void testReplyThatIsNotJsonIsMalformed() throws Exception {
    LlmException e = extractionFailure("Sorry, I cannot help with that.");
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).contains("no JSON object").contains("Sorry, I cannot help");
  }

  @Test
  void testFactsThatIsNotAnArrayIsMalformed() throws Exception {
    LlmException e = extractionFailure("{\"facts\":\"none\"}");
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("facts is missing or not an array");
  }

  @Test
  void testWrongFieldTypesAreMalformedNamingTheField() throws Exception {
    assertThat(extractionFailure("{\"facts\":[\"just text\"]}").getMessage()).isEqualTo("facts[0] is not an object");
    assertThat(extractionFailure("{\"facts\":[{\"content\":42,\"type\":\"fact\"}]}").getMessage())
        .isEqualTo("facts[0].content 42 is not a string");
    assertThat(extractionFailure("{\"facts\":[{\"content\":\"x\",\"type\":\"fact\",\"tags\":\"a,b\"}]}").getMessage())
        .isEqualTo("facts[0].tags is not an array");
    assertThat(extractionFailure("{\"facts\":[{\"content\":\"x\",\"type\":\"fact\",\"tags\":[\"a\",1]}]}").getMessage())
        .isEqualTo("facts[0].tags[1] is not a string");
    assertThat(extractionFailure("{\"facts\":[{\"content\":\"x\",\"type\":\"fact\",\"importance\":\"high\"}]}")
        .getMessage()).isEqualTo("facts[0].importance 'high' is not a number");
  }

  @Test
  void testUnknownTypeIsMalformed() throws Exception {
    LlmException e = extractionFailure("{\"facts\":[{\"content\":\"a\",\"type\":\"fact\"},"
        + "{\"content\":\"b\",\"type\":\"rule\"},{\"content\":\"Plays go\",\"type\":\"hobby\"}]}");
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).startsWith("facts[2].type 'hobby' is not a memory type");
    assertThat(extractionFailure("{\"facts\":[{\"content\":\"a\"}]}").getMessage()).startsWith("facts[0].type is missing");
  }

  @Test
  void testImportanceOutside0To1IsMalformed() throws Exception {
    LlmException e = extractionFailure("{\"facts\":[{\"content\":\"x\",\"type\":\"fact\",\"importance\":2.0}]}");
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("facts[0].importance 2.0 is outside 0..1");
  }

  @Test
  void testBlankOrTooLongContentIsMalformed() throws Exception {
    assertThat(extractionFailure("{\"facts\":[{\"content\":\"  \",\"type\":\"fact\"}]}").getMessage())
        .isEqualTo("facts[0].content is missing or blank");
    assertThat(extractionFailure("{\"facts\":[{\"type\":\"fact\"}]}").getMessage())
        .isEqualTo("facts[0].content is missing or blank");
    LlmException e = extractionFailure(new JsonObject().put("facts", new JsonArray().add(new JsonObject()
        .put("content", "x".repeat(2_001)).put("type", "fact"))).encode());
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("facts[0].content is longer than 2000 chars (2001)");
  }

  @Test
  void testCompletionWithoutChoicesIsMalformed() throws Exception {
    rawBody = "{\"object\":\"chat.completion\",\"choices\":[]}";
    LlmException e = failure(client().extractFacts(CHAT));
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).startsWith("choices is missing or empty");
  }

  @Test
  void testCutOffReplySaysSo() throws Exception {
    finishReason = "length";
    LlmException e = extractionFailure("{\"facts\":[{\"content\":\"User likes");
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).contains("finish_reason=length");
  }

  // --- transport failures

  @Test
  void testHttp500IsHttpWithStatusAndBodyHead() throws Exception {
    status = 500;
    rawBody = "{\"error\":\"model overloaded\"}" + "x".repeat(500);
    LlmException e = failure(client().extractFacts(CHAT));
    assertThat(e.kind()).isEqualTo(LlmException.Kind.HTTP);
    assertThat(e.getMessage()).contains("HTTP 500").contains("model overloaded")
        .doesNotContain("x".repeat(201)).doesNotContain("sk-test");
  }

  @Test
  void testNoAnswerWithinTimeoutIsTimeout() throws Exception {
    hang = true;
    long start = System.nanoTime();
    LlmException e = failure(client(base, null, 300, 20).extractFacts(CHAT));
    assertThat(e.kind()).isEqualTo(LlmException.Kind.TIMEOUT);
    assertThat(e.getMessage()).contains("300 ms");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
  }

  @Test
  void testClosedPortIsUnreachable() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    LlmException e = failure(client("http://127.0.0.1:" + closed, "sk-test", 2_000, 20).extractFacts(CHAT));
    assertThat(e.kind()).isEqualTo(LlmException.Kind.UNREACHABLE);
    assertThat(e.getMessage()).contains("127.0.0.1:" + closed).doesNotContain("sk-test");
  }

  // --- decide

  @Test
  void testDecideSendsTheFactAndCandidatesAsJson() throws Exception {
    content = "{\"event\":\"ADD\",\"memory_id\":null,\"content\":null,\"reason\":\"new\"}";
    await(client().decide(FACT, SIMILAR));
    assertThat(request.getJsonArray("messages").getJsonObject(0).getString("content"))
        .contains("ADD").contains("UPDATE").contains("DELETE").contains("NONE").contains("JSON");
    assertThat(userMessage())
        .contains("{\"content\":\"User prefers green tea\",\"type\":\"preference\",\"tags\":[\"drinks\"]}")
        .contains("[{\"id\":\"m1\",\"content\":\"User prefers dark roast coffee\"},"
            + "{\"id\":\"m2\",\"content\":\"User lives in Osaka\"}]");
  }

  @Test
  void testDecideAddKeepsTheFactTextOrTheRewording() throws Exception {
    content = "{\"event\":\"ADD\",\"memory_id\":null,\"content\":null,\"reason\":\"new information\"}";
    assertThat(await(client().decide(FACT, List.of())))
        .isEqualTo(new Decision(Event.ADD, null, "User prefers green tea", "new information"));
    content = "{\"event\":\"add\",\"content\":\"User prefers green tea to coffee\"}";
    assertThat(await(client().decide(FACT, SIMILAR)))
        .isEqualTo(new Decision(Event.ADD, null, "User prefers green tea to coffee", null));
  }

  @Test
  void testDecideUpdateWithACandidateId() throws Exception {
    content = "{\"event\":\"UPDATE\",\"memory_id\":\"m1\",\"content\":\"User now prefers green tea over coffee\","
        + "\"reason\":\"preference changed\"}";
    assertThat(await(client().decide(FACT, SIMILAR))).isEqualTo(
        new Decision(Event.UPDATE, "m1", "User now prefers green tea over coffee", "preference changed"));
  }

  @Test
  void testDecideUpdateWithAnIdNotAmongTheCandidatesIsMalformed() throws Exception {
    content = "{\"event\":\"UPDATE\",\"memory_id\":\"m9\",\"content\":\"x\"}";
    LlmException e = failure(client().decide(FACT, SIMILAR));
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("memory_id 'm9' is not one of the candidates' ids for UPDATE");
    content = "{\"event\":\"DELETE\"}";
    assertThat(failure(client().decide(FACT, SIMILAR)).getMessage()).isEqualTo("memory_id is missing for DELETE");
  }

  @Test
  void testDecideUpdateWithoutContentIsMalformed() throws Exception {
    content = "{\"event\":\"UPDATE\",\"memory_id\":\"m1\",\"content\":\"\"}";
    LlmException e = failure(client().decide(FACT, SIMILAR));
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("content is missing or blank");
  }

  @Test
  void testDecideUpdateOrDeleteWithoutCandidatesIsMalformed() throws Exception {
    content = "{\"event\":\"UPDATE\",\"memory_id\":\"m1\",\"content\":\"x\"}";
    assertThat(failure(client().decide(FACT, List.of())).getMessage())
        .startsWith("event UPDATE needs an existing memory but none were given");
    assertThat(userMessage()).contains("Existing memories (JSON):\n[]").contains("answer ADD or NONE");
    content = "{\"event\":\"DELETE\",\"memory_id\":\"m1\"}";
    assertThat(failure(client().decide(FACT, List.of())).kind()).isEqualTo(LlmException.Kind.MALFORMED);
  }

  @Test
  void testDecideDelete() throws Exception {
    content = "```json\n{\"event\":\"delete\",\"memory_id\":\"m2\",\"content\":\"ignored\",\"reason\":\"moved away\"}\n```";
    assertThat(await(client().decide(new Fact("User no longer lives in Osaka", "fact", List.of(), 0.5), SIMILAR)))
        .isEqualTo(new Decision(Event.DELETE, "m2", null, "moved away"));
  }

  @Test
  void testDecideNone() throws Exception {
    content = "{\"event\":\"NONE\",\"memory_id\":\"m1\",\"content\":null,\"reason\":\"already known\"}";
    assertThat(await(client().decide(FACT, SIMILAR))).isEqualTo(new Decision(Event.NONE, "m1", null, "already known"));
    content = "{\"event\":\"NONE\",\"memory_id\":\"m9\"}";
    assertThat(await(client().decide(FACT, SIMILAR))).isEqualTo(new Decision(Event.NONE, null, null, null));
  }

  @Test
  void testDecideUnknownEventIsMalformed() throws Exception {
    content = "{\"event\":\"MERGE\",\"memory_id\":\"m1\"}";
    LlmException e = failure(client().decide(FACT, SIMILAR));
    assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("event 'MERGE' is not one of ADD, UPDATE, DELETE, NONE");
    content = "{\"memory_id\":\"m1\"}";
    assertThat(failure(client().decide(FACT, SIMILAR)).getMessage()).isEqualTo("event is missing");
  }

  // --- options

  @Test
  void testOptionsRefuseBadSettingsNamingThem() {
    for (String bad : List.of("localhost:11434", "ftp://host/v1", "/v1", "", "http://host/v1?x=1")) {
      assertThatThrownBy(() -> new LlmOptions(bad, "m", null)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("llm.base_url");
    }
    assertThatThrownBy(() -> new LlmOptions(null, "m", null)).hasMessageContaining("llm.base_url");
    assertThatThrownBy(() -> new LlmOptions("http://localhost:11434", " ", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("llm.model");
    assertThatThrownBy(() -> new LlmOptions("http://localhost:11434", "m", null, 0, 5)).hasMessageContaining("llm.timeout_ms");
    assertThatThrownBy(() -> new LlmOptions("http://localhost:11434", "m", null, 10, 0)).hasMessageContaining("llm.max_facts");
  }

  @Test
  void testOptionsNeverShowTheApiKey() {
    assertThat(new LlmOptions("https://api.openai.com/v1", "gpt-4o-mini", "sk-secret").toString())
        .doesNotContain("sk-secret").contains("apiKey=***");
  }
}
