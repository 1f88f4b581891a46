package dev.memorymcp.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.embedding.hub.HubDownloader;
import dev.memorymcp.embedding.hub.ModelCards;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * reranker.model end to end in the embedding verticle: pulled by name from a local server in the
 * hub's URL layout (the hub is not reachable here), loaded, and serving EMBED_RERANK. The payload is
 * the STAND-IN cross-encoder of src/test/resources/stand-in-reranker (no real one can be downloaded
 * here): it checks the plumbing, not ranking quality.
 */
@DisplayName("cross-encoder reranker in the embedding verticle (stand-in model, local hub)")
class RerankerTest {
  static final String ID = "hotchpotch/japanese-reranker-xsmall-v2";
  @TempDir
  Path dataDir;
  Vertx vertx;
  HttpServer hub;

  static byte[] resource(String name) throws Exception {
    try (InputStream in = RerankerTest.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  @BeforeEach
  void startHub() throws Exception {
    byte[] onnx = resource("/stand-in-reranker/model.onnx");
    byte[] tokenizer = resource("/e5-small-v2-q-tokenizer.json");
    vertx = Vertx.vertx();
    hub = vertx.createHttpServer().requestHandler(req -> {
      String p = req.path();
      if (p.equals("/api/models/" + ID + "/tree/main")) {
        req.response().end(new JsonArray()
            .add(new JsonObject().put("type", "file").put("path", "onnx/model.onnx").put("size", 134).put("oid", "p")
                .put("lfs", new JsonObject().put("oid", HubPullTest.sha256(onnx)).put("size", onnx.length)))
            .add(new JsonObject().put("type", "file").put("path", "tokenizer.json").put("size", tokenizer.length)
                .put("oid", HubPullTest.gitSha1(tokenizer))).encode());
      } else if (p.equals("/" + ID + "/resolve/main/onnx/model.onnx")) {
        req.response().end(Buffer.buffer(onnx));
      } else if (p.equals("/" + ID + "/resolve/main/tokenizer.json")) {
        req.response().end(Buffer.buffer(tokenizer));
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  JsonObject settings() {
    return TestSupport.settings(dataDir.resolve("data")).put("reranker.model", ID)
        .put("models.hub_url", "http://127.0.0.1:" + hub.actualPort());
  }

  @Test
  @DisplayName("not pulled: the start fails naming `models pull`; auto_pull fetches it and EMBED_RERANK scores pairs")
  void pullAndServe() throws Exception {
    assertThatThrownBy(() -> vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(settings()))
        .toCompletionStage().toCompletableFuture().get()).hasMessageContaining("models pull " + ID);
    vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(settings().put("models.auto_pull", true)))
        .toCompletionStage().toCompletableFuture().get();
    assertThat(HubDownloader.present(dataDir.resolve("data/models"), ModelCards.findReranker(ID))).isTrue();
    JsonObject info = Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject()).toCompletionStage().toCompletableFuture().get();
    assertThat(info.getString("reranker")).isEqualTo(ID);
    // one score per text, in order, duplicates included
    JsonObject r = Bus.request(vertx, Addresses.EMBED_RERANK, new JsonObject().put("query", "which?")
        .put("texts", new JsonArray().add("plain").add("relevant one").add("plain"))).toCompletionStage().toCompletableFuture().get();
    assertThat(r.getJsonArray("scores")).hasSize(3);
    assertThat(r.getJsonArray("scores").getDouble(1)).isGreaterThan(r.getJsonArray("scores").getDouble(0));
    assertThat(r.getJsonArray("scores").getDouble(2)).isEqualTo(r.getJsonArray("scores").getDouble(0));
    assertThat(r.getString("model")).isEqualTo(ID);
  }

  @Test
  @DisplayName("an unknown reranker name fails the start naming the setting; none configured: EMBED_RERANK is unavailable")
  void errors() throws Exception {
    assertThatThrownBy(() -> vertx.deployVerticle(new EmbeddingVerticle(),
        TestSupport.worker(settings().put("reranker.model", "nobody/nothing")))
        .toCompletionStage().toCompletableFuture().get()).hasMessageContaining("reranker.model");
    vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(TestSupport.settings(dataDir.resolve("data"))))
        .toCompletionStage().toCompletableFuture().get();
    assertThat(Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject()).toCompletionStage().toCompletableFuture().get()
        .getString("reranker")).isNull();
    assertThatThrownBy(() -> Bus.request(vertx, Addresses.EMBED_RERANK, new JsonObject().put("query", "x")
        .put("texts", new JsonArray().add("y"))).toCompletionStage().toCompletableFuture().get())
        .hasMessageContaining("reranker.model");
  }
}
