package dev.memorymcp.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("JdbcWriter: one connection on a thread of its own (real SQLite files)")
class JdbcWriterTest {
  @TempDir
  Path dir;
  Context ctx;

  @BeforeEach
  void context(Vertx vertx) {
    ctx = vertx.getOrCreateContext(); // both writers are used from one context, as in the storage verticle
  }

  @Test
  @DisplayName("a writer's transaction is not queued behind another writer's running one from the same context")
  void writersOfOneContextDoNotWaitForEachOther(Vertx vertx) throws Exception {
    JdbcWriter memories = on(() -> JdbcWriter.open(vertx, url("memories.db"), "memories"));
    JdbcWriter ingest = on(() -> JdbcWriter.open(vertx, url("ingest.db"), "ingest"));
    on(() -> memories.write(c -> JdbcWriter.update(c, "CREATE TABLE m(x INTEGER)")));
    on(() -> ingest.write(c -> JdbcWriter.update(c, "CREATE TABLE j(x INTEGER)")));

    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Integer> slow = submit(() -> memories.write(c -> {
      try {
        release.await(); // a long memory transaction, held open until the test lets it go
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return JdbcWriter.update(c, "INSERT INTO m VALUES (1)");
    }));
    try {
      // with one ordered queue per context this write would wait for `release` and time out
      CompletableFuture<Integer> ack = submit(() -> ingest.write(c -> JdbcWriter.update(c, "INSERT INTO j VALUES (1)")));
      assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(slow).isNotDone();
    } finally {
      release.countDown();
    }
    assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    on(memories::close);
    on(ingest::close);
  }

  @Test
  @DisplayName("one writer's transactions commit in the order they were submitted, and a failed one rolls back alone")
  void keepsSubmissionOrder(Vertx vertx) throws Exception {
    JdbcWriter writer = on(() -> JdbcWriter.open(vertx, url("order.db"), "order"));
    on(() -> writer.write(c -> JdbcWriter.update(c, "CREATE TABLE seq(n INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER)")));
    List<CompletableFuture<Integer>> writes = new ArrayList<>();
    CompletableFuture<List<Future<Integer>>> submitted = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      List<Future<Integer>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int value = i;
        all.add(writer.write(c -> {
          JdbcWriter.update(c, "INSERT INTO seq(v) VALUES (?)", value);
          if (value == 100) {
            JdbcWriter.update(c, "INSERT INTO missing VALUES (1)"); // fails: this one rolls back
          }
          return value;
        }));
      }
      submitted.complete(all);
    });
    for (Future<Integer> f : submitted.get(10, TimeUnit.SECONDS)) {
      writes.add(f.toCompletionStage().toCompletableFuture().handle((v, e) -> e == null ? v : -1));
    }
    for (int i = 0; i < 200; i++) {
      assertThat(writes.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i == 100 ? -1 : i);
    }
    List<Integer> values = on(() -> writer.write(c -> {
      List<Integer> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT v FROM seq ORDER BY n"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
      }
      return out;
    }));
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      if (i != 100) {
        expected.add(i);
      }
    }
    assertThat(values).isEqualTo(expected);
    on(writer::close);
  }

  private String url(String file) {
    return "jdbc:sqlite:" + dir.resolve(file) + "?journal_mode=WAL&synchronous=FULL&busy_timeout=5000";
  }

  private <T> CompletableFuture<T> submit(Supplier<Future<T>> op) {
    CompletableFuture<T> result = new CompletableFuture<>();
    ctx.runOnContext(v -> op.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result;
  }

  private <T> T on(Supplier<Future<T>> op) throws Exception {
    return submit(op).get(30, TimeUnit.SECONDS);
  }
}
