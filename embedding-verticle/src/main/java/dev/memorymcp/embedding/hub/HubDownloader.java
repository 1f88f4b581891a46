package dev.memorymcp.embedding.hub;

import dev.memorymcp.bus.ProcessLock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Downloads a model's ONNX export and tokenizer from the Hugging Face hub (or anything serving its
 * URL layout: {@code /api/models/{id}/tree/{revision}?recursive=true} for the file list with sizes
 * and hashes, {@code /{id}/resolve/{revision}/{path}} for the bytes) into
 * {@code <models>/hub/<org>--<name>/} as {@code model.onnx} and {@code tokenizer.json}, with a
 * {@code card.json} describing what was pulled. Every file is checked against the size and hash the
 * hub lists (SHA-256 for LFS files, the git blob SHA-1 otherwise) before it replaces anything; a
 * failed or interrupted download leaves the previous files as they were. Afterwards the service
 * starts offline. Blocking; one pull per model directory at a time (a file lock).
 */
public final class HubDownloader {
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  public static final String MANIFEST = "card.json";
  public static final String MODEL_FILE = "model.onnx";
  private static final int MAX_REDIRECTS = 5;

  private final URI endpoint;
  private final String token;
  private final PrintStream progress;
  private final HttpClient http;

  /** {@code token} (HF_TOKEN) may be null; progress lines go to {@code progress} (null: quiet). */
  /** A downloader for the settings' hub ({@code models.hub_url}), with {@code HF_TOKEN} from the environment. */
  public static HubDownloader fromSettings(JsonObject cfg, PrintStream progress) {
    return new HubDownloader(cfg.getString("models.hub_url"), System.getenv("HF_TOKEN"), progress);
  }

