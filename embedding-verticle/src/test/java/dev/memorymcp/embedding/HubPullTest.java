package dev.memorymcp.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.embedding.hub.HubDownloader;
import dev.memorymcp.embedding.hub.ModelCard;
import dev.memorymcp.embedding.hub.ModelCards;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models pull} against a local HTTP server that answers in the Hugging Face hub's URL
 * layout (the hub itself is not reachable here). The payload is the Maven-shipped e5-small-v2
 * export served as if it were intfloat/multilingual-e5-small; the model file is redirected to a
 * second host name, as the hub redirects LFS files to its CDN.
 */
@DisplayName("models pull from a hub (local server in the hub's URL layout)")
class HubPullTest {
  static final String ID = "intfloat/multilingual-e5-small";
  @TempDir
  Path dataDir;
  Vertx vertx;
  HttpServer hub;
  byte[] onnx;
  byte[] tokenizer;
  /** path → Authorization header (or "-") of each request the hub saw. */
  final List<String> seen = new CopyOnWriteArrayList<>();
  /** Overrides of what the listing claims: path → sha256. */
  final Map<String, String> listedSha = new ConcurrentHashMap<>();

  @BeforeEach
  void startHub() throws Exception {
    Path e5 = ModelFilesTest.extractE5(Files.createDirectories(dataDir.resolve("payload")));
    onnx = Files.readAllBytes(e5.resolve("model.onnx"));
    tokenizer = Files.readAllBytes(e5.resolve("tokenizer.json"));
    vertx = Vertx.vertx();
    hub = vertx.createHttpServer().requestHandler(req -> {
      seen.add((req.authority() == null ? "?" : req.authority().host()) + req.path() + " " + req.getHeader("Authorization"));
      String p = req.path();
      if (p.equals("/api/models/" + ID + "/tree/main")) {
        JsonArray tree = new JsonArray()
            .add(new JsonObject().put("type", "directory").put("path", "onnx").put("oid", "x").put("size", 0))
            .add(new JsonObject().put("type", "file").put("path", "onnx/model.onnx").put("size", 134)
                .put("oid", "pointer-sha1").put("lfs", new JsonObject().put("oid",
                    listedSha.getOrDefault("onnx/model.onnx", sha256(onnx))).put("size", onnx.length).put("pointerSize", 134)))
            .add(new JsonObject().put("type", "file").put("path", "onnx/model_quantized.onnx").put("size", 10))
            .add(new JsonObject().put("type", "file").put("path", "tokenizer.json").put("size", tokenizer.length)
                .put("oid", gitSha1(tokenizer)));
        req.response().putHeader("Content-Type", "application/json").end(tree.encode());
      } else if (p.equals("/" + ID + "/resolve/main/onnx/model.onnx")) { // LFS: off to the "CDN"
        req.response().setStatusCode(302).putHeader("Location", "http://localhost:" + hub.actualPort() + "/cdn/model.onnx").end();
      } else if (p.equals("/cdn/model.onnx")) {
        req.response().end(Buffer.buffer(onnx));
      } else if (p.equals("/" + ID + "/resolve/main/tokenizer.json")) {
        req.response().end(Buffer.buffer(tokenizer));
      } else {
        req.response().setStatusCode(404).end("{\"error\":\"Repository not found\"}");
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void stopHub() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  String url() {
    return "http://127.0.0.1:" + hub.actualPort();
  }

  Path models() {
    return dataDir.resolve("data/models");
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String gitSha1(byte[] b) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-1");
      d.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(d.digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("pulls the ONNX export and tokenizer, verified (SHA-256 / git SHA-1), token only to the hub host; a second pull downloads nothing")
  void pullsAndVerifies() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    ModelCard card = ModelCards.find(ID);
    Path dir = new HubDownloader(url(), "hf_secret", new PrintStream(log, true, StandardCharsets.UTF_8))
        .pull(card, "main", models());
    assertThat(dir).isEqualTo(models().resolve("hub/intfloat--multilingual-e5-small"));
    assertThat(sha256(Files.readAllBytes(dir.resolve("model.onnx")))).isEqualTo(sha256(onnx));
    assertThat(Files.readAllBytes(dir.resolve("tokenizer.json"))).isEqualTo(tokenizer);
    JsonObject manifest = new JsonObject(Files.readString(dir.resolve("card.json")));
    assertThat(manifest.getString("revision")).isEqualTo("main");
    assertThat(manifest.getJsonObject("files").getJsonObject("model.onnx").getString("sha256")).isEqualTo(sha256(onnx));
    assertThat(manifest.getJsonObject("card").getString("query_prefix")).isEqualTo("query: ");
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("onnx/model.onnx: 100.0%").contains("sha256 verified")
        .contains("git_sha1 verified");
    assertThat(seen).contains("127.0.0.1/api/models/" + ID + "/tree/main Bearer hf_secret", "localhost/cdn/model.onnx null");
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("model.onnx", "tokenizer.json",
          "card.json", ".pull.lock");
    }
    seen.clear();
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    new HubDownloader(url(), null, new PrintStream(again, true, StandardCharsets.UTF_8)).pull(card, "main", models());
    assertThat(again.toString(StandardCharsets.UTF_8)).contains("onnx/model.onnx: up to date", "tokenizer.json: up to date");
    assertThat(seen).noneMatch(s -> s.contains("/cdn/") || s.contains("/resolve/"));
  }

  @Test
  @DisplayName("a file that does not match the listed hash is discarded: nothing is left, and an existing good file is kept")
  void corruptDownloadIsDiscarded() throws Exception {
    ModelCard card = ModelCards.find(ID);
    listedSha.put("onnx/model.onnx", "00".repeat(32));
    assertThatThrownBy(() -> new HubDownloader(url(), null, null).pull(card, "main", models()))
        .hasMessageContaining("onnx/model.onnx does not match the hub's listing").hasMessageContaining("discarded");
    Path dir = HubDownloader.directory(models(), card);
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly(".pull.lock");
    }
    assertThat(HubDownloader.present(models(), card)).isFalse();
    listedSha.clear();
    new HubDownloader(url(), null, null).pull(card, "main", models());
    listedSha.put("onnx/model.onnx", "11".repeat(32)); // the hub now lists other bytes: a new pull fails, the old file stays
    assertThatThrownBy(() -> new HubDownloader(url(), null, null).pull(card, "main", models())).hasMessageContaining("discarded");
    assertThat(sha256(Files.readAllBytes(dir.resolve("model.onnx")))).isEqualTo(sha256(onnx));
  }

  @Test
  @DisplayName("a missing ONNX file names the ones the repository has; an unknown model or revision says so")
  void clearErrors() {
    ModelCard elsewhere = ModelCards.find(ID).withOnnxFile("model.onnx");
    assertThatThrownBy(() -> new HubDownloader(url(), null, null).pull(elsewhere, "main", models()))
        .hasMessageContaining("has no model.onnx").hasMessageContaining("onnx/model_quantized.onnx")
        .hasMessageContaining("--onnx-file");
    assertThatThrownBy(() -> new HubDownloader(url(), null, null).pull(ModelCards.find(ID), "v9", models()))
        .hasMessageContaining("is not on").hasMessageContaining("404");
  }

  @Test
  @DisplayName("after a pull the model runs by its hub name with the hub gone; before it, start fails naming `models pull`")
  void runsOfflineByName() throws Exception {
    JsonObject cfg = TestSupport.settings(dataDir.resolve("data")).put("embedding.model", ID);
    assertThatThrownBy(() -> vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(cfg))
        .toCompletionStage().toCompletableFuture().get())
        .hasMessageContaining("models pull " + ID);
    new HubDownloader(url(), null, null).pull(ModelCards.find(ID), "main", models());
    hub.close().toCompletionStage().toCompletableFuture().get();
    vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(cfg)).toCompletionStage().toCompletableFuture().get();
    JsonObject info = Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject()).toCompletionStage().toCompletableFuture().get();
    assertThat(info.getString("model")).isEqualTo(ID);
    assertThat(info.getBoolean("multilingual")).isTrue();
    assertThat(info.getInteger("dimension")).isEqualTo(384);
  }

  @Test
  @DisplayName("with models.auto_pull the first start downloads the model from models.hub_url")
  void autoPull() throws Exception {
    JsonObject cfg = TestSupport.settings(dataDir.resolve("data")).put("embedding.model", ID)
        .put("models.auto_pull", true).put("models.hub_url", url());
    vertx.deployVerticle(new EmbeddingVerticle(), TestSupport.worker(cfg)).toCompletionStage().toCompletableFuture().get();
    assertThat(HubDownloader.present(models(), ModelCards.find(ID))).isTrue();
    JsonObject vectors = Bus.request(vertx, Addresses.EMBED, TestSupport.embedBody("query", "東京の天気"))
        .toCompletionStage().toCompletableFuture().get();
    assertThat(TestSupport.vectors(vectors).get(0)).hasSize(384);
  }
}
