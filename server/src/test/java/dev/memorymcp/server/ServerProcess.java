package dev.memorymcp.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The packaged jar run as a separate process on a free loopback port, logs to a file. */
final class ServerProcess implements AutoCloseable {
  final Path dataDir;
  final Path log;
  final int port;
  private Process process;

  ServerProcess(Path dataDir) throws IOException {
    this.dataDir = dataDir;
    this.log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("memory.server.jar", "target/memory-server.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException("no " + jar + ": run mvn package first");
    }
    return jar;
  }

  /** Starts the jar with {@code args}; returns the milliseconds until /health answered 200. */
  long start(Map<String, String> env, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("MEMORY_MCP_DATA_DIR", dataDir.toString());
    pb.environment().put("MEMORY_MCP_SERVER_PORT", String.valueOf(port));
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    process = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    while (System.nanoTime() - t0 < 120_000_000_000L) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + logText());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("server not healthy after 120 s:\n" + logText());
  }

  long pid() {
    return process.pid();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** SIGKILL (kill -9): no shutdown hook, no flush; what was not durable is lost. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Sends SIGTERM and waits for the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("server did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

}
