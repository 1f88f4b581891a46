package dev.memorymcp.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.embedding.internal.ModelFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Extracting classpath models")
class ModelFilesTest {
  @TempDir
  Path dataDir;

  static Path extractE5(Path dataDir) throws IOException {
    return ModelFiles.materialize(ModelSpec.fromSettings(new JsonObject()), dataDir);
  }

  @Test
  @DisplayName("extracts model.onnx and tokenizer.json under models/<name>, no temp files left")
  void extracts() throws Exception {
    Path dir = extractE5(dataDir);
    assertThat(dir).isEqualTo(dataDir.resolve("models/e5-small-v2-q").toAbsolutePath());
    assertThat(Files.size(dir.resolve("model.onnx"))).isGreaterThan(10_000_000);
    assertThat(Files.size(dir.resolve("tokenizer.json"))).isGreaterThan(100_000);
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("model.onnx", "tokenizer.json");
  }

  @Test
  @DisplayName("keeps files of the right size, rewrites a truncated one, drops crash leftovers")
  void skipsSameSizeAndRepairsOthers() throws Exception {
    Path dir = extractE5(dataDir);
    FileTime old = FileTime.fromMillis(1_000_000_000L);
    Files.setLastModifiedTime(dir.resolve("model.onnx"), old);
    long tokenizerSize = Files.size(dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("tokenizer.json"), "{\"half\":");
    Files.writeString(dir.resolve(".model.onnx123.part"), "left by a crash");

    extractE5(dataDir);

    assertThat(Files.getLastModifiedTime(dir.resolve("model.onnx"))).isEqualTo(old);
    assertThat(Files.size(dir.resolve("tokenizer.json"))).isEqualTo(tokenizerSize);
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("model.onnx", "tokenizer.json");
  }

  @Test
  @DisplayName("processes sharing a data directory extract one at a time: none fails, no temp file is left")
  void concurrentProcesses() throws Exception {
    Path shared = dataDir.resolve("shared");
    java.util.List<Process> procs = new java.util.ArrayList<>();
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = 0; i < 3; i++) {
      procs.add(new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
          ExtractOnce.class.getName(), shared.toString()).redirectErrorStream(true).start());
    }
    for (Process p : procs) {
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
    Path dir = shared.resolve("models/e5-small-v2-q");
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("model.onnx", "tokenizer.json");
    assertThat(Files.size(dir.resolve("model.onnx"))).isGreaterThan(10_000_000);
  }

  @Test
  @DisplayName("a directory model is used in place")
  void directoryModelInPlace() throws Exception {
    Files.writeString(dataDir.resolve("model.onnx"), "x");
    Files.writeString(dataDir.resolve("tokenizer.json"), "{}");
    ModelSpec spec = ModelSpec.custom(dataDir, "mean", "", "", false);
    assertThat(ModelFiles.materialize(spec, dataDir.resolve("elsewhere")))
        .isEqualTo(dataDir.toAbsolutePath().normalize());
    assertThat(spec.name()).isEqualTo("custom:" + dataDir.getFileName());
  }
}
