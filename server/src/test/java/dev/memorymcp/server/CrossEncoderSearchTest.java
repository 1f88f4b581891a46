package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * reranker.model in a whole server: the cross-encoder reorders the best candidates of a search. The
 * model is the STAND-IN of embedding-verticle/src/test/resources/stand-in-reranker (no real
 * cross-encoder can be downloaded here): it scores a pair by how often it says "relevant", so the
 * expected order is known; ranking quality is not what this checks.
 */
@DisplayName("search with a cross-encoder (stand-in model)")
class CrossEncoderSearchTest {
  @TempDir
  Path dir;

  Path standIn() throws Exception {
    Path model = Files.createDirectories(dir.resolve("reranker"));
    Files.copy(Path.of("../embedding-verticle/src/test/resources/stand-in-reranker/model.onnx"), model.resolve("model.onnx"));
    try (InputStream tokenizer = getClass().getResourceAsStream("/e5-small-v2-q-tokenizer.json")) {
      Files.copy(tokenizer, model.resolve("tokenizer.json"));
    }
    return model;
  }

  static List<String> search(TestServer s, String query) throws Exception {
    TestServer.Resp r = s.post("/api/v1/search", "ce", new JsonObject().put("query", query).put("limit", 3)
        .put("record_access", false));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("content")).toList();
  }

  @Test
  @DisplayName("the cross-encoder's order wins over fusion for the top candidates; without it, fusion's order")
  void reorders() throws Exception {
    JsonArray memories = new JsonArray().add(new JsonObject().put("content", "The staging database runs PostgreSQL 16 on port 5433."))
        .add(new JsonObject().put("content", "PostgreSQL 16 was chosen for the staging database."))
        .add(new JsonObject().put("content", "Database backups are relevant for the audit."));
    String query = "staging database PostgreSQL";
    try (TestServer plain = new TestServer(dir.resolve("plain"), new JsonObject()).start()) {
      assertThat(plain.post("/api/v1/memories:batch", "ce", new JsonObject().put("memories", memories)).status()).isEqualTo(201);
      assertThat(search(plain, query).get(0)).contains("PostgreSQL");
    }
    try (TestServer ce = new TestServer(dir.resolve("ce"), new JsonObject().put("reranker.model", standIn().toString())).start()) {
      assertThat(ce.post("/api/v1/memories:batch", "ce", new JsonObject().put("memories", memories)).status()).isEqualTo(201);
      assertThat(search(ce, query).get(0)).isEqualTo("Database backups are relevant for the audit.");
      JsonObject timings = ce.post("/api/v1/search", "ce", new JsonObject().put("query", query)).json().getJsonObject("timings");
      assertThat(timings.containsKey("cross_encoder_ms")).isTrue();
    }
  }
}
