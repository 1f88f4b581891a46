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

/** Categories, tags, projects and stats over REST; tags and categories inferred at write time and edited by PATCH. */
@DisplayName("catalogue and stats (REST)")
class CatalogueApiTest {
  static final String ADMIN = "bootstrap-admin-key-for-catalogue-0123456789";
  static final String NS = "cat";
  @TempDir
  static Path dir;
  static TestServer server;
  static String viewer;
  static String apolloOnly;
  static String neovim;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)).start();
    viewer = key(new JsonObject().put("name", "dash").put("role", "viewer").put("namespaces", new JsonArray().add(NS)));
    apolloOnly = key(new JsonObject().put("name", "apollo-bot").put("role", "member").put("namespaces", new JsonArray().add(NS))
        .put("scope_ids", new JsonArray().add("apollo")));
    neovim = remember(new JsonObject().put("content", "The user's favourite editor is Neovim with the gruvbox theme"));
    remember(new JsonObject().put("content", "Deploy the API server to staging with Docker before Friday").put("scope", "project")
        .put("scope_id", "apollo").put("metadata", new JsonObject().put("file_path", "deploy/Deploy.java")));
    remember(new JsonObject().put("content", "毎朝のミーティングは9時半から始まる").put("scope", "project").put("scope_id", "apollo")
        .put("type", "work"));
    remember(new JsonObject().put("content", "Release notes go out every sprint").put("scope", "project").put("scope_id", "zeus")
        .put("category", "process").put("tags", new JsonArray().add("release").add("docs")));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String key(JsonObject body) throws Exception {
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/admin/keys", body.encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getString("key");
  }

  static TestServer.Resp as(String key, String method, String path, String body) throws Exception {
    return server.call(method, path, NS, body, Map.of("Authorization", "Bearer " + key));
  }

  static String remember(JsonObject memory) throws Exception {
    TestServer.Resp r = as(ADMIN, "POST", "/api/v1/memories", memory.encode());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getString("id");
  }

  static JsonObject get(String key, String path) throws Exception {
    TestServer.Resp r = as(key, "GET", path, null);
    assertThat(r.status()).as(path + " " + r.text()).isEqualTo(200);
    return r.json();
  }

  @Test
  @DisplayName("a memory without category or tags gets them from its words and its file path, English and Japanese; given ones stay")
  void inferredAtWriteTime() throws Exception {
    JsonObject editor = get(ADMIN, "/api/v1/memories/" + neovim).getJsonObject("memory");
    assertThat(editor.getString("category")).isEqualTo("tools");
    assertThat(editor.getJsonArray("tags")).containsExactly("neovim");
    assertThat(editor.getJsonObject("metadata").getJsonArray("inferred")).containsExactly("category", "tags");

    List<JsonObject> memories = memories(get(ADMIN, "/api/v1/memories?limit=10"));
    JsonObject deploy = find(memories, "Deploy the API server");
    assertThat(deploy.getString("category")).isEqualTo("infrastructure");
    assertThat(deploy.getJsonArray("tags").getList()).startsWith("java").contains("docker");
    assertThat(find(memories, "ミーティング").getString("category")).isEqualTo("schedule");
    JsonObject given = find(memories, "Release notes");
    assertThat(given.getString("category")).isEqualTo("process");
    assertThat(given.getJsonArray("tags")).containsExactly("release", "docs");
    assertThat(given.getJsonObject("metadata").containsKey("inferred")).isFalse();
  }

  @Test
  @DisplayName("categories, tags, projects and stats count what is stored; a viewer may read them")
  void countsForAViewer() throws Exception {
    JsonObject cats = get(viewer, "/api/v1/categories");
    assertThat(cats.getLong("memories")).isGreaterThanOrEqualTo(4);
    assertThat(counts(cats.getJsonArray("categories"), "category"))
        .containsEntry("tools", 1L).containsEntry("infrastructure", 1L).containsEntry("schedule", 1L).containsEntry("process", 1L);

    JsonObject apolloTags = get(viewer, "/api/v1/tags?scope_id=apollo");
    assertThat(counts(apolloTags.getJsonArray("tags"), "tag")).containsKeys("java", "docker").doesNotContainKeys("release", "neovim");

    JsonObject projects = get(viewer, "/api/v1/projects");
    Map<String, Long> byScope = counts(projects.getJsonArray("projects"), "scope_id");
    assertThat(byScope).containsEntry("apollo", 2L).containsEntry("zeus", 1L);
    assertThat(projects.getJsonArray("projects").getJsonObject(0).getString("last_activity")).isNotBlank();

    JsonObject stats = get(viewer, "/api/v1/stats");
    assertThat(stats.getJsonObject("by_type").getLong("work")).isEqualTo(1L);
    assertThat(stats.getJsonObject("by_scope").getLong("project")).isGreaterThanOrEqualTo(3L);
    assertThat(stats.getJsonObject("by_source").getLong("manual")).isGreaterThanOrEqualTo(4L);
    JsonArray growth = stats.getJsonArray("growth");
    assertThat(growth.getJsonObject(growth.size() - 1).getLong("total")).isEqualTo(stats.getLong("memories"));

    // recalled memories rank in top_accessed
    as(ADMIN, "POST", "/api/v1/search", new JsonObject().put("query", "which editor does the user like").put("limit", 1).encode());
    long end = System.currentTimeMillis() + 10_000;
    JsonArray top = new JsonArray();
    while (top.isEmpty() && System.currentTimeMillis() < end) {
      Thread.sleep(100); // access counts are flushed in the background
      top = get(viewer, "/api/v1/stats").getJsonArray("top_accessed");
    }
    assertThat(top.getJsonObject(0).getString("id")).isEqualTo(neovim);
  }

  @Test
  @DisplayName("a key limited to one scope id counts only that scope; another namespace is 403; a bad scope_id is 400 naming it")
  void grantsAndBadInput() throws Exception {
    JsonObject own = get(viewer, "/api/v1/namespaces").getJsonArray("namespaces").getJsonObject(0);
    assertThat(own.getString("namespace")).isEqualTo(NS);
    assertThat(own.getLong("memories")).isGreaterThanOrEqualTo(4L);
    JsonObject limited = get(apolloOnly, "/api/v1/namespaces").getJsonArray("namespaces").getJsonObject(0);
    assertThat(limited.getString("namespace")).isEqualTo(NS);
    assertThat(limited.getValue("memories")).isNull(); // the other scopes' size stays unknown to it
    JsonObject projects = get(apolloOnly, "/api/v1/projects");
    assertThat(counts(projects.getJsonArray("projects"), "scope_id")).containsOnlyKeys("apollo");
    assertThat(get(apolloOnly, "/api/v1/stats").getLong("memories")).isEqualTo(2L);
    TestServer.Resp other = server.call("GET", "/api/v1/categories", "elsewhere", null, Map.of("Authorization", "Bearer " + viewer));
    assertThat(other.status()).isEqualTo(403);
    TestServer.Resp bad = as(viewer, "GET", "/api/v1/tags?scope_id=" + "x".repeat(300), null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("scope_id");
  }

  @Test
  @DisplayName("PATCH add_tags / remove_tags edit the stored tags, with an UPDATE event; combined with tags it is a 400")
  void tagEdits() throws Exception {
    String id = remember(new JsonObject().put("content", "Lunch is at noon on Wednesdays").put("tags", new JsonArray().add("lunch").add("office")));
    TestServer.Resp r = as(ADMIN, "PATCH", "/api/v1/memories/" + id,
        new JsonObject().put("add_tags", new JsonArray().add("食事").add("lunch")).put("remove_tags", new JsonArray().add("office")).encode());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().getJsonObject("memory").getJsonArray("tags")).containsExactly("lunch", "食事");
    JsonArray events = get(ADMIN, "/api/v1/memories/" + id + "/history").getJsonArray("events");
    assertThat(events.getJsonObject(events.size() - 1).getJsonObject("data").getJsonObject("changes").containsKey("tags")).isTrue();
    TestServer.Resp both = as(ADMIN, "PATCH", "/api/v1/memories/" + id,
        new JsonObject().put("tags", new JsonArray()).put("add_tags", new JsonArray().add("x")).encode());
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("add_tags");
    assertThat(as(viewer, "PATCH", "/api/v1/memories/" + id, new JsonObject().put("add_tags", new JsonArray().add("x")).encode())
        .status()).isEqualTo(403);
  }

  private static List<JsonObject> memories(JsonObject list) {
    return list.getJsonArray("memories").stream().map(o -> (JsonObject) o).toList();
  }

  private static JsonObject find(List<JsonObject> memories, String contentPart) {
    return memories.stream().filter(m -> m.getString("content").contains(contentPart)).findFirst().orElseThrow();
  }

  private static Map<String, Long> counts(JsonArray rows, String key) {
    Map<String, Long> out = new java.util.HashMap<>();
    rows.forEach(o -> out.put(((JsonObject) o).getString(key), ((JsonObject) o).getLong("count")));
    return out;
  }
}
