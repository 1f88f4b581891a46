package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens across restarts of the service on one data directory. */
@DisplayName("lifecycle")
class LifecycleTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("memories, vectors, relations and history survive a restart on the same data dir")
  void survivesRestart() throws Exception {
    String id;
    String related;
    try (TestServer s = new TestServer(dir, null).start()) {
      id = s.remember("p", "The user's favourite editor is Neovim").getString("id");
      related = s.remember("p", new JsonObject().put("content", "The user writes Rust on weekends")
          .put("relations", new io.vertx.core.json.JsonArray().add(new JsonObject().put("target_id", id)))).getString("id");
    }
    try (TestServer s = new TestServer(dir, null).start()) {
      assertThat(s.get("/api/v1/memories/" + id, "p").status()).isEqualTo(200);
      JsonObject r = s.search("p", new JsonObject().put("query", "which text editor does the user like").put("search_type", "semantic").put("include_relations", true));
      assertThat(r.getJsonArray("results").getJsonObject(0).getString("id")).isEqualTo(id);
      assertThat(r.getJsonArray("results").getJsonObject(0).getJsonArray("relations").encode()).contains(related);
      assertThat(s.get("/api/v1/memories/" + id + "/history", "p").json().getJsonArray("events")).isNotEmpty();
      assertThat(s.get("/health", null).json().getLong("memories")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("with on_model_change=refuse a different model refuses to start and names the rebuild command; rebuild re-embeds and then it starts")
  void modelChangeNeedsRebuild() throws Exception {
    try (TestServer s = new TestServer(dir, null).start()) {
      s.remember("p", "The user's favourite editor is Neovim");
      s.remember("p", "Standup is at 9:30 every weekday");
    }
    JsonObject minilm = new JsonObject().put("embedding.model", "all-minilm-l6-v2");
    assertThatThrownBy(() -> new TestServer(dir, minilm.copy().put("embedding.on_model_change", "refuse")).start())
        .hasStackTraceContaining("e5-small-v2-q")
        .hasStackTraceContaining("all-minilm-l6-v2-q")
        .hasStackTraceContaining("java -jar server/target/memory-server.jar rebuild");

    Vertx vertx = Vertx.vertx();
    try {
      JsonObject cfg = new TestServer(dir, minilm).cfg.copy().put("storage.skip_model_check", true);
      Node node = new Node(vertx, cfg);
      node.deploy(List.of(Node.Role.EMBEDDING, Node.Role.STORAGE)).await(2, TimeUnit.MINUTES);
      List<Long> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
      vertx.eventBus().<JsonObject>consumer(dev.memorymcp.bus.Addresses.STORE_REBUILD_PROGRESS,
          m -> progress.add(m.body().getLong("done")));
      JsonObject r = dev.memorymcp.bus.Bus.request(vertx, dev.memorymcp.bus.Addresses.STORE_REBUILD,
          new JsonObject().put("batch_size", 1)).await(2, TimeUnit.MINUTES);
      assertThat(r.getLong("memories")).isEqualTo(2);
      assertThat(r.getString("model")).isEqualTo("all-minilm-l6-v2-q");
      Thread.sleep(100);
      assertThat(progress).contains(1L, 2L);
      node.undeploy().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    try (TestServer s = new TestServer(dir, minilm).start()) {
      assertThat(s.get("/health", null).json().getString("model")).isEqualTo("all-minilm-l6-v2-q");
      JsonObject r = s.search("p", new JsonObject().put("query", "which text editor does the user like").put("search_type", "semantic"));
      assertThat(r.getJsonArray("results").getJsonObject(0).getString("content")).contains("Neovim");
      JsonObject m = r.getJsonArray("results").getJsonObject(0);
      assertThat(m.getString("embedding_model")).isEqualTo("all-minilm-l6-v2-q");
    }
  }

  @Test
  @DisplayName("a different model starts at once: the old vectors answer recall while every memory is re-embedded, then it switches")
  void modelChangeRebuildsOnline() throws Exception {
    List<String> facts = List.of("The user's favourite editor is Neovim", "Standup is at 9:30 every weekday",
        "The deploy pipeline runs on GitHub Actions", "The user is allergic to peanuts", "ユーザーは毎朝コーヒーを飲む",
        "The staging database is PostgreSQL 16", "The team celebrates releases with pizza");
    try (TestServer s = new TestServer(dir, null).start()) {
      for (String f : facts) {
        s.remember("p", f);
      }
    }
    // a pause between batches keeps the run going long enough to look at it
    JsonObject minilm = new JsonObject().put("embedding.model", "all-minilm-l6-v2").put("rebuild.pause_ms", 3000);
    try (TestServer s = new TestServer(dir, minilm).start()) {
      JsonObject during = s.get("/api/v1/admin/rebuild", null).json();
      assertThat(during.getString("status")).isEqualTo("running");
      assertThat(during.getString("from")).isEqualTo("e5-small-v2-q");
      assertThat(during.getString("to")).isEqualTo("all-minilm-l6-v2-q");
      assertThat(during.getString("serving_model")).isEqualTo("e5-small-v2-q");
      JsonObject health = s.get("/health", null).json();
      assertThat(health.getString("model")).isEqualTo("e5-small-v2-q");
      assertThat(health.getJsonObject("rebuild").getString("to")).isEqualTo("all-minilm-l6-v2-q");
      // recall is answered from the old vectors, with the query embedded by the old model
      JsonObject r = s.search("p", new JsonObject().put("query", "which text editor does the user like").put("search_type", "semantic"));
      assertThat(r.getJsonArray("results").getJsonObject(0).getString("content")).contains("Neovim");
      assertThat(r.getJsonArray("results").getJsonObject(0).getString("embedding_model")).isEqualTo("e5-small-v2-q");
      // a write meanwhile is made with the old model, then caught up by the run
      String late = s.remember("p", "The user's laptop is a ThinkPad X1 Carbon").getString("id");
      assertThat(s.get("/api/v1/memories/" + late, "p").json().getJsonObject("memory").getString("embedding_model"))
          .isEqualTo("e5-small-v2-q");
      assertThat(s.post("/api/v1/admin/rebuild", null, new JsonObject()).status()).isEqualTo(409);
      // an import would bring vectors of either model: it waits for the run to finish
      String exported = s.get("/api/v1/export?namespace=p", null).text();
      TestServer.Resp importDuring = s.call("POST", "/api/v1/import?namespace=p", null, exported);
      assertThat(importDuring.text()).contains("REBUILD_RUNNING");

      JsonObject done = during;
      for (long end = System.currentTimeMillis() + 60_000; System.currentTimeMillis() < end; Thread.sleep(200)) {
        done = s.get("/api/v1/admin/rebuild", null).json();
        if (!"running".equals(done.getString("status"))) {
          break;
        }
      }
      assertThat(done.getString("status")).as(done.encode()).isEqualTo("done");
      assertThat(done.getLong("done")).isGreaterThanOrEqualTo(facts.size() + 1L);
      assertThat(done.getString("serving_model")).isEqualTo("all-minilm-l6-v2-q");
      assertThat(s.get("/health", null).json().getString("model")).isEqualTo("all-minilm-l6-v2-q");
      JsonObject after = s.search("p", new JsonObject().put("query", "what laptop does the user have").put("search_type", "semantic")
          .put("limit", 20));
      assertThat(after.getJsonArray("results").getJsonObject(0).getString("id")).isEqualTo(late);
      assertThat(after.getJsonArray("results").size()).isEqualTo(facts.size() + 1);
      for (Object o : after.getJsonArray("results")) {
        assertThat(((JsonObject) o).getString("embedding_model")).isEqualTo("all-minilm-l6-v2-q");
      }
      assertThat(s.remember("p", "The user's monitor is 27 inches").getString("action")).isEqualTo("created");
    }
    // the store is stamped with the new model: it starts without a rebuild
    try (TestServer s = new TestServer(dir, minilm).start()) {
      assertThat(s.get("/api/v1/admin/rebuild", null).json().getString("status")).isEqualTo("idle");
      assertThat(s.get("/health", null).json().getLong("memories")).isEqualTo(facts.size() + 2L);
    }
  }

  @Test
  @DisplayName("a second service on the same data dir refuses to start and names the lock; the first keeps working")
  void oneProcessPerDataDir() throws Exception {
    try (TestServer first = new TestServer(dir, null).start()) {
      assertThatThrownBy(() -> new TestServer(dir, null).start())
          .hasStackTraceContaining("is in use by another memory service process");
      assertThat(first.remember("p", "Still writable after the refused start").getString("action")).isEqualTo("created");
    }
    try (TestServer again = new TestServer(dir, null).start()) {
      assertThat(again.get("/health", null).json().getLong("memories")).isEqualTo(1);
    }
  }
}
