package dev.memorymcp.storage.qdrant;

import dev.memorymcp.storage.Fixtures;
import dev.memorymcp.storage.MemoryStoreContract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import static dev.memorymcp.storage.Fixtures.T0;
import static dev.memorymcp.storage.Fixtures.memory;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.qdrantdouble.QdrantDouble;
import dev.memorymcp.storage.MemoryStore;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Common.Filter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The contract against QdrantDouble, the in-process TEST DOUBLE of Qdrant (no Qdrant runs here). */
@DisplayName("MemoryStore contract: Qdrant store against the in-process Qdrant test double")
class QdrantDoubleContractTest extends MemoryStoreContract {
  private QdrantDouble qdrant;

  @Override
  protected MemoryStore newStore(Vertx vertx) {
    qdrant = QdrantDouble.inProcess();
    return new QdrantMemoryStore(vertx, qdrant.channel(), "qdrant-double", "memory_");
  }

  @Override
  protected void cleanUp() {
    qdrant.close();
  }

  @Test
  @DisplayName("a store under a fresh prefix has no stamp; prefixes do not see each other")
  void freshPrefixIsEmpty() {
    MemoryStore other = new QdrantMemoryStore(vertx, qdrant.channel(), "qdrant-double", "other_");
    other.open().await();
    try {
      create(Fixtures.memory("ns1", "m1", "mine").build());
      assertThat(other.modelStamp().await()).isNull();
      assertThat(other.count(null).await()).isZero();
      assertThat(other.get("ns1", "m1").await()).isNull();
    } finally {
      other.close().await();
    }
  }

  @Test
  @DisplayName("an unreachable Qdrant fails open with 503 STORE_UNAVAILABLE naming the URL")
  void unreachableQdrantNamesUrl() {
    MemoryStore dead = new QdrantMemoryStore(vertx, "http://127.0.0.1:1", null, "memory_");
    Throwable err = catchThrowable(() -> dead.open().await());
    assertThat(err).isInstanceOf(MemoryException.class);
    MemoryException me = (MemoryException) err;
    assertThat(me.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(me.getMessage()).contains("http://127.0.0.1:1");
    dead.close().await();
  }

  /** Events still marked pending in the events collection. */
  private long pendingEvents() throws Exception {
    try (QdrantClient raw = new QdrantClient(QdrantGrpcClient.newBuilder(qdrant.channel(), true,
        false).build())) {
      return raw.countAsync("memory__events", Filter.newBuilder()
          .addMust(ConditionFactory.match("pending", true)).build(), true).get();
    }
  }

  private static MemoryEvent keyed(Memory m, String key) {
    return MemoryEvent.of(m.id(), m.namespace(), MemoryEvent.CREATE, "ingest", null,
        new JsonObject().put("write_key", key).put("memory", m.toJson()), T0);
  }

  private static ErrorCode code(Throwable t) {
    assertThat(t).isInstanceOf(MemoryException.class);
    return ((MemoryException) t).code();
  }

  @Test
  @DisplayName("crash after the memory landed, before its events were committed: readers see the "
      + "write and the next write commits the event")
  void crashBeforeCommitIsRepaired() throws Exception {
    Memory m = memory("ns1", "m1", "landed before the crash").build();
    qdrant.failCall("qdrant.Points/SetPayload", 1);

    Throwable err = catchThrowable(() -> store.create(m, V1, keyed(m, "job:0"), List.of()).await());

    assertThat(code(err)).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(err).hasMessageContaining("qdrant-double");
    assertThat(pendingEvents()).isEqualTo(1);
    assertThat(store.get("ns1", "m1").await()).isEqualTo(m);
    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE);
    assertThat(store.eventByWriteKey("ns1", "job:0").await().type())
        .isEqualTo(MemoryEvent.CREATE);

    Memory m2 = memory("ns1", "m1", "changed later").build();
    store.update(m2, null, Fixtures.updateEvent(m, m2)).await();
    assertThat(pendingEvents()).isZero();
    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.UPDATE);
  }

  @Test
  @DisplayName("crash before the memory landed: nothing is visible and retrying the write completes it")
  void crashBeforeMemoryLeavesNothingVisible() throws Exception {
    Memory m = memory("ns1", "m1", "never landed").build();
    MemoryEvent e = keyed(m, "job:1");
    qdrant.failCall("qdrant.Points/Upsert", 2); // 1: the pending events, 2: the memory point

    assertThat(code(catchThrowable(() -> store.create(m, V1, e, List.of()).await())))
        .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(pendingEvents()).isEqualTo(1);
    assertThat(store.get("ns1", "m1").await()).isNull();
    assertThat(store.count("ns1").await()).isZero();
    assertThat(store.history("ns1", "m1").await()).isEmpty();
    assertThat(store.eventByWriteKey("ns1", "job:1").await()).isNull();

    store.create(m, V1, e, List.of()).await();
    assertThat(store.get("ns1", "m1").await()).isEqualTo(m);
    assertThat(store.history("ns1", "m1").await()).singleElement()
        .satisfies(ev -> assertThat(ev.data().getString("write_key")).isEqualTo("job:1"));
    assertThat(pendingEvents()).isZero();
  }

  @Test
  @DisplayName("crash after a delete landed, before its event was committed: the DELETE shows")
  void crashAfterDeleteShowsDelete() {
    create(memory("ns1", "m1", "to be deleted").build());
    qdrant.failCall("qdrant.Points/SetPayload", 1);

    assertThat(code(catchThrowable(() -> store.delete("ns1", List.of("m1"), "alice", null)
        .await()))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(store.get("ns1", "m1").await()).isNull();
    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.DELETE);
  }

  @Test
  @DisplayName("a relation written by a create that crashed before its memory is not listed")
  void danglingRelationIsHidden() {
    create(memory("ns1", "old", "old decision").build());
    Memory m = memory("ns1", "new", "new decision").build();
    qdrant.failCall("qdrant.Points/Upsert", 3); // events, relations, then the memory fails

    assertThat(code(catchThrowable(() -> store.create(m, V1, Fixtures.createEvent(m),
        List.of(relation("ns1", "new", "old", "supersedes"))).await())))
        .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(store.get("ns1", "new").await()).isNull();
    assertThat(store.relations("ns1", List.of("old")).await()).isEmpty();
  }
}