  public HubDownloader(String endpoint, String token, PrintStream progress) {
    String e = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.strip();
    this.endpoint = URI.create(e.endsWith("/") ? e.substring(0, e.length() - 1) : e);
    this.token = token == null || token.isBlank() ? null : token.strip();
    this.progress = progress;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NEVER).build(); // followed by hand, see get()
  }

  /** Where pulled hub models live: {@code models.dir}, else {@code <data_dir>/models}. */
  public static Path modelsDir(JsonObject cfg) {
    String dir = cfg.getString("models.dir", "");
    return dir == null || dir.isBlank() ? Path.of(cfg.getString("data_dir", "./data")).resolve("models") : Path.of(dir);
  }

  /** Where a card's files live under the models directory. */
  public static Path directory(Path modelsDir, ModelCard card) {
    return modelsDir.resolve("hub").resolve(card.directoryName());
  }

  /** Whether both files of the card are present (pulled before). */
  public static boolean present(Path modelsDir, ModelCard card) {
    Path dir = directory(modelsDir, card);
    return Files.isRegularFile(dir.resolve(MODEL_FILE)) && Files.isRegularFile(dir.resolve(ModelCard.TOKENIZER_FILE))
        && Files.isRegularFile(dir.resolve(MANIFEST));
  }

  /** Pulls the card's files at {@code revision}; files already matching the hub's hashes are kept. Returns the directory. */
  public Path pull(ModelCard card, String revision, Path modelsDir) throws IOException, InterruptedException {
    String rev = revision == null || revision.isBlank() ? "main" : revision.strip();
    Path dir = directory(modelsDir, card);
    Files.createDirectories(dir);
    try (ProcessLock lock = ProcessLock.acquire(dir.resolve(".pull.lock"),
        () -> "another process is pulling " + card.id() + " into " + dir + "; wait for it to finish")) {
      JsonArray tree = listing(card.id(), rev);
      JsonObject previous = Files.isRegularFile(dir.resolve(MANIFEST))
          ? new JsonObject(Files.readString(dir.resolve(MANIFEST))) : new JsonObject();
      JsonObject files = new JsonObject();
      for (String[] f : List.of(new String[] {card.onnxFile(), MODEL_FILE},
          new String[] {ModelCard.TOKENIZER_FILE, ModelCard.TOKENIZER_FILE})) {
        JsonObject entry = find(tree, f[0], card);
        Expected want = Expected.of(entry);
        Path target = dir.resolve(f[1]);
        JsonObject had = previous.getJsonObject("files", new JsonObject()).getJsonObject(f[1]);
        if (Files.isRegularFile(target) && had != null && want.digest.equals(had.getString(want.algorithm))
            && Files.size(target) == want.size) {
          say(f[0] + ": up to date");
        } else {
          download(card.id(), rev, f[0], want, target);
        }
        files.put(f[1], new JsonObject().put("source", f[0]).put("size", want.size).put(want.algorithm, want.digest));
      }
      JsonObject manifest = new JsonObject().put("card", card.toJson()).put("revision", rev)
          .put("endpoint", endpoint.toString()).put("pulled_at", Instant.now().toString()).put("files", files);
      Path tmp = dir.resolve(MANIFEST + ".tmp");
      Files.writeString(tmp, manifest.encodePrettily());
      Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      say(card.id() + " @ " + rev + " is in " + dir);
      return dir;
    }
  }

  /** The size and hash the hub lists for a file. */
  private record Expected(long size, String algorithm, String digest) {
    static Expected of(JsonObject e) {
      JsonObject lfs = e.getJsonObject("lfs");
      if (lfs != null && lfs.getString("oid") != null) {
        return new Expected(lfs.getLong("size", e.getLong("size", -1L)), "sha256", lfs.getString("oid"));
      }
      return new Expected(e.getLong("size", -1L), "git_sha1", Objects.requireNonNull(e.getString("oid"),
          "the hub listed " + e.getString("path") + " without a hash"));
    }
  }

  private JsonArray listing(String id, String rev) throws IOException, InterruptedException {
    HttpResponse<String> r = get(endpoint.resolve("/api/models/" + id + "/tree/" + encode(rev) + "?recursive=true"),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new IOException(id + ": the hub refused the listing (" + r.statusCode() + "); a gated or private model "
          + "needs HF_TOKEN with access to it");
    }
    if (r.statusCode() == 404) {
      throw new IOException(id + " @ " + rev + " is not on " + endpoint + " (404): check the name and revision");
    }
    if (r.statusCode() != 200) {
      throw new IOException(id + ": listing failed with HTTP " + r.statusCode() + " from " + endpoint);
    }
    try {
      return new JsonArray(r.body());
    } catch (RuntimeException e) {
      throw new IOException(id + ": the listing from " + endpoint + " is not the hub's JSON array");
    }
  }

  private static JsonObject find(JsonArray tree, String path, ModelCard card) throws IOException {
    for (Object o : tree) {
      if (o instanceof JsonObject e && path.equals(e.getString("path")) && !"directory".equals(e.getString("type"))) {
        return e;
      }
    }
    List<String> onnx = tree.stream().filter(o -> o instanceof JsonObject).map(o -> ((JsonObject) o).getString("path", ""))
        .filter(p -> p.endsWith(".onnx")).toList();
    throw new IOException(card.id() + " has no " + path + (path.endsWith(".onnx")
        ? "; ONNX files in the repository: " + (onnx.isEmpty() ? "none (it needs an ONNX export)"
            : onnx + " (choose one with --onnx-file)") : ""));
  }

  private void download(String id, String rev, String path, Expected want, Path target)
      throws IOException, InterruptedException {
    URI uri = endpoint.resolve("/" + id + "/resolve/" + encode(rev) + "/" + path);
    HttpResponse<InputStream> r = get(uri, HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      r.body().close();
      throw new IOException(id + ": downloading " + path + " failed with HTTP " + r.statusCode());
    }
    Path part = target.resolveSibling("." + target.getFileName() + ".part-" + ProcessHandle.current().pid());
    MessageDigest digest = digest(want.algorithm);
    if (want.algorithm.equals("git_sha1")) { // git hashes "blob <size>\0" + the bytes
      digest.update(("blob " + want.size + "\0").getBytes(StandardCharsets.US_ASCII));
    }
    long done = 0;
    long lastReport = 0;
    try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(part)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        digest.update(buf, 0, n);
        done += n;
        long now = System.nanoTime();
        if (now - lastReport > 1_000_000_000L) {
          lastReport = now;
          say(String.format("%s: %5.1f%% of %.1f MB", path, want.size > 0 ? 100.0 * done / want.size : 0.0,
              want.size / 1e6));
        }
      }
    } catch (IOException e) {
      Files.deleteIfExists(part);
      throw new IOException(id + ": downloading " + path + " was interrupted after " + done + " bytes: " + e.getMessage(), e);
    }
    String got = HexFormat.of().formatHex(digest.digest());
    if (done != want.size || !got.equalsIgnoreCase(want.digest)) {
      Files.deleteIfExists(part);
      throw new IOException(id + ": " + path + " does not match the hub's listing (" + done + " bytes, "
          + want.algorithm + " " + got + "; expected " + want.size + " bytes, " + want.digest
          + "); the download was discarded");
    }
    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    say(String.format("%s: 100.0%% of %.1f MB, %s verified", path, want.size / 1e6, want.algorithm));
  }

  /** GET following up to five redirects; the token goes only to the hub's own host, never to a CDN. */
  private <T> HttpResponse<T> get(URI uri, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
    URI at = uri;
    for (int i = 0; i <= MAX_REDIRECTS; i++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(at).timeout(Duration.ofMinutes(30)).GET()
          .header("User-Agent", "memory-mcp-models-pull");
      if (token != null && Objects.equals(at.getHost(), endpoint.getHost())) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<T> r = http.send(b.build(), handler);
      int s = r.statusCode();
      if (s < 300 || s >= 400 || r.headers().firstValue("Location").isEmpty()) {
        return r;
      }
      if (r.body() instanceof InputStream in) {
        in.close();
      }
      at = at.resolve(r.headers().firstValue("Location").get());
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void say(String line) {
    if (progress != null) {
      progress.println(line);
    }
  }
}
