package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Duplicate detection, merging chosen memories, restoring from history, cleaning, the graph: over REST with roles. */
@DisplayName("curation: duplicates, merge, restore, clean, graph (REST)")
class CurationApiTest {
  static final String ADMIN = "bootstrap-admin-key-for-curation-0123456789";
  @TempDir
  static Path dir;
  static TestServer server;
  static String member;
  static String viewer;

  @BeforeAll
  static void start() throws Exception {
    // dedupe off: the duplicates are stored as they come, as a store filled before dedupe would hold them
    server = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)
        .put("dedupe.enabled", false)).start();
    member = key("member", "cur", "cur2");
    viewer = key("viewer", "cur");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String key(String role, String... namespaces) throws Exception {
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/admin/keys", null, new JsonObject().put("name", role + "-k").put("role", role)
        .put("namespaces", new JsonArray(List.of(namespaces))).encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getString("key");
  }

  static TestServer.Resp as(String key, String method, String path, String ns, String body) throws Exception {
    return server.call(method, path, ns, body, Map.of("Authorization", "Bearer " + key));
  }

  static String remember(String ns, String content) throws Exception {
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/memories", ns, new JsonObject().put("content", content).encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getString("id");
  }

  static JsonObject ok(TestServer.Resp r) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  @Test
  @DisplayName("duplicates: close pairs with the dedupe verdict and why; unrelated memories are not paired; a viewer may look")
  void duplicatesWithVerdicts() throws Exception {
    String a = remember("cur", "The user's favourite editor is Neovim");
    String b = remember("cur", "The user's favourite editor is Neovim.");
    String c = remember("cur", "The user's favourite editor is not Neovim anymore");
    remember("cur", "Standup is at 9:30 every weekday");
    JsonObject found = ok(as(viewer, "GET", "/api/v1/duplicates?threshold=0.85", "cur", null));
    JsonArray pairs = found.getJsonArray("pairs");
    JsonObject same = pairOf(pairs, a, b);
    assertThat(same.getString("verdict")).isEqualTo("merge");
    assertThat(same.getString("reason")).isNotBlank();
    assertThat(same.getDouble("dense")).isGreaterThan(0.95);
    JsonObject negated = pairOf(pairs, a, c);
    if (negated != null) { // close in the model's eyes, but never a merge
      assertThat(negated.getString("verdict")).isNotIn("merge", "update");
    }
    assertThat(pairs.stream().map(o -> ((JsonObject) o).encode()).noneMatch(s -> s.contains("Standup"))).isTrue();
    assertThat(found.getInteger("scanned")).isGreaterThanOrEqualTo(4);
    assertThat(as(viewer, "GET", "/api/v1/duplicates?threshold=2", "cur", null).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("merge keeps every word, moves relations and history; restoring the MERGE brings the merged memory back; members may not merge")
  void mergeAndUndo() throws Exception {
    String into = remember("cur2", "Deploys happen on Tuesdays");
    String other = remember("cur2", "Deploys need a sign-off from Priya");
    String third = remember("cur2", "Priya leads the platform team");
    assertThat(as(ADMIN, "POST", "/api/v1/relations", "cur2", new JsonObject().put("source_id", other).put("target_id", third)
        .put("relation_type", "related_to").encode()).status()).isEqualTo(201);
    assertThat(as(member, "POST", "/api/v1/memories:merge", "cur2", new JsonObject().put("ids", new JsonArray().add(into).add(other)).encode())
        .status()).isEqualTo(403);

    JsonObject merged = ok(as(ADMIN, "POST", "/api/v1/memories:merge", "cur2",
        new JsonObject().put("ids", new JsonArray().add(into).add(other)).encode()));
    assertThat(merged.getJsonObject("memory").getString("content"))
        .contains("Deploys happen on Tuesdays").contains("Deploys need a sign-off from Priya");
    assertThat(merged.getJsonArray("merged")).containsExactly(other);
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + other, "cur2", null).status()).isEqualTo(404);
    JsonArray edges = ok(as(ADMIN, "GET", "/api/v1/graph", "cur2", null)).getJsonArray("edges");
    assertThat(edges.stream().map(o -> (JsonObject) o).anyMatch(e -> e.getString("source").equals(into)
        && e.getString("target").equals(third))).as(edges.encode()).isTrue(); // the relation moved to the target
    JsonArray events = ok(as(ADMIN, "GET", "/api/v1/memories/" + into + "/history", "cur2", null)).getJsonArray("events");
    JsonObject mergeEvent = events.getJsonObject(events.size() - 1);
    assertThat(mergeEvent.getString("type")).isEqualTo("MERGE");
    assertThat(mergeEvent.getJsonObject("data").getJsonArray("merged").getJsonObject(0).getString("id")).isEqualTo(other);

    // a member may restore: the merge is undone and the merged memory is back
    JsonObject undone = ok(as(member, "POST", "/api/v1/memories/" + into + "/restore", "cur2",
        new JsonObject().put("event_seq", mergeEvent.getLong("seq")).encode()));
    assertThat(undone.getJsonObject("memory").getString("content")).isEqualTo("Deploys happen on Tuesdays");
    assertThat(undone.getJsonArray("restored")).containsExactly(into, other);
    assertThat(ok(as(ADMIN, "GET", "/api/v1/memories/" + other, "cur2", null)).getJsonObject("memory").getString("content"))
        .isEqualTo("Deploys need a sign-off from Priya");
    // and it is found by meaning again (it was re-embedded)
    JsonObject r = ok(as(ADMIN, "POST", "/api/v1/search", "cur2",
        new JsonObject().put("query", "who has to approve a deploy").put("search_type", "semantic").put("limit", 1).encode()));
    assertThat(r.getJsonArray("results").getJsonObject(0).getString("id")).isEqualTo(other);
  }

  @Test
  @DisplayName("a merge whose text would pass the content limit is refused, naming ids, and changes nothing")
  void mergeTooLong() throws Exception {
    String a = remember("cur2", "Long note A: " + "alpha ".repeat(2_000));
    String b = remember("cur2", "Long note B: " + "beta ".repeat(2_000));
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/memories:merge", "cur2", new JsonObject().put("ids", new JsonArray().add(a).add(b)).encode());
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("ids");
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + b, "cur2", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("restore: a deleted memory comes back whole; an update is reverted; bad event numbers name event_seq")
  void restoreFromHistory() throws Exception {
    String id = remember("cur2", "The office wifi password rotates monthly");
    ok(as(ADMIN, "PATCH", "/api/v1/memories/" + id, "cur2", new JsonObject().put("content", "The office wifi password rotates weekly")
        .put("importance", 0.9).encode()));
    JsonArray events = ok(as(ADMIN, "GET", "/api/v1/memories/" + id + "/history", "cur2", null)).getJsonArray("events");
    long update = events.getJsonObject(events.size() - 1).getLong("seq");
    JsonObject reverted = ok(as(ADMIN, "POST", "/api/v1/memories/" + id + "/restore", "cur2",
        new JsonObject().put("event_seq", update).encode()));
    assertThat(reverted.getJsonObject("memory").getString("content")).isEqualTo("The office wifi password rotates monthly");
    assertThat(reverted.getJsonObject("memory").getDouble("importance")).isEqualTo(0.5);

    assertThat(as(ADMIN, "DELETE", "/api/v1/memories/" + id, "cur2", null).status()).isEqualTo(200);
    JsonObject back = ok(as(ADMIN, "POST", "/api/v1/memories/" + id + "/restore", "cur2", null));
    assertThat(back.getJsonObject("memory").getString("content")).isEqualTo("The office wifi password rotates monthly");
    assertThat(ok(as(ADMIN, "GET", "/api/v1/memories/" + id + "/history", "cur2", null)).getJsonArray("events").stream()
        .map(o -> ((JsonObject) o).getString("type")).toList()).containsSubsequence("CREATE", "UPDATE", "UPDATE", "DELETE", "CREATE");

    TestServer.Resp noSeq = as(ADMIN, "POST", "/api/v1/memories/" + id + "/restore", "cur2", null);
    assertThat(noSeq.status()).isEqualTo(400);
    assertThat(noSeq.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("event_seq");
    assertThat(as(ADMIN, "POST", "/api/v1/memories/" + id + "/restore", "cur2", "{\"event_seq\": 999999}").status()).isEqualTo(400);
    assertThat(as(viewer, "POST", "/api/v1/memories/" + id + "/restore", "cur", null).status()).isEqualTo(403);
    assertThat(as(ADMIN, "POST", "/api/v1/memories/nope/restore", "cur2", null).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("clean: a dry run lists exact duplicates (case, width, spacing aside); confirm merges each group into its oldest")
  void cleanExactDuplicates() throws Exception {
    String first = remember("cln", "Coffee at 10:00 in the lobby");
    String second = remember("cln", "coffee at 10:00   in the lobby.");
    String third = remember("cln", "Ｃｏｆｆｅｅ at 10:00 in the lobby");
    String different = remember("cln", "Tea at 15:00 in the lobby");
    JsonObject dry = ok(as(ADMIN, "POST", "/api/v1/admin/clean", "cln", null));
    assertThat(dry.getBoolean("dry_run")).isTrue();
    assertThat(dry.getLong("duplicates")).isEqualTo(2);
    assertThat(dry.getJsonArray("groups").getJsonObject(0).getString("keep")).isEqualTo(first);
    assertThat(dry.getJsonArray("groups").getJsonObject(0).getJsonArray("duplicates")).containsExactlyInAnyOrder(second, third);
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + second, "cln", null).status()).isEqualTo(200);
    assertThat(as(member, "POST", "/api/v1/admin/clean", "cur2", null).status()).isEqualTo(403);

    JsonObject done = ok(as(ADMIN, "POST", "/api/v1/admin/clean", "cln", "{\"confirm\": true}"));
    assertThat(done.getBoolean("dry_run")).isFalse();
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + second, "cln", null).status()).isEqualTo(404);
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + different, "cln", null).status()).isEqualTo(200);
    assertThat(ok(as(ADMIN, "GET", "/api/v1/memories/" + first, "cln", null)).getJsonObject("memory").getString("content"))
        .isEqualTo("Coffee at 10:00 in the lobby");
  }

  @Test
  @DisplayName("graph: memories as nodes, relations as edges, as JSON and as one self-contained HTML file")
  void graph() throws Exception {
    String a = remember("grf", "Project Apollo ships in March");
    String b = remember("grf", "Project Apollo depends on the billing service");
    remember("grf", "</script><script>alert(1)</script> stays text");
    assertThat(as(ADMIN, "POST", "/api/v1/relations", "grf", new JsonObject().put("source_id", b).put("target_id", a)
        .put("relation_type", "depends_on").encode()).status()).isEqualTo(201);
    JsonObject g = ok(as(ADMIN, "GET", "/api/v1/graph", "grf", null));
    assertThat(g.getJsonArray("nodes")).hasSize(3);
    assertThat(g.getJsonArray("edges")).hasSize(1);
    assertThat(g.getJsonArray("edges").getJsonObject(0).getString("type")).isEqualTo("depends_on");
    TestServer.Resp html = as(ADMIN, "GET", "/api/v1/graph?format=html", "grf", null);
    assertThat(html.status()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(html.text()).contains("MemoryGraph.drawGraph").contains(a).doesNotContain("</script><script>alert(1)")
        .doesNotContain("src=\"http");
    assertThat(as(ADMIN, "GET", "/api/v1/graph?format=svg", "grf", null).status()).isEqualTo(400);
  }

  private static JsonObject pairOf(JsonArray pairs, String x, String y) {
    for (Object o : pairs) {
      JsonObject p = (JsonObject) o;
      String n = p.getJsonObject("newer").getString("id");
      String old = p.getJsonObject("older").getString("id");
      if (n.equals(x) && old.equals(y) || n.equals(y) && old.equals(x)) {
        return p;
      }
    }
    return null;
  }
}
