package dev.memorymcp.storage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.qdrantdouble.QdrantDouble;
import dev.memorymcp.storage.qdrant.QdrantCalls;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract against QdrantDouble, the in-process TEST DOUBLE of Qdrant (no Qdrant runs here;
 * the double models conditional upserts as Qdrant 1.17+ documents them), plus what only a shared
 * queue must do: several members on one collection.
 */
@DisplayName("Ingest queue contract: shared queue on Qdrant (test double)")
class QdrantIngestQueueTest extends IngestQueueContract {
  private QdrantDouble qdrant;

  @Override
  IngestQueue create(int depth) {
    if (qdrant == null) {
      qdrant = QdrantDouble.inProcess();
    }
    return member(depth);
  }

  private QdrantIngestQueue member(int depth) {
    QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder(qdrant.channel(), true, false).build());
    return new QdrantIngestQueue(vertx, new QdrantCalls(vertx, client, "qdrant-double", Duration.ofSeconds(30)),
        "memory_", depth, this::nextId);
  }

  @AfterEach
  void stopDouble() {
    if (qdrant != null) {
      qdrant.close();
    }
  }

  /** {@code op} on {@code ctx}, as each member runs on its own storage verticle's context. */
  <T> Future<T> onContext(Context ctx, Supplier<Future<T>> op) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> op.get().onComplete(p));
    return p.future();
  }

  @Test
  @DisplayName("three members claiming at once from one collection: every job is claimed by exactly one")
  void membersNeverShareAJob() {
    for (int i = 0; i < 60; i++) {
      int n = i;
      on(() -> queue.enqueue("ns", request("fact number " + n), null));
    }
    List<IngestQueue> members = new ArrayList<>();
    List<Context> contexts = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      IngestQueue q = member(100);
      Context c = vertx.getOrCreateContext();
      onContext(c, q::open).await();
      members.add(q);
      contexts.add(c);
    }
    List<String> claimed = new ArrayList<>();
    for (int round = 0; round < 30 && claimed.size() < 60; round++) {
      List<Future<List<JsonObject>>> all = new ArrayList<>();
      for (int m = 0; m < members.size(); m++) {
        IngestQueue q = members.get(m);
        String worker = "w" + m;
        all.add(onContext(contexts.get(m), () -> q.claim(worker, 7, 60_000)));
      }
      Future.join(all).await();
      all.forEach(f -> f.result().forEach(j -> claimed.add(j.getString("id"))));
    }
    assertThat(claimed).as("claimed ids").hasSize(60).doesNotHaveDuplicates();
    assertThat(on(() -> queue.counts()).getLong("running")).isEqualTo(60);
    for (int m = 0; m < members.size(); m++) {
      IngestQueue q = members.get(m);
      onContext(contexts.get(m), q::close).await();
    }
  }

  @Test
  @DisplayName("a job is enqueued through one member, claimed through another, its status read through a third")
  void anyMemberServesAnyJob() {
    IngestQueue second = member(100);
    IngestQueue third = member(100);
    on(second::open);
    on(third::open);
    String id = on(() -> queue.enqueue("ns", request("I deploy on Fridays"), "key-7")).getString("job_id");
    JsonObject job = on(() -> second.claim("w2", 5, 60_000)).get(0);
    assertThat(job.getString("id")).isEqualTo(id);
    JsonObject retry = on(() -> third.enqueue("ns", request("I deploy on Fridays"), "key-7"));
    assertThat(retry.getString("job_id")).as("a retry through another member finds the same job").isEqualTo(id);
    assertThat(retry.getBoolean("duplicate")).isTrue();
    on(() -> second.complete(id, "w2", new JsonObject().put("memories",
        new JsonObject().put("created", new JsonArray().add("m1")))));
    assertThat(on(() -> third.get("ns", id)).getString("status")).isEqualTo("done");
    on(second::close);
    on(third::close);
  }

  @Test
  @DisplayName("two members given the same keyed request at once write one job")
  void concurrentRetriesWriteOneJob() {
    IngestQueue second = member(100);
    on(second::open);
    Set<String> jobIds = new HashSet<>();
    List<Future<JsonObject>> acks = new ArrayList<>();
    on(() -> {
      for (int i = 0; i < 5; i++) {
        acks.add(queue.enqueue("ns", request("I like ramen"), "same-key"));
        acks.add(second.enqueue("ns", request("I like ramen"), "same-key"));
      }
      return Future.all(acks);
    });
    acks.forEach(a -> jobIds.add(a.result().getString("job_id")));
    assertThat(jobIds).hasSize(1);
    assertThat(acks.stream().filter(a -> !a.result().getBoolean("duplicate")).count()).isEqualTo(1);
    assertThat(on(() -> queue.counts()).getLong("queued")).isEqualTo(1);
    on(second::close);
  }

  @Test
  @DisplayName("a restart does not requeue running jobs (another member's worker may hold them); the lease does")
  void restartLeavesLeasesToRunOut() throws InterruptedException {
    String id = on(() -> queue.enqueue("ns", request("I use Kotlin"), null)).getString("job_id");
    on(() -> queue.claim("w1", 1, 400));
    on(() -> queue.close());
    queue = open(100);
    assertThat(on(() -> queue.get("ns", id)).getString("status")).isEqualTo("running");
    assertThat(on(() -> queue.claim("w2", 1, 60_000))).isEmpty();
    Thread.sleep(450);
    assertThat(on(() -> queue.claim("w2", 1, 60_000))).extracting(j -> j.getString("id")).containsExactly(id);
  }
}
