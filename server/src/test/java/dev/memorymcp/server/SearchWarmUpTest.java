package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search path's start-up warm-up: when it runs, what health says meanwhile, and that it reads only. */
@DisplayName("search warm-up")
class SearchWarmUpTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("a store at the threshold is searched at start without recording accesses; health is warm only after it")
  void warmsUpReadOnly() throws Exception {
    List<String> ids = new ArrayList<>();
    try (TestServer s = new TestServer(dir, null).start()) {
      ids.add(s.remember("small", "The user's favourite editor is Neovim").getString("id"));
      for (String text : List.of("Standup is at 9:30 every weekday", "The deploy pipeline runs on GitHub Actions",
          "ユーザーは毎朝コーヒーを飲む")) {
        ids.add(s.remember("big", text).getString("id"));
      }
      // below the default threshold (10,000 memories): nothing to warm up
      JsonObject health = s.get("/health", null).json();
      assertThat(health.getJsonObject("search_warmup").getString("state")).isEqualTo("skipped");
      assertThat(health.getBoolean("warm")).isTrue();
    }
    JsonObject lowThreshold = new JsonObject().put("search.warmup_min_memories", 3).put("search.warmup_queries", 30);
    try (TestServer s = new TestServer(dir, lowThreshold).start()) {
      JsonObject warmup = null;
      for (int i = 0; i < 600; i++) {
        JsonObject health = s.get("/health", null).json();
        warmup = health.getJsonObject("search_warmup");
        boolean pending = List.of("waiting", "running").contains(warmup.getString("state"));
        assertThat(health.getBoolean("warm")).as(health.encode()).isEqualTo(!pending);
        if (!pending) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(warmup.getString("state")).as(warmup.encode()).isEqualTo("done");
      assertThat(warmup.getInteger("queries")).isEqualTo(30);
      assertThat(warmup.encode()).doesNotContain("big").doesNotContain("Standup"); // health is public
      // a user's search afterwards is recorded; once its access shows, any the warm-up had recorded
      // (sent earlier, flushed in order) would show too
      String ns = "big";
      String standup = ids.get(1);
      s.search(ns, new JsonObject().put("query", "standup weekday").put("limit", 1));
      long count = 0;
      for (int i = 0; i < 100 && count == 0; i++) {
        Thread.sleep(50);
        count = s.get("/api/v1/memories/" + standup, ns).json().getJsonObject("memory").getLong("access_count");
      }
      assertThat(count).isEqualTo(1);
      for (String id : ids.subList(2, ids.size())) {
        assertThat(s.get("/api/v1/memories/" + id, ns).json().getJsonObject("memory").getLong("access_count"))
            .isZero();
        assertThat(s.get("/api/v1/memories/" + id + "/history", ns).json().getJsonArray("events").size()).isEqualTo(1);
      }
    }
  }
}
