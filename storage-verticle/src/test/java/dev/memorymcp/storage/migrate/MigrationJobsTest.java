package dev.memorymcp.storage.migrate;

import dev.memorymcp.storage.sqlite.SqliteMemoryStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.migrate.Migration;
import dev.memorymcp.storage.migrate.MigrationJobs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Migration jobs: validation, state files, one at a time, and resuming what a crash left running. */
@ExtendWith(VertxExtension.class)
@DisplayName("migration jobs")
class MigrationJobsTest {
  @TempDir
  Path dir;
  Vertx vertx;
  SqliteMemoryStore source;
  SqliteMemoryStore target;

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    source = new SqliteMemoryStore(vertx, dir.resolve("source.db"), "NORMAL");
    source.open().await();
    target = new SqliteMemoryStore(vertx, dir.resolve("target.db"), "NORMAL");
    target.open().await();
    MigrationTest.fill(source);
  }

  @AfterEach
  void close() {
    source.close().await();
    target.close().await();
  }

  /** "sqlite" is the source file, "qdrant" stands for the target file here (the kinds are just names to the jobs). */
  MigrationJobs jobs() {
    return new MigrationJobs(vertx, dir.resolve("migrations"), kind -> Future.succeededFuture(new MigrationJobs.Opened(
        Migration.Store.of("sqlite".equals(kind) ? source : target), Future::succeededFuture)));
  }

  @Test
  @DisplayName("bad requests are 400s naming the field; nothing starts")
  void validation() {
    MigrationJobs jobs = jobs();
    assertField(() -> jobs.start(new JsonObject().put("target", "qdrant")), "source");
    assertField(() -> jobs.start(new JsonObject().put("source", "mysql").put("target", "qdrant")), "source");
    assertField(() -> jobs.start(new JsonObject().put("source", "sqlite").put("target", "sqlite")), "target");
    assertField(() -> jobs.start(new JsonObject().put("source", "sqlite").put("target", "qdrant").put("batch_size", 0)), "batch_size");
    assertField(() -> jobs.start(new JsonObject().put("source", "sqlite").put("target", "qdrant").put("bacth_size", 5)), "bacth_size");
    assertThat(dir.resolve("migrations")).doesNotExist();
  }

  @Test
  @DisplayName("a job runs in the background, its state file ends done and verified; unknown ids are 404")
  void runsToDone() throws Exception {
    MigrationJobs jobs = jobs();
    JsonObject started = jobs.start(new JsonObject().put("source", "sqlite").put("target", "qdrant").put("batch_size", 4)).await();
    String id = started.getString("job_id");
    assertThat(started.getString("status")).isEqualTo("running");
    assertThat(id).matches("mig_[0-9a-f]{16}");

    JsonObject end = jobs.finished(id).await();

    assertThat(end.getString("status")).as(end.encodePrettily()).isEqualTo("done");
    assertThat(end.getLong("done")).isEqualTo(27);
    assertThat(end.getJsonObject("verify").getBoolean("ok")).isTrue();
    assertThat(new JsonObject(Files.readString(dir.resolve("migrations/" + id + ".json")))).isEqualTo(end);
    assertThat(jobs.get(new JsonObject().put("job_id", id)).await()).isEqualTo(end);
    assertThatThrownBy(() -> jobs.get(new JsonObject().put("job_id", "mig_0123456789abcdef")).await())
        .isInstanceOfSatisfying(MemoryException.class, e -> assertThat(e.error()).isEqualTo("MIGRATION_NOT_FOUND"));
  }

  @Test
  @DisplayName("one job at a time: a second start while one runs is 409 MIGRATION_RUNNING")
  void oneAtATime() {
    MigrationJobs jobs = jobs();
    JsonObject first = jobs.start(new JsonObject().put("source", "sqlite").put("target", "qdrant").put("batch_size", 1)).await();
    assertThatThrownBy(() -> jobs.start(new JsonObject().put("source", "sqlite").put("target", "qdrant")).await())
        .isInstanceOfSatisfying(MemoryException.class, e -> {
          assertThat(e.error()).isEqualTo("MIGRATION_RUNNING");
          assertThat(e.details().getString("job_id")).isEqualTo(first.getString("job_id"));
        });
    jobs.finished(first.getString("job_id")).await();
  }

  @Test
  @DisplayName("a state file left running by a crash is resumed at the next start (a new start meanwhile is refused) and completes without duplicates")
  void resumesAfterCrash() throws Exception {
    MigrationJobs jobs = jobs();
    String id = jobs.start(new JsonObject().put("source", "sqlite").put("target", "qdrant").put("batch_size", 3)).await()
        .getString("job_id");
    Path file = dir.resolve("migrations/" + id + ".json");
    JsonObject done = jobs.finished(id).await();
    // the file as a crash after the third checkpoint leaves it: running, alice 9 of 23 copied, bob
    // not started (the target already holds more: batches written after the last checkpoint)
    String ninthAliceId = source.readItems("alice", null, 9).await().cursor();
    JsonObject midRun = done.copy().put("status", "running").put("done", 9L);
    midRun.remove("verify");
    midRun.remove("finished_at");
    JsonObject alice = midRun.getJsonArray("namespaces").getJsonObject(0);
    JsonObject bob = midRun.getJsonArray("namespaces").getJsonObject(1);
    assertThat(alice.getString("namespace")).isEqualTo("alice");
    alice.put("done", 9L).put("cursor", ninthAliceId).put("status", "copying");
    bob.put("done", 0L).putNull("cursor").put("status", "pending");
    Files.writeString(file, midRun.encodePrettily());

    MigrationJobs restarted = jobs();
    Future<Void> resumed = restarted.resumeUnfinished();
    // a start sent right after the restart (the CLI does) must not run beside the resumed job
    assertThatThrownBy(() -> restarted.start(new JsonObject().put("source", "sqlite").put("target", "qdrant")).await())
        .isInstanceOfSatisfying(MemoryException.class, e -> {
          assertThat(e.error()).isEqualTo("MIGRATION_RUNNING");
          assertThat(e.details().getString("job_id")).isEqualTo(id);
        });
    resumed.await();

    JsonObject end = restarted.get(new JsonObject().put("job_id", id)).await();
    assertThat(end.getString("status")).as(end.encodePrettily()).isEqualTo("done");
    assertThat(end.getInteger("resumed")).isEqualTo(1);
    assertThat(end.getLong("done")).isEqualTo(27);
    assertThat(end.getJsonObject("verify").getBoolean("ok")).as(end.encodePrettily()).isTrue();
    assertThat(target.itemCount("alice").await()).isEqualTo(source.itemCount("alice").await());
  }

  @Test
  @DisplayName("a store that will not open fails the start itself, and no job is left behind")
  void openerFailure() {
    MigrationJobs jobs = new MigrationJobs(vertx, dir.resolve("migrations"), kind -> "qdrant".equals(kind)
        ? Future.failedFuture(MemoryException.invalidField("target", "Qdrant is not configured"))
        : Future.succeededFuture(new MigrationJobs.Opened(Migration.Store.of(source), Future::succeededFuture)));
    assertField(() -> jobs.start(new JsonObject().put("source", "sqlite").put("target", "qdrant")), "target");
    assertThat(jobs.busy()).isFalse();
    assertThat(dir.resolve("migrations")).doesNotExist();
  }

  private static void assertField(java.util.concurrent.Callable<Future<JsonObject>> call, String field) {
    assertThatThrownBy(() -> call.call().await()).isInstanceOfSatisfying(MemoryException.class, e -> {
      assertThat(e.code().code).isEqualTo(400);
      assertThat(e.getMessage()).contains(field);
    });
  }
}
