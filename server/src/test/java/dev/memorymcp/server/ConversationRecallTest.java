package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recall over conversations (issue 14), through the REST API of a real server. */
@DisplayName("conversational recall")
class ConversationRecallTest {
  @TempDir
  static Path dir;
  @TempDir
  static Path plainDir;
  static TestServer server;
  /** The same service with session context off, to show what it changes. */
  static TestServer plain;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject()).start();
    plain = new TestServer(plainDir, new JsonObject().put("search.session_context", 0.0)).start();
    for (TestServer s : List.of(server, plain)) {
      JsonArray turns = new JsonArray()
          .add(turn("I finally went to the dentist about my tooth.", "chat-1", "2026-03-02T19:00:00Z"))
          .add(turn("How did it go?", "chat-1", "2026-03-02T19:01:00Z"))
          .add(turn("She said I need a crown, it will cost about 900 dollars.", "chat-1", "2026-03-02T19:02:00Z"))
          .add(turn("We adopted a greyhound called Biscuit.", "chat-2", "2026-03-09T19:00:00Z"))
          .add(turn("The crown jewels exhibition in London was crowded.", "chat-3", "2026-03-10T19:00:00Z"))
          .add(turn("I cooked a mushroom risotto for dinner.", "chat-4", "2026-02-10T19:00:00Z"))
          .add(turn("I cooked a lentil curry for dinner.", "chat-5", "2026-03-18T19:00:00Z"))
          .add(turn("I cooked a pumpkin soup for dinner.", "chat-6", "2026-03-25T19:00:00Z"));
      TestServer.Resp r = s.post("/api/v1/memories:batch", "conv", new JsonObject().put("memories", turns).put("dedupe", false));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    plain.close();
  }

  static JsonObject turn(String content, String session, String at) {
    return new JsonObject().put("content", content).put("session_id", session).put("created_at", at);
  }

  static List<String> keyword(TestServer s, String query) throws Exception {
    TestServer.Resp r = s.post("/api/v1/search", "conv", new JsonObject().put("query", query)
        .put("search_type", "keyword").put("limit", 5).put("record_access", false));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("content")).toList();
  }

  static JsonObject search(TestServer s, String query, String asOf) throws Exception {
    TestServer.Resp r = s.post("/api/v1/search", "conv", new JsonObject().put("query", query).put("as_of", asOf)
        .put("limit", 3).put("record_access", false));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  @Test
  @DisplayName("time cues: 'last week' / 先週 relative to as_of lift what was said then, and the reply says how it was read")
  void timeCues() throws Exception {
    JsonObject lastWeek = search(server, "What did I cook for dinner last week?", "2026-03-24T10:00:00Z");
    assertThat(lastWeek.getJsonArray("results").getJsonObject(0).getString("content"))
        .isEqualTo("I cooked a lentil curry for dinner.");
    assertThat(lastWeek.getJsonObject("time_cue").getString("cue")).isEqualTo("last week");
    assertThat(lastWeek.getJsonObject("time_cue").getString("from")).startsWith("2026-03-15");
    JsonObject weekAfter = search(server, "What did I cook for dinner last week?", "2026-03-31T10:00:00Z");
    assertThat(weekAfter.getJsonArray("results").getJsonObject(0).getString("content"))
        .isEqualTo("I cooked a pumpkin soup for dinner.");
    JsonObject japanese = search(server, "先月の夕食は何を作った？ dinner", "2026-03-05T10:00:00Z");
    assertThat(japanese.getJsonArray("results").getJsonObject(0).getString("content"))
        .isEqualTo("I cooked a mushroom risotto for dinner.");
    assertThat(search(server, "What did I cook for dinner?", "2026-03-24T10:00:00Z").containsKey("time_cue")).isFalse();
    TestServer.Resp bad = server.post("/api/v1/search", "conv", new JsonObject().put("query", "x").put("as_of", "soon"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("as_of");
  }

  @Test
  @DisplayName("multi-hop expansion: the best candidates bring in the memories they are related to, filters still apply")
  void expansion() throws Exception {
    @SuppressWarnings("resource")
    TestServer expanding = new TestServer(dir.resolve("expanding"), new JsonObject().put("search.expand", 0.5)).start();
    try {
      for (TestServer s : List.of(expanding, plain)) {
        String a = s.remember("hop", new JsonObject().put("content", "The billing service stores invoices in PostgreSQL 16."))
            .getString("id");
        String b = s.remember("hop", new JsonObject().put("content", "Nightly backups go to the cold-storage bucket.")
            .put("type", "fact")).getString("id");
        TestServer.Resp rel = s.post("/api/v1/relations", "hop", new JsonObject().put("source_id", a).put("target_id", b)
            .put("relation_type", "depends_on"));
        assertThat(rel.status()).as(rel.text()).isEqualTo(201);
      }
      JsonObject q = new JsonObject().put("query", "where are billing invoices stored").put("search_type", "keyword")
          .put("record_access", false);
      List<String> hopped = contents(expanding.post("/api/v1/search", "hop", q).json());
      assertThat(hopped).containsExactly("The billing service stores invoices in PostgreSQL 16.",
          "Nightly backups go to the cold-storage bucket.");
      assertThat(contents(plain.post("/api/v1/search", "hop", q).json()))
          .containsExactly("The billing service stores invoices in PostgreSQL 16.");
      JsonObject notes = q.copy().put("filters", new JsonObject().put("type", "note"));
      assertThat(contents(expanding.post("/api/v1/search", "hop", notes).json()))
          .containsExactly("The billing service stores invoices in PostgreSQL 16.");
    } finally {
      expanding.close();
    }
  }

  static List<String> contents(JsonObject reply) {
    return reply.getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("content")).toList();
  }

  @Test
  @DisplayName("session context: a turn that leaves out the topic word is found through its neighbours")
  void sessionContext() throws Exception {
    String crown = "She said I need a crown, it will cost about 900 dollars.";
    assertThat(keyword(plain, "dentist")).containsExactly("I finally went to the dentist about my tooth.");
    List<String> found = keyword(server, "dentist");
    assertThat(found.get(0)).isEqualTo("I finally went to the dentist about my tooth.");
    assertThat(found).contains(crown, "How did it go?")
        .doesNotContain("We adopted a greyhound called Biscuit.", "The crown jewels exhibition in London was crowded.");
  }
}
