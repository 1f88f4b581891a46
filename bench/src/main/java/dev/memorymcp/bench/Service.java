package dev.memorymcp.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service under test: either one already running at a URL (its resident memory is known only
 * when its pid is given), or the packaged jar started by the harness as a child process on a free
 * loopback port with its own data directory, so start-up time and resident memory are measured too.
 */
final class Service implements AutoCloseable {
  final String url;
  final long pid;          // -1: unknown
  final long startMillis;  // -1: not started by the harness
  private final Process process;

  private Service(String url, long pid, long startMillis, Process process) {
    this.url = url;
    this.pid = pid;
    this.startMillis = startMillis;
    this.process = process;
  }

  static Service running(String url, long pid) {
    return new Service(url, pid, -1, null);
  }

  /** Starts {@code java -jar jar} with {@code env} and waits (up to 180 s) until /health answers 200. */
  static Service start(Path jar, Path dataDir, Map<String, String> env, Path log) throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("no service jar at " + jar + ": run `mvn -B -DskipTests package` first");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("MEMORY_MCP_DATA_DIR", dataDir.toString());
    pb.environment().put("MEMORY_MCP_SERVER_HOST", "127.0.0.1");
    pb.environment().put("MEMORY_MCP_SERVER_PORT", String.valueOf(port));
    pb.environment().putAll(env);
    String url = "http://127.0.0.1:" + port;
    long t0 = System.nanoTime();
    Process p = pb.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(180)) {
      if (!p.isAlive()) {
        throw new IOException("the service exited with " + p.exitValue() + " during start-up; log: " + log);
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return new Service(url, p.pid(), (System.nanoTime() - t0) / 1_000_000, p);
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new IOException("the service was not healthy 180 s after start; log: " + log);
  }

  /** Resident set size of the service process in MiB (Linux /proc), or -1 when the pid is unknown. */
  long rssMiB() throws IOException {
    if (pid < 0) {
      return -1;
    }
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }

  /** SIGTERM and up to 60 s for a clean stop, then SIGKILL; a service the harness did not start is left alone. */
  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
