package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;
import dev.memorymcp.storage.MemoryStoreContract;

import static dev.memorymcp.storage.Fixtures.T0;
import static dev.memorymcp.storage.Fixtures.memory;
import static dev.memorymcp.storage.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import dev.memorymcp.storage.MemoryStore.Scored;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SqliteMemoryStore: writes, reads, history, relations, durability")
class SqliteMemoryStoreTest extends StoreTestBase {

  private static final float[] V1 = unit(1, 0, 0, 0);
  private static final float[] V2 = unit(0, 1, 0, 0);

  private Memory full(String id) {
    return memory("ns1", id, "私はラーメンが好きです。 Deploy on Fridays is risky.")
        .type("preference").scope("project", "proj-42").name("ラーメン好き")
        .summary("Likes ramen").tags("food", "日本語").category("personal").importance(0.8)
        .confidence(0.9).metadata(new JsonObject().put("k", "v").put("n", 3))
        .source("ingest").session("sess-1").createdAt(T0)
        .expiresAt(4_102_444_800_000L) // in 2100
        .build();
  }

  private static MemoryException memoryException(Throwable t) {
    assertThat(t).isInstanceOf(MemoryException.class);
    return (MemoryException) t;
  }

  @Test
  @DisplayName("create then get / getMany returns every field, Japanese text included")
  void createGetRoundTripsEveryField() {
    Memory m = create(full("m1"), V1);
    Memory other = create(memory("ns1", "m2", "second").build());

    assertThat(store.get("ns1", "m1").await()).isEqualTo(m);
    assertThat(store.get("ns2", "m1").await()).isNull();
    assertThat(store.get("ns1", "nope").await()).isNull();
    assertThat(store.getMany("ns1", List.of("m2", "nope", "m1")).await()).containsExactly(other, m);
    assertThat(store.getMany("ns2", List.of("m1")).await()).isEmpty();
    assertThat(store.vectors("ns1", List.of("m1", "m2")).await()).containsOnlyKeys("m1");
    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V1);
    assertThat(store.count("ns1").await()).isEqualTo(2);
    assertThat(store.count("ns2").await()).isZero();
    assertThat(store.count(null).await()).isEqualTo(2);
    assertThat(store.history("ns1", "m1").await()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(MemoryEvent.CREATE);
      assertThat(e.data().getJsonObject("memory").getString("content")).isEqualTo(m.content());
    });
  }

  @Test
  @DisplayName("update re-indexes keywords, replaces the vector and appends its event")
  void updateReindexesAndReplacesVector() {
    Memory before = create(memory("ns1", "m1", "the quick brown fox").build(), V1);
    Memory after = memory("ns1", "m1", "a lazy sleeping dog").type("fact").createdAt(T0).build();

    store.update(after, V2, Fixtures.updateEvent(before, after)).await();

    assertThat(store.get("ns1", "m1").await()).isEqualTo(after);
    assertThat(store.keywordSearch("ns1", List.of("fox"), 10, Filters.NONE).await()).isEmpty();
    assertThat(store.keywordSearch("ns1", List.of("dog"), 10, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("m1");
    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V2);
    assertThat(store.vectorSearch("ns1", V2, 1, Filters.NONE).await().get(0).score())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    Filters facts = new Filters(List.of("fact"), null, null, List.of(), null, null, null, null,
        null, null, false);
    assertThat(store.vectorSearch("ns1", V2, 1, facts).await()).extracting(Scored::id)
        .containsExactly("m1");
    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.UPDATE);
    assertThat(countRows("SELECT count(*) FROM memories_fts")).isEqualTo(1);
    assertThat(countRows("SELECT count(*) FROM memories_fts_trigram")).isEqualTo(1);
  }

  @Test
  @DisplayName("online rebuild: new vectors wait beside the old ones, a memory changed since its new vector is pending again, and finishing swaps all in one step")
  void onlineRebuildSwapsOnlyWhenComplete() {
    Memory a = create(memory("ns1", "a", "alpha").build(), V1);
    Memory b = create(memory("ns2", "b", "beta").build(), V1);
    ModelStamp target = new ModelStamp("next-model", 4);
    store.beginRebuild(target).await();
    assertThat(store.rebuildTarget().await()).isEqualTo(target);
    assertThat(store.rebuildPendingCount().await()).isEqualTo(2);
    assertThat(store.rebuildPending(null, 1).await()).extracting(Memory::id).containsExactly("a");

    store.putRebuildVectors(List.of(a), List.of(V2)).await();
    assertThat(store.rebuildPending(null, 10).await()).extracting(Memory::id).containsExactly("b");
    assertThat(store.finishRebuild(target).await()).isFalse(); // b has no new vector yet: nothing changes
    assertThat(store.vectorSearch("ns1", V1, 5, null).await()).extracting(Scored::id).containsExactly("a");

    store.putRebuildVectors(List.of(b), List.of(V2)).await();
    Memory changed = memory("ns1", "a", "alpha, edited").createdAt(T0 + 5_000).build();
    store.update(changed, V1, Fixtures.updateEvent(a, changed)).await(); // written with the old model meanwhile
    assertThat(store.rebuildPending(null, 10).await()).extracting(Memory::id).containsExactly("a");
    assertThat(store.finishRebuild(target).await()).isFalse();

    store.putRebuildVectors(List.of(store.get("ns1", "a").await()), List.of(V2)).await();
    assertThat(store.finishRebuild(target).await()).isTrue();
    assertThat(store.modelStamp().await()).isEqualTo(target);
    assertThat(store.rebuildTarget().await()).isNull();
    assertThat(store.vectors("ns1", List.of("a")).await().get("a")).containsExactly(V2);
    assertThat(store.vectorSearch("ns2", V2, 5, null).await().get(0).score()).isGreaterThan(0.99);
    assertThat(store.get("ns2", "b").await().embeddingModel()).isEqualTo("next-model");
    assertThat(countRows("SELECT count(*) FROM rebuild_vectors")).isZero();
    reopen(); // what the swap committed is what a restart loads
    assertThat(store.vectorSearch("ns1", V2, 5, null).await().get(0).score()).isGreaterThan(0.99);
  }

  @Test
  @DisplayName("finishing an online rebuild reads every new vector into the new index, past a page of the load")
  void rebuildSwapLoadsEveryPage() {
    int n = VectorLoad.PAGE + 500;
    List<dev.memorymcp.storage.MemoryStore.Write> writes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Memory m = memory("ns1", "m" + i, "memory " + i).build();
      writes.add(new dev.memorymcp.storage.MemoryStore.Write(true, m, V1, Fixtures.createEvent(m), List.of()));
    }
    store.writeAll(writes).await();
    ModelStamp target = new ModelStamp("next-model", 4);
    store.beginRebuild(target).await();
    List<Memory> all = store.rebuildPending(null, n).await();
    store.putRebuildVectors(all, java.util.Collections.nCopies(n, V2)).await();

    assertThat(store.finishRebuild(target).await()).isTrue();
    assertThat(store.indexedVectors("ns1")).isEqualTo(n);
    // the last page's memory is served with its new vector (the store's search reads the index)
    assertThat(store.vectorSearch("ns1", V2, n, null).await()).hasSize(n)
        .allSatisfy(hit -> assertThat(hit.score()).isGreaterThan(0.99));
  }

  @Test
  @DisplayName("a rebuild towards another target drops the vectors made for the first")
  void onlineRebuildTargetChangeStartsOver() {
    Memory a = create(memory("ns1", "a", "alpha").build(), V1);
    store.beginRebuild(new ModelStamp("first", 4)).await();
    store.putRebuildVectors(List.of(a), List.of(V2)).await();
    store.beginRebuild(new ModelStamp("first", 4)).await(); // resuming keeps them
    assertThat(store.rebuildPendingCount().await()).isZero();
    store.beginRebuild(new ModelStamp("second", 4)).await();
    assertThat(store.rebuildPendingCount().await()).isEqualTo(1);
  }

  @Test
  @DisplayName("update without a vector keeps the old vector but refreshes the filter fields")
  void updateWithoutVectorKeepsVector() {
    Memory before = create(memory("ns1", "m1", "alpha").build(), V1);
    Memory after = memory("ns1", "m1", "beta").tags("x").build();
    store.update(after, null, Fixtures.updateEvent(before, after)).await();

    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V1);
    Filters tagX = new Filters(List.of(), null, null, List.of("x"), null, null, null, null, null,
        null, false);
    assertThat(store.vectorSearch("ns1", V1, 5, tagX).await()).extracting(Scored::id)
        .containsExactly("m1");
  }

  @Test
  @DisplayName("updating a missing memory (or one of another namespace) fails with NOT_FOUND")
  void updateOfMissingMemoryFails() {
    create(memory("ns1", "m1", "alpha").build());
    Memory ghost = memory("ns1", "ghost", "x").build();
    Memory foreign = memory("ns2", "m1", "x").build();

    MemoryException e1 = memoryException(catchThrowable(
        () -> store.update(ghost, null, Fixtures.createEvent(ghost)).await()));
    MemoryException e2 = memoryException(catchThrowable(
        () -> store.update(foreign, V1, Fixtures.createEvent(foreign)).await()));

    assertThat(e1.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(e2.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(store.get("ns1", "m1").await().content()).isEqualTo("alpha");
    assertThat(countRows("SELECT count(*) FROM events")).isEqualTo(1);
  }

  @Test
  @DisplayName("delete removes row, keyword rows, vector and relations; history keeps the content")
  void deleteRemovesEverywhereButHistory() {
    create(memory("ns1", "m1", "deployment checklist").build(), V1);
    create(memory("ns1", "m2", "other memory").build(), V2);
    store.relate(List.of(relation("ns1", "m1", "m2", "related_to"),
        relation("ns1", "m2", "m1", "supersedes"))).await();

    List<String> deleted = store.delete("ns1", List.of("m1", "missing"), "alice", "s9").await();

    assertThat(deleted).containsExactly("m1");
    assertThat(store.get("ns1", "m1").await()).isNull();
    assertThat(store.list("ns1", Filters.NONE, 10, null).await().memories())
        .extracting(Memory::id).containsExactly("m2");
    assertThat(store.keywordSearch("ns1", List.of("deployment"), 10, Filters.NONE).await())
        .isEmpty();
    assertThat(store.vectorSearch("ns1", V1, 10, Filters.NONE).await()).extracting(Scored::id)
        .containsExactly("m2");
    assertThat(store.vectors("ns1", List.of("m1")).await()).isEmpty();
    assertThat(store.relations("ns1", List.of("m1", "m2")).await()).isEmpty();
    assertThat(countRows("SELECT count(*) FROM vectors")).isEqualTo(1);
    assertThat(countRows("SELECT count(*) FROM memories_fts")).isEqualTo(1);
    assertThat(countRows("SELECT count(*) FROM memories_fts_trigram")).isEqualTo(1);

    List<MemoryEvent> history = store.history("ns1", "m1").await();
    assertThat(history).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.DELETE);
    MemoryEvent del = history.get(1);
    assertThat(del.actor()).isEqualTo("alice");
    assertThat(del.sessionId()).isEqualTo("s9");
    assertThat(del.data().getJsonObject("memory").getString("content"))
        .isEqualTo("deployment checklist");
    assertThat(store.history("ns2", "m1").await()).isEmpty();
    assertThat(store.delete("ns1", List.of("m1"), "alice", null).await()).isEmpty();
  }

  @Test
  @DisplayName("delete never touches another namespace's memory")
  void deleteIsNamespaced() {
    create(memory("ns1", "m1", "mine").build(), V1);
    assertThat(store.delete("ns2", List.of("m1"), "mallory", null).await()).isEmpty();
    assertThat(store.get("ns1", "m1").await()).isNotNull();
  }

  @Test
  @DisplayName("relating the same triple twice keeps one row (what relate returns: MemoryStoreContract)")
  void relateKeepsOneRow() {
    create(memory("ns1", "a", "a").build());
    create(memory("ns1", "b", "b").build());
    store.relate(List.of(new Relation("ns1", "a", "b", "related_to", new JsonObject(), 0.7, T0))).await();
    store.relate(List.of(new Relation("ns1", "a", "b", "related_to", new JsonObject(), 0.2, T0 + 5))).await();
    assertThat(countRows("SELECT count(*) FROM relations")).isEqualTo(1);
  }

  @Test
  @DisplayName("relating to a missing memory or one of another namespace fails with NOT_FOUND")
  void relateToMissingOrForeignFails() {
    create(memory("ns1", "a", "a").build());
    create(memory("ns2", "x", "x").build());

    MemoryException missing = memoryException(catchThrowable(
        () -> store.relate(List.of(relation("ns1", "a", "nope", "related_to"))).await()));
    MemoryException foreign = memoryException(catchThrowable(
        () -> store.relate(List.of(relation("ns1", "a", "x", "related_to"))).await()));

    assertThat(missing.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(foreign.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(countRows("SELECT count(*) FROM relations")).isZero();
  }

  @Test
  @DisplayName("creates, relates, accesses and deletes sent together all commit, in order")
  void writesSentTogetherCommitInOrder() {
    // each write starts after the one before it: a relate sent before its memory's create would fail
    List<Future<?>> writes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Memory m = memory("ns1", "m" + i, "memory number " + i).build();
      writes.add(store.create(m, V1, Fixtures.createEvent(m), List.of()));
      if (i > 0) {
        writes.add(store.relate(List.of(relation("ns1", "m" + (i - 1), "m" + i, "related_to"))));
        writes.add(store.recordAccess("ns1", List.of("m" + (i - 1)), null, T0 + i));
      }
      if (i % 10 == 9) {
        writes.add(store.delete("ns1", List.of("m" + (i - 9)), "tester", null));
      }
    }
    Future.join(writes).await();

    assertThat(writes).allSatisfy(f -> assertThat(f.succeeded()).as("%s", f.cause()).isTrue());
    assertThat(store.count("ns1").await()).isEqualTo(36);
    assertThat(store.get("ns1", "m0").await()).isNull();
    assertThat(store.get("ns1", "m1").await().accessCount()).isEqualTo(1);
    // 39 relations, less those of the deleted m0 (1), m10, m20 and m30 (2 each)
    assertThat(countRows("SELECT count(*) FROM relations")).isEqualTo(32);
  }

  @Test
  @DisplayName("create with relations stores them in the same transaction")
  void createWithRelations() {
    create(memory("ns1", "old", "old decision").build());
    Memory m = memory("ns1", "new", "new decision").build();
    store.create(m, V1, Fixtures.createEvent(m),
        List.of(relation("ns1", "new", "old", "supersedes"))).await();
    assertThat(store.relations("ns1", List.of("old")).await()).extracting(Relation::type)
        .containsExactly("supersedes");
  }

  @Test
  @DisplayName("a duplicate id fails with CONFLICT and changes nothing")
  void duplicateIdWritesNothing() {
    Memory original = create(memory("ns1", "m1", "original words").build(), V1);
    Memory dup = memory("ns1", "m1", "replacement words").build();

    MemoryException e = memoryException(catchThrowable(
        () -> store.create(dup, V2, Fixtures.createEvent(dup), List.of()).await()));

    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(store.get("ns1", "m1").await()).isEqualTo(original);
    assertThat(store.keywordSearch("ns1", List.of("replacement"), 5, Filters.NONE).await())
        .isEmpty();
    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V1);
    assertThat(countRows("SELECT count(*) FROM events")).isEqualTo(1);
    assertThat(countRows("SELECT count(*) FROM memories_fts")).isEqualTo(1);
  }

  @Test
  @DisplayName("a create failing at its last step leaves no row, keyword row, vector or event")
  void failedCreateRollsBackEverything() {
    Memory m = memory("ns1", "m1", "half written").build();

    Throwable err = catchThrowable(() -> store.create(m, V1, Fixtures.createEvent(m),
        List.of(relation("ns1", "m1", "missing-target", "related_to"))).await());

    assertThat(memoryException(err).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(store.get("ns1", "m1").await()).isNull();
    assertThat(countRows("SELECT count(*) FROM memories")).isZero();
    assertThat(countRows("SELECT count(*) FROM memories_fts")).isZero();
    assertThat(countRows("SELECT count(*) FROM memories_fts_trigram")).isZero();
    assertThat(countRows("SELECT count(*) FROM vectors")).isZero();
    assertThat(countRows("SELECT count(*) FROM events")).isZero();
    assertThat(store.vectorSearch("ns1", V1, 5, Filters.NONE).await()).isEmpty();
    assertThat(store.keywordSearch("ns1", List.of("written"), 5, Filters.NONE).await()).isEmpty();
  }

  @Test
  @DisplayName("memories, vectors, events and the model stamp survive close and reopen")
  void dataSurvivesReopen() {
    Memory m = create(full("m1"), V1);
    create(memory("ns1", "m2", "second").build(), V2);
    store.stampModel(new ModelStamp("e5-small-v2", 4)).await();

    reopen();

    assertThat(store.get("ns1", "m1").await()).isEqualTo(m);
    assertThat(store.indexedVectors("ns1")).isEqualTo(2);
    assertThat(store.vectorSearch("ns1", V2, 2, Filters.NONE).await()).extracting(Scored::id)
        .containsExactly("m2", "m1");
    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V1);
    assertThat(store.keywordSearch("ns1", List.of("ラーメン"), 5, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("m1");
    assertThat(store.history("ns1", "m1").await()).hasSize(1);
    assertThat(store.modelStamp().await()).isEqualTo(new ModelStamp("e5-small-v2", 4));
  }

  @Test
  @DisplayName("the model stamp is null until stamped, then the latest stamp")
  void modelStamp() {
    assertThat(store.modelStamp().await()).isNull();
    store.stampModel(new ModelStamp("a", 384)).await();
    store.stampModel(new ModelStamp("b", 768)).await();
    assertThat(store.modelStamp().await()).isEqualTo(new ModelStamp("b", 768));
  }

  @Test
  @DisplayName("recordAccess bumps access_count and last_accessed and appends ACCESS events")
  void recordAccess() {
    create(memory("ns1", "m1", "one").build(), V1);
    create(memory("ns1", "m2", "two").build());

    store.recordAccess("ns1", List.of("m1", "m2", "ghost"), "s1", T0 + 10).await();
    store.recordAccess("ns1", List.of("m1"), "s1", T0 + 20).await();
    store.recordAccess("ns2", List.of("m1"), "s1", T0 + 30).await();

    Memory m1 = store.get("ns1", "m1").await();
    assertThat(m1.accessCount()).isEqualTo(2);
    assertThat(m1.lastAccessed()).isEqualTo(T0 + 20);
    assertThat(store.get("ns1", "m2").await().accessCount()).isEqualTo(1);
    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.ACCESS, MemoryEvent.ACCESS);
    assertThat(store.history("ns1", "m1").await().get(1).sessionId()).isEqualTo("s1");
    assertThat(countRows("SELECT count(*) FROM events WHERE memory_id = 'ghost'")).isZero();
    assertThat(countRows("SELECT count(*) FROM events WHERE namespace = 'ns2'")).isZero();
  }

  @Test
  @DisplayName("an update keeps the access counters recordAccess wrote")
  void updateKeepsAccessCounters() {
    Memory m = create(memory("ns1", "m1", "one").build());
    store.recordAccess("ns1", List.of("m1"), null, T0 + 10).await();
    Memory changed = memory("ns1", "m1", "one, changed").build();
    store.update(changed, null, Fixtures.updateEvent(m, changed)).await();
    assertThat(store.get("ns1", "m1").await().accessCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("scan pages through all namespaces by id")
  void scanPagesById() {
    create(memory("ns2", "c", "c").build());
    create(memory("ns1", "a", "a").build());
    create(memory("ns1", "b", "b").build());

    assertThat(store.scan(null, 2).await()).extracting(Memory::id).containsExactly("a", "b");
    assertThat(store.scan("b", 2).await()).extracting(Memory::id).containsExactly("c");
    assertThat(store.scan("c", 2).await()).isEmpty();
  }

  @Test
  @DisplayName("replaceVectors swaps the vectors and the embedding model, skipping unknown ids")
  void replaceVectors() {
    create(memory("ns1", "m1", "one").build(), V1);
    create(memory("ns1", "m2", "two").build());

    store.replaceVectors(Map.of("m1", V2, "m2", V1, "ghost", V1), "model-2").await();

    assertThat(store.vectors("ns1", List.of("m1", "m2")).await())
        .hasEntrySatisfying("m1", v -> assertThat(v).containsExactly(V2))
        .hasEntrySatisfying("m2", v -> assertThat(v).containsExactly(V1));
    assertThat(store.get("ns1", "m1").await().embeddingModel()).isEqualTo("model-2");
    assertThat(countRows("SELECT count(*) FROM vectors")).isEqualTo(2);
    reopen();
    assertThat(store.vectorSearch("ns1", V1, 1, Filters.NONE).await()).extracting(Scored::id)
        .containsExactly("m2");
  }

  @Test
  @DisplayName("close waits for in-flight writes, then refuses new ones with UNAVAILABLE")
  void closeWaitsForInFlightWrites() {
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Memory m = memory("ns1", "m" + i, "memory number " + i).build();
      writes.add(store.create(m, V1, Fixtures.createEvent(m), List.of()));
    }
    store.close().await();

    assertThat(writes).allSatisfy(f -> assertThat(f.succeeded()).isTrue());
    Memory late = memory("ns1", "late", "late").build();
    Throwable err = catchThrowable(
        () -> store.create(late, null, Fixtures.createEvent(late), List.of()).await());
    assertThat(memoryException(err).code()).isEqualTo(ErrorCode.UNAVAILABLE);

    store = open("NORMAL");
    assertThat(store.count("ns1").await()).isEqualTo(50);
    assertThat(store.indexedVectors("ns1")).isEqualTo(50);
  }

  @Test
  @DisplayName("open returns before the vectors are loaded: listing answers meanwhile, reads by id and writes wait for the load")
  void opensBeforeTheLoad() {
    java.util.Random rnd = new java.util.Random(3);
    for (int batch = 0; batch < 10; batch++) {
      List<dev.memorymcp.storage.MemoryStore.Write> writes = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        Memory m = memory("ns1", "m" + batch + "-" + i, "memory " + i).build();
        writes.add(new dev.memorymcp.storage.MemoryStore.Write(true, m, Fixtures.random(rnd, 64), Fixtures.createEvent(m), List.of()));
      }
      store.writeAll(writes).await();
    }
    store.close().await();

    store = new SqliteMemoryStore(vertx, dbFile(), "NORMAL");
    store.open().await();
    Map<String, Object> loading = store.loadingStatus();
    assertThat(loading).as("still loading 20,000 vectors when open returns").isNotNull()
        .containsEntry("state", "loading").containsEntry("total", 20_000L);
    assertThat(store.list("ns1", Filters.NONE, 5, null).await().memories()).hasSize(5);
    Memory late = memory("ns1", "late", "written during the load").build();
    store.create(late, V1, Fixtures.createEvent(late), List.of()).await();
    assertThat(store.loadingStatus()).isNull();
    assertThat(store.get("ns1", "m9-1999").await()).isNotNull();
    assertThat(store.indexedVectors("ns1")).isEqualTo(20_001);
    assertThat(store.vectorSearch("ns1", V1, 1, Filters.NONE).await()).extracting(Scored::id).containsExactly("late");
  }

  @Test
  @DisplayName("a failed vector load fails reads by id, searches and writes with its cause; listing still answers")
  void failedLoadRefusesWhatNeedsIt() throws Exception {
    create(memory("ns1", "good", "a memory that loads").build(), V1);
    create(memory("ns1", "bad", "a memory whose row will not decode").build(), V2);
    store.close().await();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dbFile())) {
      c.createStatement().executeUpdate("UPDATE memories SET metadata = '{broken' WHERE id = 'bad'");
    }

    store = open("NORMAL");
    long deadline = System.currentTimeMillis() + 10_000;
    while (store.loadingStatus() != null && "loading".equals(store.loadingStatus().get("state"))
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(store.loadingStatus()).as("health says why").containsEntry("state", "failed");
    assertThat(store.loadingStatus().get("error").toString()).isNotBlank();
    assertThatThrownBy(() -> store.get("ns1", "good").await()).as("a read by id would see a partial index")
        .isNotNull();
    assertThatThrownBy(() -> store.vectorSearch("ns1", V1, 1, Filters.NONE).await()).isNotNull();
    Memory late = memory("ns1", "late", "written after the failed load").build();
    assertThatThrownBy(() -> store.create(late, V1, Fixtures.createEvent(late), List.of()).await())
        .as("nothing is written over an index that is not whole").isNotNull();
    assertThat(countRows("SELECT count(*) FROM memories WHERE id = 'late'")).isZero();
    assertThat(store.list("other", Filters.NONE, 5, null).await().memories()).as("what needs no index answers").isEmpty();
  }

  private static Relation relation(String ns, String source, String target, String type) {
    return new Relation(ns, source, target, type, new JsonObject(), 1.0, T0);
  }
}
