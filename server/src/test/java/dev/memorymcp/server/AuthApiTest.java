package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control over REST, tried as an administrator and as an attacker would: keys, roles,
 * namespace grants, revocation, the audit log. A real server with auth required on loopback.
 */
@DisplayName("access control (REST)")
class AuthApiTest {
  static final String ADMIN = "bootstrap-admin-key-for-tests-0123456789abcdef";
  @TempDir
  static Path dir;
  static TestServer server;
  static String alice;   // member of alice
  static String alice2;  // another member of alice
  static String viewer;  // viewer of alice
  static String multi;   // member of alice and bob

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)).start();
    alice = createKey(ADMIN, "alice-laptop", "member", "alice").getString("key");
    alice2 = createKey(ADMIN, "alice-ci", "member", "alice").getString("key");
    viewer = createKey(ADMIN, "alice-dashboard", "viewer", "alice").getString("key");
    multi = createKey(ADMIN, "team-bot", "member", "alice", "bob").getString("key");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static JsonObject createKey(String as, String name, String role, String... namespaces) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("role", role).put("namespaces", new JsonArray(java.util.List.of(namespaces)));
    TestServer.Resp r = as(as, "POST", "/api/v1/admin/keys", null, body.encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static TestServer.Resp as(String key, String method, String path, String ns, String body) throws Exception {
    return server.call(method, path, ns, body, key == null ? Map.of() : Map.of("Authorization", "Bearer " + key));
  }

  static String remember(String key, String ns, String content) throws Exception {
    TestServer.Resp r = as(key, "POST", "/api/v1/memories", ns, new JsonObject().put("content", content).encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getString("id");
  }

  @Test
  @DisplayName("no key or a wrong key is 401 with WWW-Authenticate on REST, /mcp and the SSE stream; /health stays open")
  void unauthenticated() throws Exception {
    for (String[] req : new String[][] {{"GET", "/api/v1/memories"}, {"POST", "/api/v1/search"},
        {"GET", "/api/v1/admin/migrate/x/events"}, {"POST", "/mcp"}, {"GET", "/api/v1/export"}}) {
      TestServer.Resp r = as(null, req[0], req[1], "alice", "{}");
      assertThat(r.status()).as(req[1]).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(req[1]).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
    TestServer.Resp wrong = as("mk_000000000000_" + "A".repeat(43), "GET", "/api/v1/memories", "alice", null);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().getJsonObject("error").getString("code")).isEqualTo("UNAUTHORIZED");
    TestServer.Resp xkey = server.call("GET", "/api/v1/memories", "alice", null, Map.of("X-API-Key", alice));
    assertThat(xkey.status()).isEqualTo(200);
    TestServer.Resp both = server.call("GET", "/api/v1/memories", "alice", null,
        Map.of("X-API-Key", alice, "Authorization", "Bearer " + viewer));
    assertThat(both.status()).isEqualTo(401);
    assertThat(server.get("/health", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a key is shown once; listing shows its name, role and grants but never the key or a hash")
  void keyShownOnce() throws Exception {
    JsonObject made = createKey(ADMIN, "listing-check", "viewer", "carol");
    String key = made.getString("key");
    assertThat(key).matches("mk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
    TestServer.Resp list = as(ADMIN, "GET", "/api/v1/admin/keys", null, null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.text()).doesNotContain(key).doesNotContain(key.substring(16)).doesNotContain("hash");
    JsonObject info = list.json().getJsonArray("keys").stream().map(o -> (JsonObject) o)
        .filter(k -> k.getString("name").equals("listing-check")).findFirst().orElseThrow();
    assertThat(info.getString("role")).isEqualTo("viewer");
    assertThat(info.getJsonArray("namespaces")).containsExactly("carol");
  }

  @Test
  @DisplayName("a member writes and reads in its namespace; another persona is 403; without X-Persona its only namespace is used")
  void memberGrants() throws Exception {
    String id = remember(alice, "alice", "Alice's team deploys on Thursdays");
    assertThat(as(alice, "GET", "/api/v1/memories/" + id, "alice", null).status()).isEqualTo(200);
    TestServer.Resp other = as(alice, "GET", "/api/v1/memories", "bob", null);
    assertThat(other.status()).isEqualTo(403);
    assertThat(other.json().getJsonObject("error").getString("code")).isEqualTo("NAMESPACE_FORBIDDEN");
    assertThat(as(alice, "POST", "/api/v1/memories", "bob", "{\"content\":\"x\"}").status()).isEqualTo(403);
    TestServer.Resp implicit = as(alice, "GET", "/api/v1/memories/" + id, null, null);
    assertThat(implicit.status()).isEqualTo(200);
    // a key with two namespaces must say which one: the default persona is not among its grants
    assertThat(as(multi, "GET", "/api/v1/memories", null, null).status()).isEqualTo(403);
    assertThat(as(multi, "GET", "/api/v1/memories", "bob", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("an id from a namespace the key may not use is the same 404 as a missing id")
  void foreignIdsAreInvisible() throws Exception {
    String bobs = remember(ADMIN, "bob", "Bob keeps his notes in Obsidian");
    TestServer.Resp foreign = as(alice, "GET", "/api/v1/memories/" + bobs, "alice", null);
    TestServer.Resp missing = as(alice, "GET", "/api/v1/memories/doesnotexist", "alice", null);
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(foreign.json().getJsonObject("error").getString("code"))
        .isEqualTo(missing.json().getJsonObject("error").getString("code"));
    for (String[] req : new String[][] {{"PATCH", "/api/v1/memories/" + bobs, "{\"importance\":0.9}"},
        {"DELETE", "/api/v1/memories/" + bobs, null}, {"GET", "/api/v1/memories/" + bobs + "/history", null}}) {
      assertThat(as(alice, req[0], req[1], "alice", req[2]).status()).as(req[0] + " " + req[1]).isEqualTo(404);
    }
    JsonObject relate = new JsonObject().put("source_id", remember(alice, "alice", "Alice uses Vim keybindings"))
        .put("target_id", bobs).put("relation_type", "related_to");
    assertThat(as(alice, "POST", "/api/v1/relations", "alice", relate.encode()).status()).isEqualTo(404);
    assertThat(as(ADMIN, "GET", "/api/v1/memories/" + bobs, "bob", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a viewer reads but cannot write, delete, ingest or administer")
  void viewerReadsOnly() throws Exception {
    String id = remember(alice, "alice", "The alice namespace prefers dark mode in every editor");
    assertThat(as(viewer, "GET", "/api/v1/memories/" + id, "alice", null).status()).isEqualTo(200);
    assertThat(as(viewer, "POST", "/api/v1/search", "alice", "{\"query\":\"dark mode\"}").status()).isEqualTo(200);
    assertThat(as(viewer, "GET", "/api/v1/context?query=editor", "alice", null).status()).isEqualTo(200);
    // the recall gate is a search: a viewer may ask it in its namespace, not in another
    assertThat(as(viewer, "POST", "/api/v1/chat/context", "alice", "{\"message\":\"which editor theme do I like?\"}")
        .status()).isEqualTo(200);
    assertThat(as(viewer, "POST", "/api/v1/chat/context", "bob", "{\"message\":\"which editor theme do I like?\"}")
        .status()).isEqualTo(403);
    for (String[] req : new String[][] {{"POST", "/api/v1/memories", "{\"content\":\"nope\"}"},
        {"PATCH", "/api/v1/memories/" + id, "{\"importance\":0.1}"}, {"DELETE", "/api/v1/memories/" + id, null},
        {"POST", "/api/v1/ingest", "{\"messages\":[{\"role\":\"user\",\"content\":\"I like tea\"}]}"},
        {"POST", "/api/v1/memories:batch", "{\"memories\":[{\"content\":\"x\"}]}"},
        {"GET", "/api/v1/admin/keys", null}, {"GET", "/api/v1/admin/audit-logs", null},
        {"POST", "/api/v1/admin/migrate", "{\"source\":\"sqlite\",\"target\":\"qdrant\"}"},
        {"POST", "/api/v1/admin/cleanup", null}, {"POST", "/api/v1/admin/rebuild", null},
        {"GET", "/api/v1/admin/rebuild", null}, {"POST", "/api/v1/admin/clean", null},
        {"POST", "/api/v1/memories:merge", "{\"ids\":[\"" + id + "\",\"x\"]}"},
        {"POST", "/api/v1/memories/" + id + "/restore", null}}) {
      TestServer.Resp r = as(viewer, req[0], req[1], "alice", req[2]);
      assertThat(r.status()).as(req[0] + " " + req[1] + " " + r.text()).isEqualTo(403);
      assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo("FORBIDDEN");
    }
    assertThat(as(viewer, "GET", "/api/v1/memories/" + id, "alice", null).json().getJsonObject("memory")
        .getDouble("importance")).isEqualTo(0.5);
  }

  @Test
  @DisplayName("a member deletes only what it created; an admin deletes anything; forget by query skips the others' memories")
  void memberDeletesOwn() throws Exception {
    String mine = remember(alice, "alice", "Alice's release checklist lives in the wiki under Falcon");
    String theirs = remember(alice2, "alice", "The CI bot caches Gradle under Falcon builds");
    TestServer.Resp denied = as(alice, "DELETE", "/api/v1/memories/" + theirs, "alice", null);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.json().getJsonObject("error").getString("code")).isEqualTo("NOT_CREATOR");
    assertThat(as(alice, "GET", "/api/v1/memories/" + theirs, "alice", null).status()).isEqualTo(200);
    JsonObject dry = as(alice, "DELETE", "/api/v1/memories?query=Falcon", "alice", null).json();
    assertThat(dry.getJsonArray("memories").stream().map(o -> ((JsonObject) o).getString("id"))).containsExactly(mine);
    JsonObject done = as(alice, "DELETE", "/api/v1/memories?query=Falcon&confirm=true", "alice", null).json();
    assertThat(done.getJsonArray("deleted")).containsExactly(mine);
    assertThat(as(alice, "GET", "/api/v1/memories/" + theirs, "alice", null).status()).isEqualTo(200);
    assertThat(as(ADMIN, "DELETE", "/api/v1/memories/" + theirs, "alice", null).status()).isEqualTo(200);
    JsonObject history = as(ADMIN, "GET", "/api/v1/memories/" + theirs + "/history", "alice", null).json();
    JsonObject create = history.getJsonArray("events").getJsonObject(0);
    assertThat(create.getString("type")).isEqualTo("CREATE");
    assertThat(create.getJsonObject("data").getString("by")).startsWith("key:");
  }

  @Test
  @DisplayName("a revoked key stops working at once, an expired one never works, and both are audited")
  void revocation() throws Exception {
    JsonObject made = createKey(ADMIN, "to-revoke", "member", "alice");
    String key = made.getString("key");
    assertThat(as(key, "GET", "/api/v1/memories", "alice", null).status()).isEqualTo(200); // cached now
    String id = made.getJsonObject("key_info").getString("id");
    assertThat(as(ADMIN, "DELETE", "/api/v1/admin/keys/" + id, null, null).status()).isEqualTo(200);
    TestServer.Resp after = as(key, "GET", "/api/v1/memories", "alice", null);
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.json().getJsonObject("error").getString("message")).contains("revoked");
    assertThat(as(ADMIN, "DELETE", "/api/v1/admin/keys/ffffffffffff", null, null).status()).isEqualTo(404);
    JsonObject expiring = new JsonObject().put("name", "past").put("role", "member").put("namespaces", new JsonArray().add("alice"))
        .put("expires_at", "2020-01-01T00:00:00Z");
    assertThat(as(ADMIN, "POST", "/api/v1/admin/keys", null, expiring.encode()).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("memories learned from a member's ingested chat are that member's: it may delete them, another member may not")
  void ingestedMemoriesBelongToTheirEnqueuer() throws Exception {
    TestServer.Resp posted = as(alice, "POST", "/api/v1/ingest", "alice", new JsonObject().put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "I prefer oolong tea over coffee in the afternoon."))).encode());
    assertThat(posted.status()).as(posted.text()).isEqualTo(202);
    String job = posted.json().getString("job_id");
    JsonObject status = new JsonObject();
    for (int i = 0; i < 300 && !"done".equals(status.getString("status")); i++) {
      Thread.sleep(100);
      TestServer.Resp r = as(alice, "GET", "/api/v1/ingest/" + job, "alice", null);
      status = r.json().getJsonObject("job", r.json());
    }
    assertThat(status.getString("status")).as(status.encode()).isEqualTo("done");
    String learned = status.getJsonObject("memories").getJsonArray("created").getString(0);
    TestServer.Resp other = as(alice2, "DELETE", "/api/v1/memories/" + learned, "alice", null);
    assertThat(other.status()).as(other.text()).isEqualTo(403);
    assertThat(other.json().getJsonObject("error").getString("code")).isEqualTo("NOT_CREATOR");
    assertThat(as(alice, "DELETE", "/api/v1/memories/" + learned, "alice", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("the audit log records writes, deletes, key changes and failed auth with who and where, never contents or keys")
  void auditLog() throws Exception {
    String secretText = "Audit probe: the vault combination is 4711";
    String id = remember(alice, "alice", secretText);
    as(alice, "PATCH", "/api/v1/memories/" + id, "alice", "{\"importance\":0.8}");
    as(alice, "DELETE", "/api/v1/memories/" + id, "alice", null);
    as("mk_badbadbadbad_" + "B".repeat(43), "GET", "/api/v1/memories", "alice", null);
    JsonObject made = createKey(ADMIN, "audited-key", "viewer", "alice");
    Thread.sleep(600); // audit lines are committed in groups every 200 ms
    TestServer.Resp all = as(ADMIN, "GET", "/api/v1/admin/audit-logs?limit=500", null, null);
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.text()).doesNotContain("vault combination").doesNotContain(made.getString("key"))
        .doesNotContain(alice).doesNotContain(ADMIN);
    JsonArray mine = as(ADMIN, "GET", "/api/v1/admin/audit-logs?actor=alice-laptop&action=memory.*&limit=50", null, null)
        .json().getJsonArray("entries");
    assertThat(mine.stream().map(o -> ((JsonObject) o).getString("actor_name"))).containsOnly("alice-laptop");
    assertThat(mine.stream().map(o -> (JsonObject) o).filter(e -> e.getJsonArray("ids").contains(id))
        .map(e -> e.getString("action"))).contains("memory.remember", "memory.update", "memory.delete");
    JsonObject remembered = mine.stream().map(o -> (JsonObject) o)
        .filter(e -> e.getString("action").equals("memory.remember") && e.getJsonArray("ids").contains(id)).findFirst().orElseThrow();
    assertThat(remembered.getString("actor_name")).isEqualTo("alice-laptop");
    assertThat(remembered.getString("namespace")).isEqualTo("alice");
    assertThat(remembered.getString("client")).isEqualTo("127.0.0.1");
    assertThat(remembered.getString("outcome")).isEqualTo("ok");
    JsonArray failed = as(ADMIN, "GET", "/api/v1/admin/audit-logs?action=auth.failed", null, null).json().getJsonArray("entries");
    assertThat(failed).isNotEmpty();
    JsonArray keys = as(ADMIN, "GET", "/api/v1/admin/audit-logs?action=key.create", null, null).json().getJsonArray("entries");
    assertThat(keys.stream().map(o -> ((JsonObject) o).getJsonObject("detail").getString("key_name"))).contains("audited-key");
    // paginated, newest first
    JsonObject page1 = as(ADMIN, "GET", "/api/v1/admin/audit-logs?limit=2", null, null).json();
    assertThat(page1.getJsonArray("entries")).hasSize(2);
    JsonObject page2 = as(ADMIN, "GET", "/api/v1/admin/audit-logs?limit=2&cursor=" + page1.getString("next_cursor"), null, null).json();
    assertThat(page2.getJsonArray("entries").getJsonObject(0).getLong("seq"))
        .isLessThan(page1.getJsonArray("entries").getJsonObject(1).getLong("seq"));
    assertThat(as(ADMIN, "GET", "/api/v1/admin/audit-logs?since=yesterday", null, null).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("persona names in Japanese work (percent-encoded header or /mcp path); path-like names are refused")
  void unicodePersonas() throws Exception {
    String ninja = URLEncoder.encode("ニロウ", StandardCharsets.UTF_8);
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/memories", ninja, new JsonObject().put("content", "ニロウはお茶が好き").encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().getJsonObject("memory").getString("namespace")).isEqualTo("ニロウ");
    // NFD (カ + combining dakuten) and NFC (ガ) name the same persona
    String nfd = URLEncoder.encode("カ\u3099ラス", StandardCharsets.UTF_8);
    String nfc = URLEncoder.encode("ガラス", StandardCharsets.UTF_8);
    remember(ADMIN, nfd, "ガラスの話");
    assertThat(as(ADMIN, "GET", "/api/v1/memories", nfc, null).json().getJsonArray("memories")).hasSize(1);
    for (String bad : new String[] {"..%2Fetc", "a%2Fb", "%2E%2E", "a%00b", "a b", "x".repeat(65)}) {
      TestServer.Resp refused = as(ADMIN, "GET", "/api/v1/memories", bad, null);
      assertThat(refused.status()).as(bad).isEqualTo(400);
      assertThat(refused.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("X-Persona");
    }
  }
}
