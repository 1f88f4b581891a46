package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recall gate, POST /api/v1/chat/context, on a real server with the real model. */
@DisplayName("recall gate")
class RecallGateTest {
  @TempDir
  static Path dir;
  static TestServer server;
  static final String NS = "gate";

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject()).start();
    JsonArray memories = new JsonArray();
    for (String s : new String[] {"My left knee hurts on downhill runs; the physio said it is patellofemoral pain.",
        "I run in Brooks Ghost shoes.", "Our team deploys the billing service on Thursdays.",
        "I am vegetarian and avoid fish stock.", "うちの猫の名前はもちで、三毛猫です。", "The staging database is PostgreSQL 16.",
        "I prefer dark mode in every editor.", "My sister Ana lives in Lisbon."}) {
      memories.add(new JsonObject().put("content", s));
    }
    TestServer.Resp r = server.post("/api/v1/memories:batch", NS, new JsonObject().put("memories", memories));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static JsonObject gate(JsonObject body) throws Exception {
    TestServer.Resp r = server.post("/api/v1/chat/context", NS, body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  static JsonObject gate(String message) throws Exception {
    return gate(new JsonObject().put("message", message));
  }

  @Test
  @DisplayName("small talk and general questions need no memory, and the reply says why")
  void notNeeded() throws Exception {
    for (String m : new String[] {"Hello!", "Thanks, that's all for now!", "What is the capital of Australia?",
        "Write a haiku about autumn rain."}) {
      JsonObject r = gate(m);
      assertThat(r.getBoolean("needed")).as(m + " " + r.encode()).isFalse();
      assertThat(r.getString("reason")).as(m).isNotBlank();
      assertThat(r.containsKey("context")).isFalse();
    }
  }

  @Test
  @DisplayName("a recall cue or a question about the user brings the memories, packed under the budget")
  void needed() throws Exception {
    JsonObject knee = gate("What did I tell you about my knee last time?");
    assertThat(knee.getBoolean("needed")).as(knee.encode()).isTrue();
    assertThat(knee.getJsonObject("signals").getString("cue_kind")).isEqualTo("recall");
    assertThat(knee.getString("context")).startsWith("Relevant memories:\n").contains("patellofemoral");
    assertThat(knee.getInteger("used_tokens")).isLessThanOrEqualTo(knee.getInteger("max_tokens"));

    JsonObject shoes = gate("Which running shoes do I have?");
    assertThat(shoes.getBoolean("needed")).as(shoes.encode()).isTrue();
    assertThat(shoes.getString("context")).contains("Brooks Ghost");

    JsonObject cat = gate("前回話した猫の名前、覚えてる？");
    assertThat(cat.getBoolean("needed")).as(cat.encode()).isTrue();
    assertThat(cat.getString("context")).contains("もち");

    JsonObject tight = gate(new JsonObject().put("message", "Do you remember everything about me?").put("max_tokens", 100));
    assertThat(tight.getInteger("used_tokens")).isLessThanOrEqualTo(100);
  }

  @Test
  @DisplayName("a short follow-up borrows the previous user turn from recent")
  void followUp() throws Exception {
    JsonObject r = gate(new JsonObject().put("message", "and the other one?").put("recent", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "Remind me which database staging uses"))
        .add(new JsonObject().put("role", "assistant").put("content", "Staging uses PostgreSQL 16."))));
    assertThat(r.getBoolean("needed")).as(r.encode()).isTrue();
    assertThat(r.getString("context")).contains("PostgreSQL 16");
  }

  @Test
  @DisplayName("bad input is a 400 naming the field; nothing else is accepted")
  void badInput() throws Exception {
    Object[][] cases = {
        {new JsonObject(), "message"},
        {new JsonObject().put("message", ""), "message"},
        {new JsonObject().put("message", "x".repeat(4_001)), "message"},
        {new JsonObject().put("message", "hi").put("max_tokens", 10), "max_tokens"},
        {new JsonObject().put("message", "hi").put("recent", "yesterday"), "recent"},
        {new JsonObject().put("message", "hi").put("recent", new JsonArray().add(new JsonObject().put("role", "boss")
            .put("content", "x"))), "recent[0].role"},
        {new JsonObject().put("message", "hi").put("recent", new JsonArray().add(new JsonObject().put("role", "user"))),
            "recent[0].content"},
        {new JsonObject().put("message", "hi").put("as_of", "soon"), "as_of"},
        {new JsonObject().put("message", "hi").put("mode", "fast"), "mode"}};
    for (Object[] c : cases) {
      TestServer.Resp r = server.post("/api/v1/chat/context", NS, (JsonObject) c[0]);
      assertThat(r.status()).as(c[0] + " " + r.text()).isEqualTo(400);
      assertThat(r.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo(c[1]);
    }
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(new JsonObject().put("role", "user").put("content", "turn " + i));
    }
    TestServer.Resp tooMany = server.post("/api/v1/chat/context", NS, new JsonObject().put("message", "hi").put("recent", eleven));
    assertThat(tooMany.status()).isEqualTo(400);
  }
}
