package dev.memorymcp.storage;

import static dev.memorymcp.storage.Fixtures.T0;
import static dev.memorymcp.storage.Fixtures.memory;
import static dev.memorymcp.storage.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import dev.memorymcp.storage.MemoryStore.Page;
import dev.memorymcp.storage.MemoryStore.Scored;
import dev.memorymcp.storage.MemoryStore.Write;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MemoryStore contract, run against every backend: each concrete subclass opens a fresh,
 * empty store per test. Tests call {@code await()} from the JUnit thread. Every store is stamped
 * with a 4-dimension test model first (the Qdrant store needs the size to create a namespace).
 */
@ExtendWith(VertxExtension.class)
public abstract class MemoryStoreContract {
  protected static final long DAY = 86_400_000L;
  protected static final float[] V1 = unit(1, 0, 0, 0);
  protected static final float[] V2 = unit(0, 1, 0, 0);
  protected static final float[] V3 = unit(1, 1, 0, 0);

  protected Vertx vertx;
  protected MemoryStore store;

  /** A new store on empty storage (not opened yet). */
  protected abstract MemoryStore newStore(Vertx vertx) throws Exception;

  /** Frees what newStore made (after the store is closed). */
  protected void cleanUp() throws Exception {}

  @BeforeEach
  protected void openStore(Vertx vertx) throws Exception {
    this.vertx = vertx;
    store = newStore(vertx);
    store.open().await();
    store.stampModel(new ModelStamp("test-model", 4)).await();
    opened();
  }

  /** Runs after the store is opened and stamped. */
  protected void opened() {}

  @AfterEach
  protected void closeStore() throws Exception {
    store.close().await();
    cleanUp();
  }

  protected Memory create(Memory m, float[] vector) {
    store.create(m, vector, Fixtures.createEvent(m), List.of()).await();
    return m;
  }

  protected Memory create(Memory m) {
    return create(m, V1);
  }

  protected static Relation relation(String ns, String from, String to, String type) {
    return new Relation(ns, from, to, type, new JsonObject(), 0.9, T0);
  }

  static Filters filters(List<String> types, List<String> tags, Long since, Double minImportance,
      boolean includeExpired) {
    return new Filters(types, null, null, tags, null, since, null, minImportance, null, null,
        includeExpired);
  }

  protected static MemoryException failure(Throwable t) {
    assertThat(t).isInstanceOf(MemoryException.class);
    return (MemoryException) t;
  }

  private Memory full(String id) {
    return memory("ns1", id, "私はラーメンが好きです。 Deploy on Fridays is risky.")
        .type("preference").scope("project", "proj-42").name("ラーメン好き")
        .summary("Likes ramen").tags("food", "日本語").category("personal").importance(0.8)
        .confidence(0.9).metadata(new JsonObject().put("k", "v").put("n", 3).put("x", 0.25))
        .source("ingest").session("sess-1").createdAt(T0).expiresAt(4_102_444_800_000L).build();
  }

  private List<String> keyword(String ns, Filters f, String... terms) {
    return store.keywordSearch(ns, List.of(terms), 10, f).await().stream().map(Scored::id)
        .toList();
  }

  private List<String> keyword(String... terms) {
    return keyword("ns1", Filters.NONE, terms);
  }

