package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's admin commands as a user runs them: {@code keys create} before the first
 * start, the key working against the server, {@code keys} refused while the server holds the
 * directory, then {@code export} and {@code import} into another data directory.
 */
@DisplayName("keys, export and import commands (packaged jar)")
class AdminCommandsIT {
  @TempDir
  Path dir;

  record Run(int code, String out, String err) {}

  Run run(Path dataDir, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar", ServerProcess.jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("err.txt").toFile());
    pb.environment().put("MEMORY_MCP_DATA_DIR", dataDir.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, Files.readString(dir.resolve("err.txt")));
  }

  @Test
  @DisplayName("the first key is made offline, works against the server, and the directory's keys are locked while it runs")
  void keysExportImport() throws Exception {
    Path data = dir.resolve("data");
    Run made = run(data, "keys", "create", "--name", "first", "--role", "member", "--namespace", "alice");
    assertThat(made.code()).as(made.err()).isZero();
    String key = made.out().strip();
    assertThat(key).matches("mk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
    assertThat(made.err()).contains("shown only this once");
    Run bad = run(data, "keys", "create", "--name", "x", "--role", "wizard", "--namespace", "alice");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("role");
    try (ServerProcess server = new ServerProcess(data)) {
      server.start(Map.of("MEMORY_MCP_REQUIRE_AUTH", "true"));
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri("/api/v1/memories"))
          .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"content\": \"The CLI test remembers that Alice likes jasmine tea\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      assertThat(http.send(HttpRequest.newBuilder(server.uri("/api/v1/memories")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
      Run locked = run(data, "keys", "list");
      assertThat(locked.code()).isEqualTo(1);
      assertThat(locked.err()).contains("in use by a running memory service").contains("/api/v1/admin/keys");
    }
    Path file = dir.resolve("all.jsonl");
    Run exported = run(data, "export", "--out", file.toString(), "--with-vectors");
    assertThat(exported.code()).as(exported.err()).isZero();
    assertThat(exported.err()).contains("exported 1 memories");
    assertThat(Files.readAllLines(file)).hasSize(2).last().asString().contains("jasmine tea").contains("\"vector\"");
    Run imported = run(dir.resolve("data2"), "import", "--in", file.toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.err()).contains("imported 1 lines (0 re-embedded)");
    Run reexported = run(dir.resolve("data2"), "export", "--out", dir.resolve("again.jsonl").toString(), "--with-vectors");
    assertThat(reexported.code()).isZero();
    assertThat(Files.readAllLines(dir.resolve("again.jsonl")).get(1).replaceAll("\"seq\":\\d+,", ""))
        .isEqualTo(Files.readAllLines(file).get(1).replaceAll("\"seq\":\\d+,", ""));
  }

  @Test
  @DisplayName("duplicates, clean, restore and graph run against the data directory and say what they did")
  void curationCommands() throws Exception {
    Path data = dir.resolve("cur");
    Path file = dir.resolve("in.jsonl");
    // two exact duplicates and one other, brought in by import (the CLI's way to write)
    String line = "{\"namespace\":\"ops\",\"id\":\"%s\",\"memory\":{\"id\":\"%s\",\"content\":\"%s\",\"type\":\"note\","
        + "\"scope\":\"global\",\"created_at\":\"2026-01-0%dT00:00:00Z\",\"updated_at\":\"2026-01-0%dT00:00:00Z\"}}";
    Files.writeString(file, String.join("\n", "{\"format\":\"memory-export\",\"version\":1}", String.format(line, "m1", "m1", "Backups run nightly at 02:00", 1, 1),
        String.format(line, "m2", "m2", "backups run nightly at 02:00.", 2, 2), String.format(line, "m3", "m3", "The VPN uses WireGuard", 3, 3)) + "\n");
    Run imported = run(data, "import", "--in", file.toString());
    assertThat(imported.code()).as(imported.err()).isZero();

    Run dupes = run(data, "duplicates", "--namespace", "ops", "--threshold", "0.9");
    assertThat(dupes.code()).as(dupes.err()).isZero();
    JsonObject found = new JsonObject(dupes.out());
    assertThat(found.getJsonArray("pairs")).hasSize(1);
    assertThat(found.getJsonArray("pairs").getJsonObject(0).getString("verdict")).isEqualTo("merge");

    Run dry = run(data, "clean", "--namespace", "ops");
    assertThat(new JsonObject(dry.out()).getBoolean("dry_run")).isTrue();
    Run clean = run(data, "clean", "--namespace", "ops", "--confirm");
    assertThat(clean.code()).as(clean.err()).isZero();
    assertThat(new JsonObject(clean.out()).getLong("duplicates")).isEqualTo(1L);

    Run restored = run(data, "restore", "--namespace", "ops", "m2");
    assertThat(restored.code()).as(restored.err()).isZero();
    assertThat(new JsonObject(restored.out()).getJsonObject("memory").getString("content")).isEqualTo("backups run nightly at 02:00.");

    Path html = dir.resolve("graph.html");
    Run graph = run(data, "graph", "--namespace", "ops", "--out", html.toString());
    assertThat(graph.code()).as(graph.err()).isZero();
    assertThat(graph.err()).contains("3 memories");
    assertThat(Files.readString(html)).contains("MemoryGraph.drawGraph").contains("WireGuard");
    Run bad = run(data, "merge", "--namespace", "ops", "m1");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("ids");
  }
}
