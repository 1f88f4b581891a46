package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of ingestion with the packaged jar as a process: 500 messages accepted, SIGKILL
 * while the worker is busy, restart; every accepted job must end done and no fact may be written
 * twice. Dedupe is switched off here so that only the write keys stand between a retried job and
 * a duplicate memory.
 */
@DisplayName("ingest survives kill -9")
class IngestCrashIT {
  static final int JOBS = 100;
  static final int MESSAGES_PER_JOB = 5;
  /** The user turns of each job that state something (a preference and a decision). */
  static final int FACTS_PER_JOB = 2;
  static final String NS = "crash";

  @TempDir
  Path dir;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @DisplayName("500 messages posted, kill -9 mid-way, restart: every job done, no memory duplicated")
  void killNineMidIngest() throws Exception {
    Map<String, String> env = Map.of("MEMORY_MCP_DEDUPE_ENABLED", "false", "MEMORY_MCP_INGEST_CONCURRENCY", "2");
    List<String> jobIds = new ArrayList<>();
    try (ServerProcess p = new ServerProcess(dir.resolve("data"))) {
      p.start(env);
      for (int j = 0; j < JOBS; j++) {
        JsonArray messages = new JsonArray()
            .add(msg("user", "Hello again!"))
            .add(msg("user", "I prefer reviewing pull request number " + j + " in the morning."))
            .add(msg("assistant", "Sure, noted. Anything else?"))
            .add(msg("user", "We decided that ticket " + (1000 + j) + " goes to the platform team."))
            .add(msg("user", "What is on my calendar today?"));
        HttpResponse<String> r = send(p, "POST", "/api/v1/ingest",
            new JsonObject().put("messages", messages).put("session_id", "s" + j), "job-" + j);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = new JsonObject(r.body()).getString("job_id");
        jobIds.add(id);
      }
      assertThat(jobIds).hasSize(JOBS);
      // kill while the worker is in the middle of the backlog
      long deadline = System.nanoTime() + 120_000_000_000L;
      long done;
      do {
        Thread.sleep(100);
        done = counts(p).getLong("done", 0L);
      } while (done < 10 && System.nanoTime() < deadline);
      assertThat(done).as("jobs done before the kill").isBetween(10L, (long) JOBS - 1);
      p.kill();
      System.out.printf("IngestCrashIT: kill -9 with %d of %d jobs done%n", done, JOBS);
    }

    try (ServerProcess p = new ServerProcess(dir.resolve("data"))) {
      p.start(env);
      long deadline = System.nanoTime() + 300_000_000_000L;
      JsonObject counts;
      do {
        Thread.sleep(200);
        counts = counts(p);
      } while (counts.getLong("done", 0L) + counts.getLong("failed", 0L) < JOBS && System.nanoTime() < deadline);
      assertThat(counts.getLong("failed")).as("failed jobs").isZero();
      assertThat(counts.getLong("done")).isEqualTo(JOBS);

      List<String> contents = new ArrayList<>();
      for (String id : jobIds) {
        JsonObject job = new JsonObject(send(p, "GET", "/api/v1/ingest/" + id, null, null).body());
        assertThat(job.getString("status")).isEqualTo("done");
        assertThat(job.getInteger("facts")).as("facts of " + id).isEqualTo(FACTS_PER_JOB);
        assertThat(job.getJsonObject("memories").getJsonArray("created")).hasSize(FACTS_PER_JOB);
      }
      String cursor = null;
      do {
        JsonObject page = new JsonObject(send(p, "GET", "/api/v1/memories?limit=100"
            + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, "UTF-8")), null, null).body());
        page.getJsonArray("memories").forEach(o -> contents.add(((JsonObject) o).getString("content")));
        cursor = page.getString("next_cursor");
      } while (cursor != null);
      assertThat(contents).as("every fact exactly once").hasSize(JOBS * FACTS_PER_JOB).doesNotHaveDuplicates();
      String log = p.logText();
      System.out.println("IngestCrashIT: after restart: " + log.lines()
          .filter(l -> l.contains("queued again") || l.contains("replayed")).findFirst().orElse("(no job was running at the kill)"));
    }
  }

  static JsonObject msg(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  JsonObject counts(ServerProcess p) throws Exception {
    return new JsonObject(send(p, "GET", "/health", null, null).body()).getJsonObject("ingest_jobs");
  }

  HttpResponse<String> send(ServerProcess p, String method, String path, JsonObject body, String idempotencyKey)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(p.uri(path)).timeout(Duration.ofSeconds(30))
        .header("X-Persona", NS).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
