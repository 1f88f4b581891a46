package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.qdrantdouble.QdrantDouble;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code migrate} command of the packaged jar, as a process, against QdrantDouble (the TEST
 * DOUBLE of Qdrant's gRPC API on a loopback port; no Qdrant runs here).
 */
@DisplayName("memory-server.jar migrate")
class MigrateCommandIT {
  @TempDir
  Path dir;

  record Run(int exit, String output) {}

  Run migrate(Path data, String qdrantUrl, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", ServerProcess.jar().toString(), "migrate"));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("migrate-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("MEMORY_MCP_DATA_DIR", data.toString());
    pb.environment().put("MEMORY_MCP_QDRANT_URL", qdrantUrl);
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("migrate did not finish in 180 s:\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("copies a data directory into Qdrant with a progress bar and a verification; bad arguments exit non-zero")
  void sqliteToQdrant() throws Exception {
    Path data = dir.resolve("data");
    try (TestServer s = new TestServer(data, new JsonObject()).start()) {
      for (int i = 0; i < 7; i++) {
        s.remember("cli", "The command line migration note number " + i + " is about topic " + (char) ('A' + i));
      }
    }
    try (QdrantDouble qdrant = QdrantDouble.onLoopback(0)) {
      Run run = migrate(data, qdrant.url(), "--from", "sqlite", "--to", "qdrant", "--batch-size", "3");
      assertThat(run.exit()).as(run.output()).isZero();
      assertThat(run.output()).contains("migrating mig_").contains("100%").contains("done, 7 of 7 items")
          .contains("verified: item and memory counts match");

      Run again = migrate(data, qdrant.url(), "--from", "sqlite", "--to", "qdrant");
      assertThat(again.exit()).as(again.output()).isZero(); // idempotent: the same copy again

      Run missingTarget = migrate(data, qdrant.url(), "--from", "sqlite");
      assertThat(missingTarget.exit()).isEqualTo(1);
      assertThat(missingTarget.output()).contains("target is required");

      Run typo = migrate(data, qdrant.url(), "--form", "sqlite");
      assertThat(typo.exit()).isEqualTo(2);
      assertThat(typo.output()).contains("unknown migrate option --form");
    }
    try (QdrantDouble gone = QdrantDouble.onLoopback(0)) {
      String url = gone.url();
      gone.close();
      Run unreachable = migrate(data, url, "--from", "sqlite", "--to", "qdrant");
      assertThat(unreachable.exit()).isEqualTo(1);
      assertThat(unreachable.output()).contains(url);
    }
  }
}
