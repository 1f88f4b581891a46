package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as a user runs it: start, serve, SIGTERM with writes in flight, restart. */
@DisplayName("memory-server.jar process")
class ServerJarIT {
  @TempDir
  Path dir;

  @Test
  @DisplayName("SIGTERM drains: every acknowledged write is there after a restart, and the log says it stopped cleanly")
  void sigtermKeepsAcknowledgedWrites() throws Exception {
    Path data = dir.resolve("data");
    List<String> acked = new CopyOnWriteArrayList<>();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try (ServerProcess p = new ServerProcess(data)) {
      long startMs = p.start(Map.of());
      System.out.println("start to healthy: " + startMs + " ms");
      List<CompletableFuture<Void>> inFlight = new java.util.ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String body = new JsonObject().put("content", "Fact number " + i + " about topic " + (i * 7919 % 1000)).encode();
        inFlight.add(http.sendAsync(HttpRequest.newBuilder(p.uri("/api/v1/memories"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString())
            .thenAccept(r -> {
              if (r.statusCode() == 201) {
                acked.add(new JsonObject(r.body()).getString("id"));
              }
            }).exceptionally(e -> null));
        if (i == 9) {
          // the first ten finish before SIGTERM (a cold first embedding can take longer than any
          // fixed sleep); the other fifty are still in flight when it arrives
          CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        }
      }
      int exit = p.terminate();
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
      assertThat(exit).as(p.logText()).isIn(0, 143);
      assertThat(p.logText()).contains("storage closed cleanly").contains("stopped cleanly");
    }
    assertThat(acked).as("some writes were acknowledged before SIGTERM").isNotEmpty();
    try (ServerProcess p = new ServerProcess(data)) {
      p.start(Map.of());
      for (String id : acked) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(p.uri("/api/v1/memories/" + id)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("acknowledged memory %s", id).isEqualTo(200);
      }
      p.terminate();
    }
  }

  @Test
  @DisplayName("a bad setting stops start-up with a clear message and a non-zero exit")
  void badConfigFailsClearly() throws Exception {
    try (ServerProcess p = new ServerProcess(dir.resolve("data"))) {
      try {
        p.start(Map.of("MEMORY_MCP_EMBEDDING_MODEL", "gpt-17"));
        throw new AssertionError("started with an unknown model");
      } catch (IllegalStateException e) {
        assertThat(e.getMessage()).contains("gpt-17").contains("e5-small-v2");
      }
    }
  }

  @Test
  @DisplayName("a second process on the same data dir exits with a clear message; the first is unharmed")
  void secondProcessRefused() throws Exception {
    Path data = dir.resolve("shared");
    try (ServerProcess first = new ServerProcess(data); ServerProcess second = new ServerProcess(data)) {
      first.start(Map.of());
      try {
        second.start(Map.of());
        throw new AssertionError("a second server started on the same data dir");
      } catch (IllegalStateException e) {
        assertThat(e.getMessage()).contains("is in use by another memory service process");
      }
      HttpResponse<String> h = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(first.uri("/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(h.statusCode()).isEqualTo(200);
      first.terminate();
    }
  }
}
