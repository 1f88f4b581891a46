package dev.memorymcp.storage.migrate;

import dev.memorymcp.storage.Fixtures;
import dev.memorymcp.storage.sqlite.SqliteMemoryStore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import dev.memorymcp.storage.migrate.Migration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration run between two real stores (SQLite files here; the Qdrant directions run in
 * {@code QdrantMigrationTest}): everything is copied, the source is untouched, a crash in the
 * middle resumes without duplicates, a model mismatch is refused.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("migration between stores")
class MigrationTest {
  static final int DIM = 8;
  static final ModelStamp STAMP = new ModelStamp("test-model", DIM);

  @TempDir
  Path dir;
  Vertx vertx;
  SqliteMemoryStore source;
  SqliteMemoryStore target;

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    source = open("source.db");
    target = open("target.db");
  }

  @AfterEach
  void close() {
    source.close().await();
    target.close().await();
  }

  SqliteMemoryStore open(String file) {
    SqliteMemoryStore s = new SqliteMemoryStore(vertx, dir.resolve(file), "NORMAL");
    s.open().await();
    return s;
  }

  /** alice: 23 memories (3 updated, 2 deleted, relations, accesses); bob: 4 Japanese memories. */
  static List<String> fill(SqliteMemoryStore s) {
    s.stampModel(STAMP).await();
    Random rnd = new Random(3);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      Memory m = Fixtures.memory("alice", String.format("01ALICE%04d", i), "alice fact number " + i + " about kafka")
          .tags("t" + (i % 3)).createdAt(Fixtures.T0 + i).build();
      s.create(m, Fixtures.random(rnd, DIM), Fixtures.createEvent(m), List.of()).await();
      ids.add(m.id());
    }
    for (int i = 0; i < 4; i++) {
      Memory m = Fixtures.memory("bob", String.format("01BOB%04d", i), "ボブの好きな食べ物は寿司です " + i).build();
      s.create(m, Fixtures.random(rnd, DIM), Fixtures.createEvent(m), List.of()).await();
    }
    for (int i = 0; i < 3; i++) {
      Memory before = s.get("alice", ids.get(i)).await();
      Memory after = Fixtures.memory("alice", before.id(), before.content() + " (updated)").createdAt(before.createdAt()).build();
      s.update(after, Fixtures.random(rnd, DIM), Fixtures.updateEvent(before, after)).await();
    }
    s.relate(List.of(new Relation("alice", ids.get(3), ids.get(4), "related_to", new JsonObject(), 1.0, Fixtures.T0),
        new Relation("alice", ids.get(5), ids.get(3), "depends_on", new JsonObject().put("why", "x"), 0.8, Fixtures.T0))).await();
    s.recordAccess("alice", List.of(ids.get(3), ids.get(6)), "s1", Fixtures.T0 + 1000).await();
    s.delete("alice", List.of(ids.get(7), ids.get(8)), "tester", null).await();
    return ids;
  }

  Migration migration(JsonObject state, Function<JsonObject, Future<Void>> checkpoint) {
    return new Migration(Migration.Store.of(source), Migration.Store.of(target), state, checkpoint);
  }

  static JsonObject newState(int batch) {
    return Migration.newState("mig_0000000000000001", "sqlite", "sqlite", null, batch, false);
  }

  @Test
  @DisplayName("copies memories, vectors, whole histories (deleted memories too) and relations; verifies; source untouched")
  void copiesEverything() {
    List<String> ids = fill(source);
    long sourceEvents = events(source, "alice", ids);

    JsonObject end = migration(newState(7), s -> Future.succeededFuture()).run().await();

    assertThat(end.getString("status")).as(end.encodePrettily()).isEqualTo("done");
    assertThat(end.getLong("total")).isEqualTo(23 + 4);
    assertThat(end.getLong("done")).isEqualTo(23 + 4);
    assertThat(end.getJsonObject("verify").getBoolean("ok")).as(end.encodePrettily()).isTrue();
    assertThat(end.getJsonObject("verify").getInteger("vectors_checked")).isPositive();
    assertSameContent(ids);
    assertThat(target.modelStamp().await()).isEqualTo(STAMP);
    assertThat(events(source, "alice", ids)).isEqualTo(sourceEvents);
    assertThat(source.count(null).await()).isEqualTo(21 + 4);
    // the copy is searchable both ways
    assertThat(target.keywordSearch("alice", List.of("kafka"), 5, null).await()).hasSize(5);
    assertThat(target.keywordSearch("bob", List.of("寿司"), 5, null).await()).hasSize(4);
    float[] v = source.vectors("alice", List.of(ids.get(10))).await().get(ids.get(10));
    assertThat(target.vectorSearch("alice", v, 1, null).await().get(0).id()).isEqualTo(ids.get(10));
  }

  @Test
  @DisplayName("a crash after a batch was written but before its checkpoint resumes from the checkpoint with no duplicate")
  void resumesAfterCrash() {
    List<String> ids = fill(source);
    List<JsonObject> saved = new ArrayList<>();
    AtomicInteger batches = new AtomicInteger();
    JsonObject crashed = migration(newState(5), s -> {
      if (s.getLong("done") > 0 && batches.incrementAndGet() == 3) { // batch 3 is in the target, not in the checkpoint
        return Future.failedFuture(new IllegalStateException("simulated crash"));
      }
      saved.add(s);
      return Future.succeededFuture();
    }).run().await();
    assertThat(crashed.getString("status")).isEqualTo("failed");
    JsonObject checkpoint = saved.stream().filter(s -> "running".equals(s.getString("status")))
        .reduce((a, b) -> b).orElseThrow();
    assertThat(checkpoint.getLong("done")).isEqualTo(10);
    assertThat(target.count("alice").await()).isGreaterThan(10); // the third batch landed

    target.close().await();
    target = open("target.db"); // a restart
    JsonObject end = migration(checkpoint.copy(), s -> Future.succeededFuture()).run().await();

    assertThat(end.getString("status")).as(end.encodePrettily()).isEqualTo("done");
    assertThat(end.getLong("done")).isEqualTo(27);
    assertThat(end.getJsonObject("verify").getBoolean("ok")).as(end.encodePrettily()).isTrue();
    assertSameContent(ids);
  }

  @Test
  @DisplayName("running the same migration twice changes nothing")
  void idempotent() {
    List<String> ids = fill(source);
    migration(newState(10), s -> Future.succeededFuture()).run().await();
    JsonObject again = migration(newState(4), s -> Future.succeededFuture()).run().await();
    assertThat(again.getJsonObject("verify").getBoolean("ok")).as(again.encodePrettily()).isTrue();
    assertSameContent(ids);
  }

  @Test
  @DisplayName("a target with vectors of another dimension is refused before anything is written")
  void dimensionMismatch() {
    fill(source);
    target.stampModel(new ModelStamp("other-model", 16)).await();
    JsonObject end = migration(newState(10), s -> Future.succeededFuture()).run().await();
    assertThat(end.getString("status")).isEqualTo("failed");
    assertThat(end.getJsonObject("error").getString("code")).isEqualTo("DIMENSION_MISMATCH");
    assertThat(end.getJsonObject("error").getString("message")).contains("8 dimensions").contains("16");
    assertThat(target.count(null).await()).isZero();
  }

  @Test
  @DisplayName("another model of the same dimension is refused too (vectors would mix)")
  void modelMismatch() {
    fill(source);
    target.stampModel(new ModelStamp("other-model", DIM)).await();
    JsonObject end = migration(newState(10), s -> Future.succeededFuture()).run().await();
    assertThat(end.getJsonObject("error").getString("code")).isEqualTo("MODEL_MISMATCH");
    assertThat(target.count(null).await()).isZero();
  }

  @Test
  @DisplayName("a dry run plans counts per namespace and writes nothing")
  void dryRun() {
    fill(source);
    JsonObject state = Migration.newState("mig_0000000000000002", "sqlite", "sqlite", null, 10, true);
    JsonObject end = migration(state, s -> Future.succeededFuture()).run().await();
    assertThat(end.getString("status")).isEqualTo("done");
    assertThat(end.getJsonArray("namespaces").stream().map(o -> ((JsonObject) o).getString("namespace") + "="
        + ((JsonObject) o).getLong("total"))).containsExactly("alice=23", "bob=4");
    assertThat(end.getLong("done")).isZero();
    assertThat(target.count(null).await()).isZero();
    assertThat(target.modelStamp().await()).isNull();
  }

  @Test
  @DisplayName("one namespace only")
  void oneNamespace() {
    fill(source);
    JsonObject state = Migration.newState("mig_0000000000000003", "sqlite", "sqlite", "bob", 10, false);
    JsonObject end = migration(state, s -> Future.succeededFuture()).run().await();
    assertThat(end.getJsonObject("verify").getBoolean("ok")).isTrue();
    assertThat(target.count("bob").await()).isEqualTo(4);
    assertThat(target.count("alice").await()).isZero();
  }

  private void assertSameContent(List<String> ids) {
    assertSameContent(Migration.Store.of(source), Migration.Store.of(target), ids);
  }

  /** Same memories, vectors, histories (but store-local seqs) and relations in both stores. */
  static void assertSameContent(Migration.Store a, Migration.Store b, List<String> aliceIds) {
    for (String ns : List.of("alice", "bob")) {
      assertThat(b.store().count(ns).await()).as(ns).isEqualTo(a.store().count(ns).await());
      assertThat(b.transfer().itemCount(ns).await()).as(ns).isEqualTo(a.transfer().itemCount(ns).await());
    }
    for (String id : aliceIds) {
      Memory m = a.store().get("alice", id).await();
      Memory copy = b.store().get("alice", id).await();
      assertThat(copy == null ? null : copy.toJson()).isEqualTo(m == null ? null : m.toJson());
      assertThat(shape(b.store().history("alice", id).await())).isEqualTo(shape(a.store().history("alice", id).await()));
      float[] v = a.store().vectors("alice", List.of(id)).await().get(id);
      float[] w = b.store().vectors("alice", List.of(id)).await().get(id);
      if (v == null) {
        assertThat(w).isNull();
      } else {
        assertThat(Migration.close(v, w)).as("vector of " + id).isTrue();
      }
    }
    assertThat(b.store().relations("alice", aliceIds).await())
        .containsExactlyInAnyOrderElementsOf(a.store().relations("alice", aliceIds).await());
  }

  /** Events without their store-local sequence numbers. */
  private static List<String> shape(List<MemoryEvent> events) {
    return events.stream().map(e -> e.type() + "|" + e.actor() + "|" + e.sessionId() + "|" + e.at() + "|" + e.data().encode()).toList();
  }

  private static long events(SqliteMemoryStore s, String ns, List<String> ids) {
    return ids.stream().mapToLong(id -> s.history(ns, id).await().size()).sum();
  }
}
