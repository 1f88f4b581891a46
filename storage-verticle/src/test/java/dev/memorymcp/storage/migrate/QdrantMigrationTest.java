package dev.memorymcp.storage.migrate;

import dev.memorymcp.storage.qdrant.QdrantMemoryStore;
import dev.memorymcp.storage.sqlite.SqliteMemoryStore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.qdrantdouble.QdrantDouble;
import dev.memorymcp.storage.migrate.Migration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration both ways between a real SQLite file and the Qdrant store on QdrantDouble (the
 * in-process TEST DOUBLE of Qdrant's gRPC API; no Qdrant runs here), with a crash in the middle.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("migration between SQLite and Qdrant (test double)")
class QdrantMigrationTest {
  @TempDir
  Path dir;
  Vertx vertx;
  QdrantDouble qdrant;
  SqliteMemoryStore sqlite;
  QdrantMemoryStore store;
  List<String> ids;

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    qdrant = QdrantDouble.inProcess();
    sqlite = new SqliteMemoryStore(vertx, dir.resolve("memory.db"), "NORMAL");
    sqlite.open().await();
    store = new QdrantMemoryStore(vertx, qdrant.channel(), "qdrant-double", "memory_");
    store.open().await();
    ids = MigrationTest.fill(sqlite);
  }

  @AfterEach
  void close() {
    sqlite.close().await();
    store.close().await();
    qdrant.close();
  }

  JsonObject run(Migration.Store from, Migration.Store to, JsonObject state) {
    return new Migration(from, to, state, s -> Future.succeededFuture()).run().await();
  }

  @Test
  @DisplayName("SQLite → Qdrant → a new SQLite file: everything survives the round trip, searchable on Qdrant")
  void roundTrip() {
    JsonObject there = run(Migration.Store.of(sqlite), Migration.Store.of(store),
        Migration.newState("mig_00000000000000a1", "sqlite", "qdrant", null, 4, false));
    assertThat(there.getString("status")).as(there.encodePrettily()).isEqualTo("done");
    assertThat(there.getJsonObject("verify").getBoolean("ok")).as(there.encodePrettily()).isTrue();
    assertThat(there.getLong("done")).isEqualTo(27);
    MigrationTest.assertSameContent(Migration.Store.of(sqlite), Migration.Store.of(store), ids);
    assertThat(store.modelStamp().await()).isEqualTo(MigrationTest.STAMP);
    assertThat(store.keywordSearch("bob", List.of("寿司"), 5, null).await()).hasSize(4);
    float[] v = sqlite.vectors("alice", List.of(ids.get(12))).await().get(ids.get(12));
    assertThat(store.vectorSearch("alice", v, 1, null).await().get(0).id()).isEqualTo(ids.get(12));

    SqliteMemoryStore back = new SqliteMemoryStore(vertx, dir.resolve("back.db"), "NORMAL");
    back.open().await();
    try {
      JsonObject home = run(Migration.Store.of(store), Migration.Store.of(back),
          Migration.newState("mig_00000000000000a2", "qdrant", "sqlite", null, 5, false));
      assertThat(home.getString("status")).as(home.encodePrettily()).isEqualTo("done");
      assertThat(home.getJsonObject("verify").getBoolean("ok")).as(home.encodePrettily()).isTrue();
      MigrationTest.assertSameContent(Migration.Store.of(sqlite), Migration.Store.of(back), ids);
    } finally {
      back.close().await();
    }
  }

  @Test
  @DisplayName("Qdrant failing mid-batch: the job fails, resumes from its checkpoint and ends identical, no duplicate event")
  void crashAndResume() {
    List<JsonObject> saved = new ArrayList<>();
    qdrant.failCall("qdrant.Points/Upsert", 9); // somewhere in the third batch's writes
    JsonObject failed = new Migration(Migration.Store.of(sqlite), Migration.Store.of(store),
        Migration.newState("mig_00000000000000a3", "sqlite", "qdrant", null, 4, false), s -> {
          saved.add(s);
          return Future.succeededFuture();
        }).run().await();
    assertThat(failed.getString("status")).isEqualTo("failed");
    JsonObject checkpoint = saved.stream().filter(s -> "running".equals(s.getString("status")) && s.getLong("done") > 0)
        .reduce((a, b) -> b).orElseThrow();
    assertThat(checkpoint.getLong("done")).isBetween(4L, 20L);

    JsonObject end = run(Migration.Store.of(sqlite), Migration.Store.of(store), checkpoint.copy());

    assertThat(end.getString("status")).as(end.encodePrettily()).isEqualTo("done");
    assertThat(end.getJsonObject("verify").getBoolean("ok")).as(end.encodePrettily()).isTrue();
    assertThat(end.getLong("done")).isEqualTo(27);
    MigrationTest.assertSameContent(Migration.Store.of(sqlite), Migration.Store.of(store), ids);
  }

  @Test
  @DisplayName("a Qdrant holding another dimension is refused before any write")
  void dimensionMismatch() {
    store.stampModel(new dev.memorymcp.storage.MemoryStore.ModelStamp("big-model", 768)).await();
    JsonObject end = run(Migration.Store.of(sqlite), Migration.Store.of(store),
        Migration.newState("mig_00000000000000a4", "sqlite", "qdrant", null, 4, false));
    assertThat(end.getJsonObject("error").getString("code")).isEqualTo("DIMENSION_MISMATCH");
    assertThat(store.count(null).await()).isZero();
  }
}
