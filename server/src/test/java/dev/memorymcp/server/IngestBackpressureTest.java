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

/**
 * Backpressure: with no ingest worker running (the node is deployed without the INGEST role),
 * jobs stay queued, and past {@code ingest.queue_depth} the API answers 429 with Retry-After.
 */
@DisplayName("ingest backpressure")
class IngestBackpressureTest {
  @TempDir
  static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("data"), new JsonObject().put("ingest.queue_depth", 3))
        .start(List.of(Node.Role.EMBEDDING, Node.Role.STORAGE, Node.Role.SEARCH, Node.Role.GATEWAY));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  @DisplayName("past the queue depth: 429 with Retry-After and an error naming the setting; queued jobs are kept")
  void queueFull() throws Exception {
    JsonObject body = new JsonObject().put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "I prefer tabs over spaces.")));
    for (int i = 0; i < 3; i++) {
      assertThat(server.post("/api/v1/ingest", "bp", body).status()).isEqualTo(202);
    }
    TestServer.Resp full = server.post("/api/v1/ingest", "bp", body);
    assertThat(full.status()).as(full.text()).isEqualTo(429);
    assertThat(full.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
        assertThat(Integer.parseInt(v)).isBetween(1, 300));
    JsonObject err = full.json().getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo("INGEST_QUEUE_FULL");
    assertThat(err.getString("message")).contains("ingest.queue_depth");

    JsonObject health = server.get("/health", null).json();
    assertThat(health.getJsonObject("ingest_jobs").getLong("queued")).isEqualTo(3);
  }
}
