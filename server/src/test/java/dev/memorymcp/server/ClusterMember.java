package dev.memorymcp.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One {@code serve --role … --cluster} process of the packaged jar, logging to a file. */
final class ClusterMember implements AutoCloseable {
  final String name;
  final Path log;
  private final List<String> cmd;
  private final Map<String, String> env;
  private Process process;

  ClusterMember(String name, Path dir, Map<String, String> env, String... roles) {
    this.name = name;
    this.log = dir.resolve(name + ".log");
    this.env = env;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", ServerProcess.jar().toString(), "serve", "--cluster"));
    for (String r : roles) {
      cmd.addAll(List.of("--role", r));
    }
  }

  /** Starts the process (without waiting for it to be ready). */
  ClusterMember start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    process = pb.start();
    return this;
  }

  /** Waits for the "ready" log line; fails with the log if the process exits first. */
  void awaitReady(long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (logText().contains("ServeCommand - memory service")) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " not ready after " + timeoutMs + " ms:\n" + tail());
  }

  /** Waits for the process to exit; returns its exit code. */
  int awaitExit(long timeoutMs) throws InterruptedException {
    if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " still running after " + timeoutMs + " ms:\n" + tail());
    }
    return process.exitValue();
  }

  /** SIGKILL: the member vanishes without leaving the cluster. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait: the member leaves cleanly. */
  int terminate() throws InterruptedException {
    process.destroy();
    return awaitExit(60_000);
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  String tail() {
    String t = logText();
    return t.length() > 6000 ? t.substring(t.length() - 6000) : t;
  }

  /** Kills the process if it still runs and waits, so its files can be deleted. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