  @Test
  @DisplayName("create then get / getMany / vectors return every field, Japanese included")
  protected void createGetRoundTrip() {
    Memory m = create(full("m1"), V1);
    Memory other = create(memory("ns1", "m2", "second").build(), null);

    assertThat(store.get("ns1", "m1").await()).isEqualTo(m);
    assertThat(store.get("ns2", "m1").await()).isNull();
    assertThat(store.get("ns1", "nope").await()).isNull();
    assertThat(store.getMany("ns1", List.of("m2", "nope", "m1")).await()).containsExactly(other, m);
    assertThat(store.getMany("ns2", List.of("m1")).await()).isEmpty();
    Map<String, float[]> vectors = store.vectors("ns1", List.of("m1", "m2")).await();
    assertThat(vectors).containsOnlyKeys("m1");
    assertThat(vectors.get("m1")).containsExactly(V1, within(1e-6f));
    assertThat(store.count("ns1").await()).isEqualTo(2);
    assertThat(store.count("ns2").await()).isZero();
    assertThat(store.history("ns1", "m1").await()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(MemoryEvent.CREATE);
      assertThat(e.data().getJsonObject("memory").getString("content")).isEqualTo(m.content());
    });
  }

  @Test
  @DisplayName("update replaces the memory, re-indexes its keywords and vector, appends its event")
  protected void updateReindexes() {
    Memory before = create(memory("ns1", "m1", "the quick brown fox").build(), V1);
    Memory after = memory("ns1", "m1", "a lazy sleeping dog").type("fact").build();

    store.update(after, V2, Fixtures.updateEvent(before, after)).await();

    assertThat(store.get("ns1", "m1").await()).isEqualTo(after);
    assertThat(keyword("fox")).isEmpty();
    assertThat(keyword("dog")).containsExactly("m1");
    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V2,
        within(1e-6f));
    assertThat(store.vectorSearch("ns1", V2, 1, Filters.NONE).await().get(0).score())
        .isCloseTo(1.0, within(1e-5));
    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.UPDATE);
  }

  @Test
  @DisplayName("update without a vector keeps the vector and refreshes the filter fields")
  protected void updateWithoutVectorKeepsVector() {
    Memory before = create(memory("ns1", "m1", "alpha").build(), V1);
    Memory after = memory("ns1", "m1", "beta").tags("x").build();
    store.update(after, null, Fixtures.updateEvent(before, after)).await();

    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V1,
        within(1e-6f));
    assertThat(store.vectorSearch("ns1", V1, 5, filters(List.of(), List.of("x"), null, null,
        false)).await()).extracting(Scored::id).containsExactly("m1");
  }

  @Test
  @DisplayName("updating a missing memory, or one of another namespace, is NOT_FOUND")
  protected void updateOfMissingFails() {
    create(memory("ns1", "m1", "alpha").build());
    Memory ghost = memory("ns1", "ghost", "x").build();
    Memory foreign = memory("ns2", "m1", "x").build();

    assertThat(failure(catchThrowable(() -> store.update(ghost, null,
        Fixtures.createEvent(ghost)).await())).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(failure(catchThrowable(() -> store.update(foreign, V1,
        Fixtures.createEvent(foreign)).await())).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(store.get("ns1", "m1").await().content()).isEqualTo("alpha");
    assertThat(store.history("ns1", "ghost").await()).isEmpty();
    assertThat(store.history("ns2", "m1").await()).isEmpty();
  }

  @Test
  @DisplayName("a duplicate id is CONFLICT and changes nothing")
  protected void duplicateIdConflicts() {
    Memory original = create(memory("ns1", "m1", "original words").build(), V1);
    Memory dup = memory("ns1", "m1", "replacement words").build();

    MemoryException e = failure(catchThrowable(
        () -> store.create(dup, V2, Fixtures.createEvent(dup), List.of()).await()));

    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(store.get("ns1", "m1").await()).isEqualTo(original);
    assertThat(keyword("replacement")).isEmpty();
    assertThat(store.history("ns1", "m1").await()).hasSize(1);
  }

  @Test
  @DisplayName("a create with a relation to a missing memory fails and leaves nothing behind")
  protected void refusedCreateWritesNothing() {
    Memory m = memory("ns1", "m1", "half written").build();

    Throwable err = catchThrowable(() -> store.create(m, V1, Fixtures.createEvent(m),
        List.of(relation("ns1", "m1", "missing-target", "related_to"))).await());

    assertThat(failure(err).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(store.get("ns1", "m1").await()).isNull();
    assertThat(store.count("ns1").await()).isZero();
    assertThat(store.history("ns1", "m1").await()).isEmpty();
    assertThat(store.vectorSearch("ns1", V1, 5, Filters.NONE).await()).isEmpty();
    assertThat(keyword("written")).isEmpty();
  }

  @Test
  @DisplayName("writeAll applies writes in order: a later write updates an earlier create")
  protected void writeAllLaterUpdatesEarlier() {
    create(memory("ns1", "old", "old decision").build());
    Memory a = memory("ns1", "a", "first text").build();
    Memory a2 = memory("ns1", "a", "first text, merged with more").tags("merged").build();
    Memory b = memory("ns1", "b", "second").build();

    store.writeAll(List.of(
        new Write(true, a, V1, Fixtures.createEvent(a), List.of()),
        new Write(false, a2, null, Fixtures.updateEvent(a, a2), List.of()),
        new Write(true, b, V2, Fixtures.createEvent(b),
            List.of(relation("ns1", "b", "a", "related_to"), relation("ns1", "b", "old",
                "supersedes"))))).await();

    assertThat(store.get("ns1", "a").await()).isEqualTo(a2);
    assertThat(store.vectors("ns1", List.of("a")).await().get("a")).containsExactly(V1,
        within(1e-6f));
    assertThat(store.history("ns1", "a").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.UPDATE);
    assertThat(store.relations("ns1", List.of("b")).await()).extracting(Relation::targetId)
        .containsExactlyInAnyOrder("a", "old");
    assertThat(keyword("merged")).containsExactly("a");
    assertThat(store.count("ns1").await()).isEqualTo(3);
  }

  @Test
  @DisplayName("writeAll with a refused write lands nothing")
  protected void writeAllRefusedLandsNothing() {
    Memory x = memory("ns1", "x", "would be created").build();
    Memory ghost = memory("ns1", "ghost", "missing").build();

    Throwable err = catchThrowable(() -> store.writeAll(List.of(
        new Write(true, x, V1, Fixtures.createEvent(x), List.of()),
        new Write(false, ghost, null, Fixtures.createEvent(ghost), List.of()))).await());

    assertThat(failure(err).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(store.get("ns1", "x").await()).isNull();
    assertThat(store.history("ns1", "x").await()).isEmpty();
  }

  @Test
  @DisplayName("delete removes memory, keywords, vector and relations; history keeps a DELETE event")
  protected void deleteKeepsHistory() {
    create(memory("ns1", "m1", "deployment checklist").tags("ops", "release").importance(0.7)
        .metadata(new JsonObject().put("ticket", 42)).build(), V1);
    create(memory("ns1", "m2", "other memory").build(), V2);
    store.relate(List.of(relation("ns1", "m1", "m2", "related_to"),
        relation("ns1", "m2", "m1", "supersedes"))).await();
    store.recordAccess("ns1", List.of("m1"), null, T0 + 5).await();
    Memory stored = store.get("ns1", "m1").await();

    assertThat(store.delete("ns2", List.of("m1"), "mallory", null).await()).isEmpty();
    List<String> deleted = store.delete("ns1", List.of("m1", "missing", "m1"), "alice", "s9")
        .await();

    assertThat(deleted).containsExactly("m1");
    assertThat(store.get("ns1", "m1").await()).isNull();
    assertThat(store.list("ns1", Filters.NONE, 10, null).await().memories())
        .extracting(Memory::id).containsExactly("m2");
    assertThat(keyword("deployment")).isEmpty();
    assertThat(store.vectorSearch("ns1", V1, 10, Filters.NONE).await()).extracting(Scored::id)
        .containsExactly("m2");
    assertThat(store.vectors("ns1", List.of("m1")).await()).isEmpty();
    assertThat(store.relations("ns1", List.of("m1", "m2")).await()).isEmpty();
    List<MemoryEvent> history = store.history("ns1", "m1").await();
    assertThat(history).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.ACCESS, MemoryEvent.DELETE);
    assertThat(history.get(2).actor()).isEqualTo("alice");
    assertThat(history.get(2).sessionId()).isEqualTo("s9");
    // the memory as it was, every field (read inside the delete's transaction)
    assertThat(history.get(2).data().getJsonObject("memory")).isEqualTo(stored.toJson());
    assertThat(stored.accessCount()).isEqualTo(1);
    assertThat(store.delete("ns1", List.of("m1"), "alice", null).await()).isEmpty();
    assertThat(store.count("ns1").await()).isEqualTo(1);
  }

  @Test
  @DisplayName("transfer: items whose events carry no seq (an import's lines) keep each history whole and in order")
  protected void transferKeepsHistoryOrder() {
    Memory m = memory("ns1", "m1", "alpha").build();
    List<MemoryEvent> history = new ArrayList<>();
    history.add(MemoryEvent.of("m1", "ns1", MemoryEvent.CREATE, "tester", null, new JsonObject().put("n", 0), T0 + 500));
    for (int i = 1; i < 6; i++) { // older times than the CREATE, and two ACCESS events alike in every field
      String type = i <= 2 ? MemoryEvent.ACCESS : MemoryEvent.UPDATE;
      JsonObject data = i <= 2 ? new JsonObject() : new JsonObject().put("n", i);
      history.add(MemoryEvent.of("m1", "ns1", type, "tester", null, data, i <= 2 ? T0 : T0 + 400 - i));
    }
    ((StoreTransfer) store).writeItems("ns1", List.of(new StoreTransfer.Item("m1", m, V1, history, List.of()))).await();

    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type, e -> e.data().getInteger("n"))
        .containsExactlyElementsOf(history.stream()
            .map(e -> org.assertj.core.groups.Tuple.tuple(e.type(), e.data().getInteger("n"))).toList());
  }

  private List<Page> allPages(String ns, Filters f, int limit) {
    return Fixtures.allPages(store, ns, f, limit);
  }

  @Test
  @DisplayName("list: newest first, ties in insertion order, 25 in pages of 10 via cursors")
  protected void listPaginates() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      // groups of three share created_at, so the insertion-order tie-break matters across pages
      create(memory("ns1", "m" + i, "memory " + i).createdAt(T0 + (i / 3) * 1000L).build(), null);
      expected.add(0, "m" + i);
    }
    create(memory("ns2", "other", "not mine").createdAt(T0 + 999_999).build());

    List<Page> pages = allPages("ns1", Filters.NONE, 10);

    assertThat(pages).extracting(p -> p.memories().size()).containsExactly(10, 10, 5);
    assertThat(pages.get(2).nextCursor()).isNull();
    assertThat(pages.stream().flatMap(p -> p.memories().stream()).map(Memory::id).toList())
        .containsExactlyElementsOf(expected);
    assertThat(pages.get(0).nextCursor()).matches("[A-Za-z0-9_-]+"); // safe in a URL as it is
    assertThat(store.list("ns1", Filters.NONE, 25, null).await().nextCursor()).isNull(); // exactly full
    assertThat(store.list("ns9", Filters.NONE, 10, null).await().memories()).isEmpty();
  }

  @Test
  @DisplayName("list: a cursor that was not issued by list is a 400 naming the cursor field")
  protected void listRejectsForeignCursor() {
    create(memory("ns1", "m1", "x").build());
    for (String bad : List.of("not base64!!", "bm9jb2xvbg", "YTpi")) { // "nocolon", "a:b"
      MemoryException e = failure(catchThrowable(() -> store.list("ns1", Filters.NONE, 10, bad).await()));
      assertThat(e.code()).as(bad).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.details().getString("field")).isEqualTo("cursor");
    }
  }

  @Test
  @DisplayName("list: for random memories and filters, exactly what Filters.test accepts, in order")
  protected void listFiltersAgreeWithFiltersTest() {
    Random rnd = new Random(42);
    long now = System.currentTimeMillis();
    List<String> types = List.of("fact", "note", "decision");
    List<String> tags = List.of("a", "b", "c");
    List<Memory> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      List<String> t = tags.stream().filter(x -> rnd.nextBoolean()).toList();
      Memory m = memory("ns1", "m" + i, "memory " + i)
          .type(types.get(rnd.nextInt(3)))
          .scope(rnd.nextBoolean() ? "global" : "project", switch (rnd.nextInt(3)) {
            case 0 -> "p1";
            case 1 -> "p2";
            default -> null;
          })
          .tags(t.toArray(String[]::new))
          .category(rnd.nextBoolean() ? "work" : null)
          .importance(rnd.nextInt(11) / 10.0).confidence(rnd.nextInt(11) / 10.0)
          .session(rnd.nextBoolean() ? "s1" : null)
          .createdAt(T0 + rnd.nextInt(8) * 1000L)
          .expiresAt(switch (rnd.nextInt(4)) {
            case 0 -> now - 1000;
            case 1 -> now + 3_600_000L;
            default -> null;
          })
          .build();
      all.add(create(m, null));
    }
    int nonTrivial = 0;
    for (int trial = 0; trial < 60; trial++) {
      Filters f = new Filters(
          types.stream().filter(x -> rnd.nextInt(3) == 0).toList(),
          rnd.nextInt(3) == 0 ? "project" : null,
          rnd.nextInt(4) == 0 ? "p1" : null,
          tags.stream().filter(x -> rnd.nextInt(3) == 0).toList(),
          rnd.nextInt(4) == 0 ? "work" : null,
          rnd.nextInt(3) == 0 ? T0 + rnd.nextInt(8) * 1000L : null,
          rnd.nextInt(3) == 0 ? T0 + rnd.nextInt(8) * 1000L : null,
          rnd.nextInt(3) == 0 ? rnd.nextInt(11) / 10.0 : null,
          rnd.nextInt(3) == 0 ? rnd.nextInt(11) / 10.0 : null,
          rnd.nextInt(4) == 0 ? "s1" : null,
          rnd.nextBoolean(),
          switch (rnd.nextInt(5)) {
            case 0 -> List.of();
            case 1 -> List.of("p1");
            case 2 -> List.of("p2", "p1");
            default -> null;
          });
      List<String> expected = all.stream().filter(m -> f.test(m, System.currentTimeMillis()))
          .sorted(Comparator.comparingLong(Memory::createdAt).reversed()
              .thenComparing(m -> -Integer.parseInt(m.id().substring(1))))
          .map(Memory::id).toList();
      List<String> actual = allPages("ns1", f, 7).stream()
          .flatMap(p -> p.memories().stream()).map(Memory::id).toList();
      assertThat(actual).as(f.toJson().encode()).containsExactlyElementsOf(expected);
      nonTrivial += expected.isEmpty() || expected.size() == all.size() ? 0 : 1;
    }
    assertThat(nonTrivial).as("trials that select some but not all").isGreaterThan(20);
  }

  @Test
  @DisplayName("Japanese words: inflections meet at their base form, words do not match inside other words, deletes unindex")
  protected void japaneseWords() {
    create(memory("ns1", "ramen", "昨日は駅前でラーメンを食べた").build());
    create(memory("ns1", "tokyo", "東京都に住んでいます").build());
    create(memory("ns1", "kyoto", "京都の寺を見に行きたい").tags("旅行").build());
    create(memory("ns1", "en", "We ate ramen yesterday").build());
    assertThat(words("ラーメンを食べます")).containsExactly("ramen");
    assertThat(words("京都")).containsExactly("kyoto"); // the n-grams would also find 東京都
    assertThat(words("コンピューター")).isEmpty();
    assertThat(words("旅行")).containsExactly("kyoto");
    // the n-gram side alone still finds the substring; both together rank the whole word first
    assertThat(store.keywordSearch("ns1", KeywordQuery.of("京都", true, KeywordQuery.Japanese.NGRAMS), 10,
        Filters.NONE).await().stream().map(Scored::id)).contains("tokyo", "kyoto");
    assertThat(store.keywordSearch("ns1", KeywordQuery.of("京都", true), 10, Filters.NONE).await().get(0).id())
        .isEqualTo("kyoto");
    store.delete("ns1", List.of("ramen"), "test", null).await();
    assertThat(words("ラーメンを食べます")).isEmpty();
  }

  private List<String> words(String query) {
    return store.keywordSearch("ns1", KeywordQuery.of(query, true, KeywordQuery.Japanese.WORDS), 10, Filters.NONE)
        .await().stream().map(Scored::id).toList();
  }

  @Test
  @DisplayName("scope_ids (a key's scope grants) hold in list, keyword and vector search; an empty list matches nothing")
  protected void scopeIdsInEverySearch() {
    create(memory("ns1", "a", "shared deploy notes").scope("project", "p1").build(), V1);
    create(memory("ns1", "b", "shared deploy notes").scope("project", "p2").build(), V1);
    create(memory("ns1", "c", "shared deploy notes").scope("team", "t1").build(), V1);
    create(memory("ns1", "d", "shared deploy notes").build(), V1);
    for (List<String> grant : List.of(List.of("p1"), List.of("p1", "t1"), List.<String>of())) {
      Filters f = Filters.NONE.withScopeIds(grant);
      List<String> want = grant.stream().map(g -> g.equals("p1") ? "a" : "c").sorted().toList();
      assertThat(store.list("ns1", f, 10, null).await().memories().stream().map(Memory::id).sorted())
          .as("list %s", grant).containsExactlyElementsOf(want);
      assertThat(keyword("ns1", f, "deploy").stream().sorted()).as("keyword %s", grant).containsExactlyElementsOf(want);
      assertThat(store.vectorSearch("ns1", V1, 10, f).await().stream().map(Scored::id).sorted())
          .as("vector %s", grant).containsExactlyElementsOf(want);
    }
  }

  @Test
  @DisplayName("eventByWriteKey finds the first event carrying the key, only in its namespace")
  protected void eventByWriteKey() {
    Memory m = memory("ns1", "m1", "from a chat").build();
    store.create(m, V1, MemoryEvent.of("m1", "ns1", MemoryEvent.CREATE, "ingest", null,
        new JsonObject().put("write_key", "job1:0").put("memory", m.toJson()), T0), List.of())
        .await();
    Memory m2 = memory("ns1", "m1", "from a chat, updated").build();
    store.update(m2, null, MemoryEvent.of("m1", "ns1", MemoryEvent.UPDATE, "ingest", null,
        new JsonObject().put("write_key", "job1:1"), T0 + 5)).await();

    MemoryEvent first = store.eventByWriteKey("ns1", "job1:0").await();
    assertThat(first.type()).isEqualTo(MemoryEvent.CREATE);
    assertThat(first.memoryId()).isEqualTo("m1");
    assertThat(first.data().getString("write_key")).isEqualTo("job1:0");
    assertThat(store.eventByWriteKey("ns1", "job1:1").await().type())
        .isEqualTo(MemoryEvent.UPDATE);
    assertThat(store.eventByWriteKey("ns1", "job1:9").await()).isNull();
    assertThat(store.eventByWriteKey("ns2", "job1:0").await()).isNull();
  }

  @Test
  @DisplayName("relate is idempotent, returns relations as stored, and needs both ends")
  protected void relate() {
    create(memory("ns1", "a", "a").build());
    create(memory("ns1", "b", "b").build());
    create(memory("ns2", "x", "x").build());
    Relation first =
        new Relation("ns1", "a", "b", "related_to", new JsonObject().put("w", 1), 0.7, T0);
    Relation again = new Relation("ns1", "a", "b", "related_to", new JsonObject(), 0.2, T0 + 5);

    assertThat(store.relate(List.of(first)).await()).containsExactly(first);
    assertThat(store.relate(List.of(again)).await()).containsExactly(first);
    assertThat(store.relations("ns1", List.of("b")).await()).containsExactly(first);
    assertThat(store.relations("ns2", List.of("b")).await()).isEmpty();
    assertThat(failure(catchThrowable(() -> store.relate(List.of(relation("ns1", "a", "nope",
        "related_to"))).await())).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(failure(catchThrowable(() -> store.relate(List.of(relation("ns1", "a", "x",
        "related_to"))).await())).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(store.relations("ns1", List.of("a", "b")).await()).hasSize(1);
  }

  @Test
  @DisplayName("vector search: cosine best first, filtered, expired out, namespaced")
  protected void vectorSearch() {
    long now = System.currentTimeMillis();
    create(memory("ns1", "x", "x").type("fact").tags("t").build(), V1);
    create(memory("ns1", "y", "y").type("note").build(), V2);
    create(memory("ns1", "xy", "xy").type("fact").build(), V3);
    create(memory("ns1", "gone", "gone").expiresAt(now - 1000).build(), V1);
    create(memory("ns2", "other", "other").build(), V1);

    List<Scored> hits = store.vectorSearch("ns1", V1, 10, Filters.NONE).await();
    assertThat(hits).extracting(Scored::id).containsExactly("x", "xy", "y");
    assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-5));
    assertThat(hits.get(1).score()).isCloseTo(Math.sqrt(0.5), within(1e-5));
    assertThat(store.vectorSearch("ns1", V1, 1, Filters.NONE).await()).extracting(Scored::id)
        .containsExactly("x");
    assertThat(store.vectorSearch("ns1", V1, 10, filters(List.of("fact"), List.of(), null, null,
        false)).await()).extracting(Scored::id).containsExactly("x", "xy");
    assertThat(store.vectorSearch("ns1", V1, 10, filters(List.of(), List.of("t"), null, null,
        false)).await()).extracting(Scored::id).containsExactly("x");
    assertThat(store.vectorSearch("ns1", V1, 10, filters(List.of(), List.of(), null, null,
        true)).await()).extracting(Scored::id).contains("gone");
    assertThat(store.vectorSearch("ns3", V1, 10, Filters.NONE).await()).isEmpty();
  }

  @Test
  @DisplayName("keyword search: English stems, Japanese by trigram and by short terms, fused")
  protected void keywordSearch() {
    create(memory("ns1", "d", "We deployed the service on Friday").build());
    create(memory("ns1", "x", "Unrelated note about lunch").build());
    create(memory("ns1", "j", "私はラーメンが好きです").build());
    create(memory("ns1", "k", "私は寿司が好きです").build());
    create(memory("ns1", "t", "来週は東京に出張します").build());
    create(memory("ns1", "o", "来週は大阪に出張します").build());
    create(memory("ns1", "n", "Tokyo trip").name("東京出張").tags("kubernetes").build());
    create(memory("ns2", "theirs", "deployed ラーメン 東京").build());

    assertThat(keyword("deploying")).containsExactly("d");
    assertThat(keyword("DEPLOYMENTS", "friday")).containsExactly("d");
    assertThat(keyword("ラーメン")).containsExactly("j");
    assertThat(keyword("好きです")).containsExactlyInAnyOrder("j", "k");
    assertThat(keyword("東京")).containsExactlyInAnyOrder("t", "n");
    assertThat(keyword("大")).containsExactly("o");
    assertThat(keyword("kubernetes")).containsExactly("n");
    assertThat(keyword()).isEmpty();
    assertThat(keyword(" ", "+", "\"")).isEmpty();
    assertThat(keyword("ns2", Filters.NONE, "deployed", "ラーメン", "東京"))
        .containsExactly("theirs");
    List<Scored> fused = store.keywordSearch("ns1", List.of("trip", "東京"), 10, Filters.NONE)
        .await();
    assertThat(fused.get(0).id()).isEqualTo("n");
    assertThat(fused.get(0).score()).isGreaterThan(fused.get(1).score());
    assertThat(fused).allSatisfy(s -> assertThat(s.score()).isPositive());
  }

  @Test
  @DisplayName("keyword search applies the filters like list does: type, tags all-of, since, min importance, expired out unless asked")
  protected void keywordSearchFilters() {
    long now = System.currentTimeMillis();
    create(memory("ns1", "fact", "coffee at nine 珈琲 茶").type("fact").tags("a", "b")
        .importance(0.9).createdAt(T0).build());
    create(memory("ns1", "note", "coffee at ten 珈琲 茶").type("note").tags("a")
        .importance(0.3).createdAt(T0 + 10 * DAY).build());
    create(memory("ns1", "old", "coffee long ago 珈琲 茶").type("fact").tags("a", "b")
        .importance(0.9).createdAt(T0).expiresAt(now - 1000).build());

    for (String term : List.of("coffee", "珈琲", "茶")) {
      assertThat(keyword("ns1", Filters.NONE, term)).as(term)
          .containsExactlyInAnyOrder("fact", "note");
      assertThat(keyword("ns1", filters(List.of("fact"), List.of(), null, null, false), term))
          .as(term).containsExactly("fact");
      assertThat(keyword("ns1", filters(List.of("fact", "note"), List.of(), null, null, false),
          term)).as(term).containsExactlyInAnyOrder("fact", "note");
      assertThat(keyword("ns1", filters(List.of(), List.of("a", "b"), null, null, false), term))
          .as(term).containsExactly("fact");
      assertThat(keyword("ns1", filters(List.of(), List.of("b", "zzz"), null, null, false), term))
          .as(term).isEmpty();
      assertThat(keyword("ns1", filters(List.of(), List.of(), T0 + DAY, null, false), term))
          .as(term).containsExactly("note");
      assertThat(keyword("ns1", filters(List.of(), List.of(), null, 0.5, false), term))
          .as(term).containsExactly("fact");
      assertThat(keyword("ns1", filters(List.of(), List.of(), null, null, true), term))
          .as(term).containsExactlyInAnyOrder("fact", "note", "old");
    }
  }

  @Test
  @DisplayName("session neighbours: within the window by time then insertion order, same session only, filters applied")
  protected void sessionNeighbours() {
    // s1: t1 < t2 = t3 (same time: insertion order) < t4 < t5; the rule in s1 is filtered out below
    create(memory("ns1", "t1", "one").session("s1").createdAt(T0).build());
    create(memory("ns1", "t2", "two").session("s1").createdAt(T0 + 60_000).build());
    create(memory("ns1", "t3", "three").session("s1").createdAt(T0 + 60_000).build());
    create(memory("ns1", "rule", "a rule").type("rule").session("s1").createdAt(T0 + 90_000).build());
    create(memory("ns1", "t4", "four").session("s1").createdAt(T0 + 120_000).build());
    create(memory("ns1", "t5", "five").session("s1").createdAt(T0 + 180_000).build());
    create(memory("ns1", "other", "other session").session("s2").createdAt(T0 + 60_000).build());
    create(memory("ns1", "loose", "no session").createdAt(T0 + 60_000).build());
    create(memory("ns2", "far", "other namespace").session("s1").createdAt(T0 + 60_000).build());

    Map<String, List<String>> all = store.sessionNeighbours("ns1", List.of("t3", "other", "loose", "missing"), 2,
        Filters.NONE).await();
    assertThat(all).containsKey("t3").doesNotContainKeys("loose", "missing");
    assertThat(all.get("t3")).containsExactlyInAnyOrder("t1", "t2", "rule", "t4");
    assertThat(all.getOrDefault("other", List.of())).isEmpty();

    Filters notes = filters(List.of("note"), List.of(), null, null, false);
    Map<String, List<String>> near = store.sessionNeighbours("ns1", List.of("t3", "t5"), 1, notes).await();
    assertThat(near.get("t3")).containsExactlyInAnyOrder("t2", "t4");
    assertThat(near.get("t5")).containsExactly("t4");
    assertThat(store.sessionNeighbours("ns1", List.of("rule"), 2, notes).await()).isEmpty();
  }

  @Test
  @DisplayName("recordAccess bumps counters and appends ACCESS events; update keeps the counters")
  protected void recordAccess() {
    Memory m1 = create(memory("ns1", "m1", "one").build(), V1);
    create(memory("ns1", "m2", "two").build(), null);

    store.recordAccess("ns1", List.of("m1", "m2", "ghost"), "s1", T0 + 10).await();
    store.recordAccess("ns1", List.of("m1"), "s1", T0 + 20).await();
    store.recordAccess("ns2", List.of("m1"), "s1", T0 + 30).await();

    Memory got = store.get("ns1", "m1").await();
    assertThat(got.accessCount()).isEqualTo(2);
    assertThat(got.lastAccessed()).isEqualTo(T0 + 20);
    assertThat(store.get("ns1", "m2").await().accessCount()).isEqualTo(1);
    assertThat(store.history("ns1", "m1").await()).extracting(MemoryEvent::type)
        .containsExactly(MemoryEvent.CREATE, MemoryEvent.ACCESS, MemoryEvent.ACCESS);
    assertThat(store.history("ns1", "ghost").await()).isEmpty();
    assertThat(store.vectors("ns1", List.of("m1")).await().get("m1")).containsExactly(V1,
        within(1e-6f));

    Memory changed = memory("ns1", "m1", "one, changed").build();
    store.update(changed, null, Fixtures.updateEvent(m1, changed)).await();
    assertThat(store.get("ns1", "m1").await().accessCount()).isEqualTo(2);
  }

  @Test
  @DisplayName("count and scan cover every namespace; scan pages by id")
  protected void countAndScan() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String ns = "ns" + (i % 3);
      String id = "id" + (char) ('a' + (i * 5) % 7) + i;
      create(memory(ns, id, "memory " + i).build());
      ids.add(id);
    }
    ids.sort(Comparator.naturalOrder());

    assertThat(store.count(null).await()).isEqualTo(7);
    assertThat(store.count("ns0").await()).isEqualTo(3);
    List<String> scanned = new ArrayList<>();
    String after = null;
    for (int page = 0; page < 10; page++) {
      List<Memory> batch = store.scan(after, 3).await();
      if (batch.isEmpty()) {
        break;
      }
      assertThat(batch.size()).isLessThanOrEqualTo(3);
      batch.forEach(m -> scanned.add(m.id()));
      after = batch.get(batch.size() - 1).id();
    }
    assertThat(scanned).containsExactlyElementsOf(ids);
    assertThat(store.scan(ids.get(5), 10).await()).extracting(Memory::id)
        .containsExactly(ids.get(6));
  }

  @Test
  @DisplayName("replaceVectors swaps vectors and the embedding model, across namespaces")
  protected void replaceVectors() {
    create(memory("ns1", "a", "a").build(), V1);
    create(memory("ns2", "b", "b").build(), V1);

    store.replaceVectors(Map.of("a", V2, "b", V3), "other-model").await();

    assertThat(store.vectors("ns1", List.of("a")).await().get("a")).containsExactly(V2,
        within(1e-6f));
    assertThat(store.get("ns2", "b").await().embeddingModel()).isEqualTo("other-model");
    assertThat(store.vectorSearch("ns2", V3, 1, Filters.NONE).await().get(0).score())
        .isCloseTo(1.0, within(1e-5));
  }

  @Test
  @DisplayName("the model stamp reads back the latest stamp")
  protected void modelStamp() {
    assertThat(store.modelStamp().await()).isEqualTo(new ModelStamp("test-model", 4));
    store.stampModel(new ModelStamp("b", 4)).await();
    assertThat(store.modelStamp().await()).isEqualTo(new ModelStamp("b", 4));
  }
}
