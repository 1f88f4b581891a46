package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API end to end: real HTTP on loopback, the real e5 model, a real SQLite file. */
@DisplayName("memory REST API")
class MemoryApiTest {
  @TempDir
  static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, null).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String ns() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The target ids of a remember reply's relations of one type. */
  static List<String> relationTargets(JsonObject rememberReply, String type) {
    return rememberReply.getJsonArray("relations").stream().map(o -> (JsonObject) o)
        .filter(r -> r.getString("relation_type").equals(type))
        .map(r -> r.getString("target_id")).toList();
  }

  static List<String> ids(JsonObject searchReply) {
    return searchReply.getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }


  @Test
  @DisplayName("a paraphrase with no shared keyword is recalled by semantic search")
  void recallsParaphrase() throws Exception {
    String ns = ns();
    String target = server.remember(ns, "The user's dog is a golden retriever named Biscuit").getString("id");
    server.remember(ns, "The quarterly budget review is scheduled for March");
    server.remember(ns, "Deploys go through the staging cluster before production");
    JsonObject r = server.search(ns, new JsonObject().put("query", "what kind of pet does he own?")
        .put("search_type", "semantic"));
    assertThat(ids(r)).first().isEqualTo(target);
    assertThat(r.getString("search_type")).isEqualTo("semantic");
    JsonObject hybrid = server.search(ns, new JsonObject().put("query", "what kind of pet does he own?"));
    assertThat(ids(hybrid)).first().isEqualTo(target);
  }

  @Test
  @DisplayName("a Japanese memory is found by a Japanese keyword query")
  void japaneseKeyword() throws Exception {
    String ns = ns();
    String ramen = server.remember(ns, "私は味噌ラーメンが大好きです").getString("id");
    server.remember(ns, "東京の本社は来月移転します");
    server.remember(ns, "The team prefers tabs over spaces");
    JsonObject r = server.search(ns, new JsonObject().put("query", "ラーメン").put("search_type", "keyword"));
    assertThat(ids(r)).first().isEqualTo(ramen);
    JsonObject two = server.search(ns, new JsonObject().put("query", "東京はどう？"));
    assertThat(ids(two)).first().isNotEqualTo(ramen);
    assertThat(two.getJsonArray("results").getJsonObject(0).getString("content")).contains("東京");
  }

  @Test
  @DisplayName("near-identical text is merged into the existing memory, tags unioned, history kept")
  void mergesNearIdentical() throws Exception {
    String ns = ns();
    JsonObject first = server.remember(ns, new JsonObject()
        .put("content", "The user prefers dark mode in the editor").put("tags", new JsonArray().add("ui")));
    JsonObject second = server.remember(ns, new JsonObject()
        .put("content", "The user prefers dark mode in the editor.").put("tags", new JsonArray().add("editor")));
    assertThat(second.getString("action")).isEqualTo("merged");
    assertThat(second.getString("id")).isEqualTo(first.getString("id"));
    assertThat(second.getJsonObject("memory").getJsonArray("tags").getList()).containsExactlyInAnyOrder("ui", "editor");
    JsonObject list = server.get("/api/v1/memories", ns).json();
    assertThat(list.getJsonArray("memories")).hasSize(1);
    JsonObject hist = server.get("/api/v1/memories/" + first.getString("id") + "/history", ns).json();
    List<String> types = hist.getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("type")).toList();
    assertThat(types).containsExactly("CREATE", "MERGE");
    JsonObject merge = hist.getJsonArray("events").getJsonObject(1).getJsonObject("data");
    assertThat(merge.getJsonObject("incoming").getString("content")).isEqualTo("The user prefers dark mode in the editor.");
  }

  @Test
  @DisplayName("a fuller version of a stored sentence updates it and re-embeds; the old text stays in history")
  void updatesWithMoreDetail() throws Exception {
    String ns = ns();
    JsonObject first = server.remember(ns, "The user prefers dark mode in the editor");
    JsonObject second = server.remember(ns, "The user prefers dark mode in the editor and the terminal");
    assertThat(second.getString("action")).isEqualTo("updated");
    assertThat(second.getString("id")).isEqualTo(first.getString("id"));
    assertThat(second.getJsonObject("memory").getString("content")).endsWith("and the terminal");
  }

  @Test
  @DisplayName("contradicting decisions are kept as two memories, the newer superseding the older")
  void supersedesContradiction() throws Exception {
    String ns = ns();
    JsonObject pg = server.remember(ns, new JsonObject().put("content", "We decided to use PostgreSQL 16 for the main database").put("type", "decision"));
    JsonObject my = server.remember(ns, new JsonObject().put("content", "We decided to use MySQL 8 for the main database").put("type", "decision"));
    assertThat(my.getString("action")).isEqualTo("created");
    assertThat(my.getString("id")).isNotEqualTo(pg.getString("id"));
    assertThat(relationTargets(my, "supersedes")).containsExactly(pg.getString("id"));
    assertThat(server.get("/api/v1/memories/" + pg.getString("id"), ns).status()).isEqualTo(200);
    JsonObject r = server.search(ns, new JsonObject().put("query", "which database did we pick").put("include_relations", true));
    assertThat(ids(r)).contains(pg.getString("id"), my.getString("id"));
    JsonObject mine = r.getJsonArray("results").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("id").equals(my.getString("id"))).findFirst().orElseThrow();
    assertThat(mine.getJsonArray("relations").encode()).contains("supersedes");
  }

  @Test
  @DisplayName("two unrelated Japanese sentences are never merged (e5 scores them 0.94)")
  void japaneseUnrelatedNotMerged() throws Exception {
    String ns = ns();
    JsonObject a = server.remember(ns, "東京の天気は晴れです");
    JsonObject b = server.remember(ns, "私はラーメンが好きです");
    assertThat(b.getString("action")).isEqualTo("created");
    assertThat(b.getString("id")).isNotEqualTo(a.getString("id"));
    assertThat(b.getJsonArray("relations")).isEmpty();
    JsonObject dup = server.remember(ns, "東京の天気は晴れです。");
    assertThat(dup.getString("action")).isEqualTo("merged");
    assertThat(dup.getString("id")).isEqualTo(a.getString("id"));
  }

  @Test
  @DisplayName("a paraphrase is stored as its own memory related to the first")
  void paraphraseRelated() throws Exception {
    String ns = ns();
    JsonObject a = server.remember(ns, "The user prefers dark mode in the editor");
    JsonObject b = server.remember(ns, "User likes a dark theme for the IDE");
    assertThat(b.getString("action")).isEqualTo("created");
    assertThat(relationTargets(b, "related_to")).containsExactly(a.getString("id"));
  }

  @Test
  @DisplayName("filters narrow recall and listing: type, tags, scope, min importance, since, expired")
  void filters() throws Exception {
    String ns = ns();
    String decision = server.remember(ns, new JsonObject().put("content", "We chose Kotlin for the Android app")
        .put("type", "decision").put("tags", new JsonArray().add("mobile").add("lang")).put("importance", 0.9)
        .put("scope", "project").put("scope_id", "app")).getString("id");
    String note = server.remember(ns, new JsonObject().put("content", "Kotlin coroutines tutorial link saved")
        .put("type", "note").put("tags", new JsonArray().add("lang")).put("importance", 0.2)
        .put("created_at", "2020-01-01T00:00:00Z")).getString("id");
    String expired = server.remember(ns, new JsonObject().put("content", "Temporary Kotlin workshop password reset")
        .put("expires_at", "2021-01-01T00:00:00Z")).getString("id");
    JsonObject q = new JsonObject().put("query", "Kotlin");
    assertThat(ids(server.search(ns, q.copy()))).containsExactlyInAnyOrder(decision, note);
    assertThat(ids(server.search(ns, q.copy().put("filters", new JsonObject().put("type", "decision"))))).containsExactly(decision);
    assertThat(ids(server.search(ns, q.copy().put("filters", new JsonObject().put("tags", new JsonArray().add("lang").add("mobile")))))).containsExactly(decision);
    assertThat(ids(server.search(ns, q.copy().put("filters", new JsonObject().put("min_importance", 0.5))))).containsExactly(decision);
    assertThat(ids(server.search(ns, q.copy().put("filters", new JsonObject().put("since", "2024-01-01T00:00:00Z"))))).containsExactly(decision);
    assertThat(ids(server.search(ns, q.copy().put("filters", new JsonObject().put("scope", "project").put("scope_id", "app"))))).containsExactly(decision);
    assertThat(ids(server.search(ns, q.copy().put("filters", new JsonObject().put("include_expired", true))))).contains(expired);
    JsonObject list = server.get("/api/v1/memories?type=note&tags=lang", ns).json();
    assertThat(list.getJsonArray("memories").stream().map(o -> ((JsonObject) o).getString("id")).toList()).containsExactly(note);
    JsonObject viaGet = server.get("/api/v1/search?query=Kotlin&type=decision", ns).json();
    assertThat(ids(viaGet)).containsExactly(decision);
    // filters.scope_ids: any of
    assertThat(ids(server.search(ns, q.copy().put("filters", new JsonObject().put("scope_ids", new JsonArray().add("app").add("x"))))))
        .containsExactly(decision);
  }

  @Test
  @DisplayName("a long query (a 300-character CJK run, 100 words) is searched, not refused for its internal term list")
  void longQuery() throws Exception {
    String ns = ns();
    String id = server.remember(ns, "東京タワーの展望台から富士山が見えた").getString("id");
    StringBuilder q = new StringBuilder("東京タワー" + "あ".repeat(300) + " ");
    for (int i = 0; i < 100; i++) {
      q.append("word").append(i).append(' ');
    }
    TestServer.Resp r = server.post("/api/v1/search", ns, new JsonObject().put("query", q.toString()).put("search_type", "keyword"));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(ids(r.json())).contains(id);
  }

  @Test
  @DisplayName("updating content re-embeds it: recall follows the new text")
  void updateReembeds() throws Exception {
    String ns = ns();
    String id = server.remember(ns, "The office wifi password changes every month").getString("id");
    server.remember(ns, "Lunch is served at noon in the cafeteria");
    JsonObject patch = server.call("PATCH", "/api/v1/memories/" + id, ns,
        new JsonObject().put("content", "The user's favourite fruit is mango").put("importance", 0.8).encode()).json();
    assertThat(patch.getBoolean("reembedded")).isTrue();
    assertThat(patch.getJsonObject("memory").getString("content")).isEqualTo("The user's favourite fruit is mango");
    JsonObject r = server.search(ns, new JsonObject().put("query", "what tropical produce does she enjoy eating").put("search_type", "semantic"));
    assertThat(ids(r)).first().isEqualTo(id);
    JsonObject kw = server.search(ns, new JsonObject().put("query", "wifi").put("search_type", "keyword"));
    assertThat(ids(kw)).doesNotContain(id);
    JsonObject hist = server.get("/api/v1/memories/" + id + "/history", ns).json();
    JsonObject upd = hist.getJsonArray("events").getJsonObject(1);
    assertThat(upd.getString("type")).isEqualTo("UPDATE");
    assertThat(upd.getJsonObject("data").getJsonObject("changes").getJsonObject("content").getString("from"))
        .isEqualTo("The office wifi password changes every month");
  }

  @Test
  @DisplayName("forget by id; forget by query is a dry run until confirm=true; history keeps the DELETE")
  void forget() throws Exception {
    String ns = ns();
    String a = server.remember(ns, "Meeting notes about the Falcon launch").getString("id");
    String b = server.remember(ns, "Falcon launch checklist owner is Priya").getString("id");
    String c = server.remember(ns, "Weekly groceries list: eggs and milk").getString("id");
    JsonObject dry = server.call("DELETE", "/api/v1/memories?query=Falcon", ns, null).json();
    assertThat(dry.getBoolean("dry_run")).isTrue();
    assertThat(dry.getJsonArray("memories").stream().map(o -> ((JsonObject) o).getString("id")).toList()).containsExactlyInAnyOrder(a, b);
    assertThat(server.get("/api/v1/memories/" + a, ns).status()).isEqualTo(200);
    JsonObject done = server.call("DELETE", "/api/v1/memories?query=Falcon&confirm=true", ns, null).json();
    assertThat(done.getJsonArray("deleted").getList()).containsExactlyInAnyOrder(a, b);
    assertThat(server.get("/api/v1/memories/" + a, ns).status()).isEqualTo(404);
    assertThat(server.call("DELETE", "/api/v1/memories/" + c, ns, null).status()).isEqualTo(200);
    assertThat(server.call("DELETE", "/api/v1/memories/" + c, ns, null).status()).isEqualTo(404);
    JsonObject hist = server.get("/api/v1/memories/" + c + "/history", ns).json();
    List<String> types = hist.getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("type")).toList();
    assertThat(types).containsExactly("CREATE", "DELETE");
    assertThat(hist.getJsonArray("events").getJsonObject(1).encode()).contains("eggs and milk");
    assertThat(server.call("DELETE", "/api/v1/memories", ns, null).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("recall writes ACCESS events after replying")
  void accessEvents() throws Exception {
    String ns = ns();
    String id = server.remember(ns, "The staging database lives in eu-west-1").getString("id");
    server.search(ns, new JsonObject().put("query", "staging database"));
    JsonObject m = null;
    for (int i = 0; i < 50; i++) {
      m = server.get("/api/v1/memories/" + id, ns).json().getJsonObject("memory");
      if (m.getLong("access_count") > 0) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(m.getLong("access_count")).isEqualTo(1);
    JsonObject hist = server.get("/api/v1/memories/" + id + "/history", ns).json();
    assertThat(hist.getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("type")).toList())
        .containsExactly("CREATE", "ACCESS");
  }

  @Test
  @DisplayName("relations: created, idempotent, bidirectional, unknown ids are 404 naming the field")
  void relations() throws Exception {
    String ns = ns();
    String a = server.remember(ns, "Alice leads the payments team").getString("id");
    String b = server.remember(ns, "The payments service is written in Go").getString("id");
    JsonObject rel = new JsonObject().put("source_id", a).put("target_id", b).put("relation_type", "works_on").put("bidirectional", true);
    TestServer.Resp r1 = server.post("/api/v1/relations", ns, rel);
    assertThat(r1.status()).isEqualTo(201);
    assertThat(r1.json().getJsonArray("relations")).hasSize(2);
    assertThat(server.post("/api/v1/relations", ns, rel).status()).isEqualTo(201);
    TestServer.Resp missing = server.post("/api/v1/relations", ns, rel.copy().put("target_id", "nope"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("target_id");
    JsonObject s = server.search(ns, new JsonObject().put("query", "payments").put("include_relations", true));
    JsonObject first = s.getJsonArray("results").getJsonObject(0);
    assertThat(first.getJsonArray("relations")).hasSize(2);
  }

  @Test
  @DisplayName("namespaces are isolated: another persona sees nothing")
  void namespaces() throws Exception {
    String ns = ns();
    String id = server.remember(ns, "Secret project codename is Bluebird").getString("id");
    assertThat(ids(server.search(ns(), new JsonObject().put("query", "Bluebird codename")))).isEmpty();
    assertThat(server.get("/api/v1/memories/" + id, ns()).status()).isEqualTo(404);
    TestServer.Resp viaNamespace = server.call("GET", "/api/v1/memories/" + id, null, null);
    assertThat(viaNamespace.status()).isEqualTo(404);
  }

  @Test
  @DisplayName("secrets are masked before anything is stored or embedded")
  void masksSecrets() throws Exception {
    String ns = ns();
    JsonObject r = server.remember(ns, "Deploy key is AKIAIOSFODNN7EXAMPLE and db is postgres://app:hunter2secret@db:5432/main");
    String content = r.getJsonObject("memory").getString("content");
    assertThat(content).doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("hunter2secret")
        .contains("[REDACTED:aws_access_key]").contains("[REDACTED:connection_url]");
    assertThat(r.getJsonArray("masked").getList()).contains("aws_access_key", "connection_url");
    JsonObject hist = server.get("/api/v1/memories/" + r.getString("id") + "/history", ns).json();
    assertThat(hist.encode()).doesNotContain("hunter2secret");
  }

  @Test
  @DisplayName("health reports the model, dimension, backend and count")
  void health() throws Exception {
    JsonObject h = server.get("/health", null).json();
    assertThat(h.getString("status")).isEqualTo("healthy");
    assertThat(h.getString("model")).isEqualTo("e5-small-v2-q");
    assertThat(h.getInteger("dimension")).isEqualTo(384);
    // the backend this run configured (the suite runs once per backend, see server/pom.xml)
    assertThat(h.getString("backend")).isEqualTo(System.getProperty("memory.test.backend", "sqlite"));
    assertThat(h.getLong("memories")).isNotNull();
    if ("sqlite".equals(h.getString("backend"))) { // the Lucene index beside the file comes in line, then warm
      long deadline = System.currentTimeMillis() + 20_000;
      while (!h.getBoolean("warm") && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        h = server.get("/health", null).json();
      }
      assertThat(h.getJsonObject("vector_index").getString("state")).isEqualTo("warm");
    } else {
      assertThat(h.getValue("vector_index")).isNull(); // Qdrant indexes its own vectors
    }
    assertThat(h.getBoolean("warm")).isTrue();
    assertThat(h.getValue("loading")).isNull();
    assertThat(server.get("/health/ready", null).json().getString("status")).isEqualTo("healthy");
  }

  @Test
  @DisplayName("listing pages with a cursor return every memory exactly once")
  void listPaging() throws Exception {
    String ns = ns();
    String[] topics = {"astronomy", "baking", "cycling", "diving", "economics", "fencing", "gardening"};
    for (String t : topics) {
      server.remember(ns, new JsonObject().put("content", "Note number about " + t).put("importance", 0.4));
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = server.get("/api/v1/memories?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), ns).json();
      page.getJsonArray("memories").forEach(o -> assertThat(seen.add(((JsonObject) o).getString("id"))).isTrue());
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(seen).hasSize(topics.length);
    assertThat(pages).isEqualTo(3);
  }
}
