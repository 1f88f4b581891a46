package dev.memorymcp.storage.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What every ingest queue must do; subclasses open one on a real backend. */
@ExtendWith(VertxExtension.class)
abstract class IngestQueueContract {
  private static final IngestRequest.Limits LIMITS = new IngestRequest.Limits(200, 20_000);

  @TempDir
  Path dir;
  Vertx vertx;
  Context ctx;
  IngestQueue queue;
  final AtomicInteger ids = new AtomicInteger();

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    ctx = vertx.getOrCreateContext();
    queue = open(100);
  }

  @AfterEach
  void close() {
    on(() -> queue.close());
  }

  /** A queue on the same backend as every earlier one of this test (what a restart reopens). */
  abstract IngestQueue create(int depth);

  IngestQueue open(int depth) {
    IngestQueue q = create(depth);
    on(q::open);
    return q;
  }

  String nextId() {
    return "job" + ids.incrementAndGet();
  }

  /** The queue is used from one context, as in the storage verticle; the test thread waits. */
  <T> T on(Supplier<Future<T>> op) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> op.get().onComplete(p));
    return p.future().await();
  }

  static IngestRequest request(String... contents) {
    JsonArray messages = new JsonArray();
    for (String c : contents) {
      messages.add(new JsonObject().put("role", "user").put("content", c));
    }
    return IngestRequest.parse(new JsonObject().put("messages", messages).put("session_id", "s1"), LIMITS);
  }

  @Test
  @DisplayName("an acknowledged job survives closing and reopening, with its messages")
  void enqueuedJobIsDurable() {
    JsonObject ack = on(() -> queue.enqueue("ns", request("I prefer tea"), null));
    assertThat(ack.getString("status")).isEqualTo("queued");
    assertThat(ack.getBoolean("duplicate")).isFalse();
    on(() -> queue.close());

    queue = open(100);
    JsonObject job = on(() -> queue.get("ns", ack.getString("job_id")));
    assertThat(job.getString("status")).isEqualTo("queued");
    assertThat(job.getInteger("messages")).isEqualTo(1);
    assertThat(on(() -> queue.get("other", ack.getString("job_id")))).as("namespaces are isolated").isNull();
    List<JsonObject> claimed = on(() -> queue.claim("w1", 10, 60_000));
    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("I prefer tea");
    assertThat(claimed.get(0).getString("session_id")).isEqualTo("s1");
  }

  @Test
  @DisplayName("many concurrent enqueues are all committed, each once (group commit)")
  void concurrentEnqueuesAllLand() {
    List<Future<JsonObject>> acks = new ArrayList<>();
    on(() -> {
      for (int i = 0; i < 60; i++) {
        acks.add(queue.enqueue("ns", request("message " + i), null));
      }
      return Future.all(acks);
    });
    Set<String> jobIds = new HashSet<>();
    acks.forEach(a -> jobIds.add(a.result().getString("job_id")));
    assertThat(jobIds).hasSize(60);
    assertThat(on(() -> queue.counts()).getLong("queued")).isEqualTo(60);
  }

  @Test
  @DisplayName("the same Idempotency-Key returns the first job; a different body with it is a 409")
  void idempotencyKey() {
    JsonObject first = on(() -> queue.enqueue("ns", request("I live in Kyoto"), "key-1"));
    JsonObject again = on(() -> queue.enqueue("ns", request("I live in Kyoto"), "key-1"));
    assertThat(again.getString("job_id")).isEqualTo(first.getString("job_id"));
    assertThat(again.getBoolean("duplicate")).isTrue();
    assertThat(on(() -> queue.enqueue("other-ns", request("I live in Kyoto"), "key-1")).getBoolean("duplicate"))
        .as("keys are per namespace").isFalse();
    assertThatThrownBy(() -> on(() -> queue.enqueue("ns", request("I live in Osaka"), "key-1")))
        .isInstanceOfSatisfying(MemoryException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
          assertThat(e.getMessage()).contains("Idempotency-Key");
        });
    assertThat(on(() -> queue.counts()).getLong("queued")).isEqualTo(2);
  }

  @Test
  @DisplayName("past the queue depth enqueue is refused with 429 and a Retry-After estimate")
  void depthLimit() {
    on(() -> queue.close());
    queue = open(3);
    for (int i = 0; i < 3; i++) {
      int n = i;
      on(() -> queue.enqueue("ns", request("fact " + n), null));
    }
    assertThatThrownBy(() -> on(() -> queue.enqueue("ns", request("one more"), null)))
        .isInstanceOfSatisfying(MemoryException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.LIMITED);
          assertThat(e.details().getInteger("retry_after_s")).isBetween(1, 300);
          assertThat(e.getMessage()).contains("ingest.queue_depth");
        });
    JsonObject job = on(() -> queue.claim("w", 1, 60_000)).get(0);
    on(() -> queue.complete(job.getString("id"), "w", new JsonObject()));
    assertThat(on(() -> queue.enqueue("ns", request("accepted again"), null)).getString("status"))
        .as("a finished job frees a slot").isEqualTo("queued");
  }

  @Test
  @DisplayName("claim → checkpoint → complete; the result shows in the job's status")
  void claimAndComplete() {
    String id = on(() -> queue.enqueue("ns", request("We decided to use Postgres"), null)).getString("job_id");
    JsonObject job = on(() -> queue.claim("w1", 5, 60_000)).get(0);
    assertThat(job.getInteger("attempts")).isEqualTo(1);
    assertThat(job.getValue("extraction")).isNull();
    assertThat(on(() -> queue.claim("w2", 5, 60_000))).as("a leased job is not handed out twice").isEmpty();
    assertThat(on(() -> queue.get("ns", id)).getString("status")).isEqualTo("running");

    JsonObject extraction = new JsonObject().put("extractor", "heuristic")
        .put("facts", new JsonArray().add(new JsonObject().put("content", "We decided to use Postgres")));
    on(() -> queue.checkpoint(id, "w1", extraction, 60_000));
    assertThatThrownBy(() -> on(() -> queue.complete(id, "w2", new JsonObject())))
        .as("only the holder may finish it").isInstanceOfSatisfying(MemoryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    on(() -> queue.complete(id, "w1", new JsonObject().put("memories",
        new JsonObject().put("created", new JsonArray().add("m1")))));

    JsonObject done = on(() -> queue.get("ns", id));
    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getString("extractor")).isEqualTo("heuristic");
    assertThat(done.getInteger("facts")).isEqualTo(1);
    assertThat(done.getJsonObject("memories").getJsonArray("created")).containsExactly("m1");
    assertThat(done.getString("finished_at")).isNotNull();
  }

  @Test
  @DisplayName("a failing job is retried with backoff, then kept as failed with its error")
  void retriesThenFailed() {
    String id = on(() -> queue.enqueue("ns", request("I use vim"), null)).getString("job_id");
    on(() -> queue.claim("w", 1, 60_000));
    JsonObject retry = on(() -> queue.fail(id, "w", "embedding timed out", 2, 0));
    assertThat(retry.getString("status")).isEqualTo("queued");
    assertThat(on(() -> queue.get("ns", id)).getString("error")).isEqualTo("embedding timed out");

    JsonObject second = on(() -> queue.claim("w", 1, 60_000)).get(0);
    assertThat(second.getInteger("attempts")).isEqualTo(2);
    JsonObject failed = on(() -> queue.fail(id, "w", "embedding timed out again", 2, 0));
    assertThat(failed.getString("status")).isEqualTo("failed");
    JsonObject job = on(() -> queue.get("ns", id));
    assertThat(job.getString("status")).isEqualTo("failed");
    assertThat(job.getString("error")).isEqualTo("embedding timed out again");
    assertThat(on(() -> queue.claim("w", 1, 60_000))).as("a failed job is kept, not retried").isEmpty();
  }

  @Test
  @DisplayName("backoff delays the next claim")
  void backoffDelaysClaim() {
    String id = on(() -> queue.enqueue("ns", request("I use emacs"), null)).getString("job_id");
    on(() -> queue.claim("w", 1, 60_000));
    JsonObject retry = on(() -> queue.fail(id, "w", "boom", 5, 60_000));
    assertThat(retry.getString("next_attempt_at")).isNotNull();
    assertThat(on(() -> queue.claim("w", 1, 60_000))).isEmpty();
  }

  @Test
  @DisplayName("a running job whose lease ran out goes to another worker")
  void expiredLeaseIsReclaimed() throws InterruptedException {
    String id = on(() -> queue.enqueue("ns", request("I work at ACME"), null)).getString("job_id");
    on(() -> queue.claim("w1", 1, 1));
    Thread.sleep(20);
    List<JsonObject> taken = on(() -> queue.claim("w2", 1, 60_000));
    assertThat(taken).extracting(j -> j.getString("id")).containsExactly(id);
    assertThatThrownBy(() -> on(() -> queue.complete(id, "w1", new JsonObject())))
        .isInstanceOf(MemoryException.class);
    on(() -> queue.complete(id, "w2", new JsonObject()));
  }

  @Test
  @DisplayName("a renewed lease keeps the job; renewing a job not held is a 409")
  void renewKeepsTheJob() throws InterruptedException {
    String id = on(() -> queue.enqueue("ns", request("I work at Initech"), null)).getString("job_id");
    on(() -> queue.claim("w1", 1, 300));
    Thread.sleep(150);
    on(() -> queue.renew(id, "w1", 60_000));
    Thread.sleep(250); // past the first lease, within the renewed one
    assertThat(on(() -> queue.claim("w2", 1, 60_000))).isEmpty();
    assertThatThrownBy(() -> on(() -> queue.renew(id, "w2", 60_000)))
        .isInstanceOfSatisfying(MemoryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    on(() -> queue.complete(id, "w1", new JsonObject()));
    assertThatThrownBy(() -> on(() -> queue.renew(id, "w1", 60_000))).as("a finished job is not held")
        .isInstanceOf(MemoryException.class);
  }

  @Test
  @DisplayName("recent lists the namespace's jobs newest first, filtered by status")
  void recentNewestFirst() throws InterruptedException {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int n = i;
      made.add(on(() -> queue.enqueue("ns", request("fact " + n), null)).getString("job_id"));
      Thread.sleep(3);
    }
    on(() -> queue.enqueue("elsewhere", request("not listed"), null));
    List<JsonObject> recent = on(() -> queue.recent("ns", null, 3));
    assertThat(recent).extracting(j -> j.getString("job_id")).containsExactly(made.get(3), made.get(2), made.get(1));
    JsonObject first = on(() -> queue.claim("w", 1, 60_000)).get(0);
    assertThat(first.getString("id")).as("claimed oldest first").isEqualTo(made.get(0));
    assertThat(on(() -> queue.recent("ns", "running", 10))).extracting(j -> j.getString("job_id"))
        .containsExactly(made.get(0));
  }

  @Test
  @DisplayName("after close, enqueue answers 503 instead of losing the job")
  void closedQueueRefuses() {
    on(() -> queue.close());
    assertThatThrownBy(() -> on(() -> queue.enqueue("ns", request("late"), null)))
        .isInstanceOfSatisfying(MemoryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    queue = open(100);
  }
}
