package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;
import dev.memorymcp.storage.MemoryStoreContract;
import dev.memorymcp.storage.internal.CjkGrams;

import static dev.memorymcp.storage.Fixtures.T0;
import static dev.memorymcp.storage.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.storage.MemoryStore.Scored;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("keywordSearch: porter FTS, trigram FTS, CJK gram FTS, namespace and filters")
class KeywordSearchTest extends StoreTestBase {

  private static final long DAY = 86_400_000L;

  private List<String> search(String ns, Filters f, String... terms) {
    return store.keywordSearch(ns, List.of(terms), 10, f).await().stream().map(Scored::id).toList();
  }

  private List<String> search(String... terms) {
    return search("ns1", Filters.NONE, terms);
  }

  private static Filters filters(List<String> types, List<String> tags, Long since,
      Double minImportance, boolean includeExpired) {
    return new Filters(types, null, null, tags, null, since, null, minImportance, null, null,
        includeExpired);
  }

  @Test
  @DisplayName("English terms are stemmed: 'deploying' finds 'deployed'")
  void englishStemming() {
    create(memory("ns1", "d", "We deployed the service on Friday").build());
    create(memory("ns1", "x", "Unrelated note about lunch").build());
    assertThat(search("deploying")).containsExactly("d");
    assertThat(search("DEPLOYMENTS", "friday")).containsExactly("d");
  }

  @Test
  @DisplayName("a Japanese term of three or more characters goes through the trigram index")
  void japaneseTrigram() {
    create(memory("ns1", "j", "私はラーメンが好きです").build());
    create(memory("ns1", "k", "私は寿司が好きです").build());
    assertThat(search("ラーメン")).containsExactly("j");
    assertThat(search("好きです")).containsExactlyInAnyOrder("j", "k");
  }

  @Test
  @DisplayName("a one- or two-character Japanese term matches as a substring would")
  void japaneseShortTermBySubstring() {
    create(memory("ns1", "t", "来週は東京に出張します").build());
    create(memory("ns1", "o", "来週は大阪に出張します").build());
    create(memory("ns1", "n", "Tokyo trip").name("東京出張").build());
    assertThat(search("東京")).containsExactlyInAnyOrder("t", "n");
    assertThat(search("大")).containsExactly("o");
  }

  @Test
  @DisplayName("a memory matching more of the term kinds ranks first")
  void fusionAddsNormalisedScores() {
    create(memory("ns1", "both", "東京 deployment went fine").build());
    create(memory("ns1", "en", "deployment of the web tier").build());
    create(memory("ns1", "ja", "東京の天気").build());
    List<Scored> hits = store.keywordSearch("ns1", List.of("deployment", "東京"), 10,
        Filters.NONE).await();
    assertThat(hits.get(0).id()).isEqualTo("both");
    assertThat(hits).extracting(Scored::id).containsExactlyInAnyOrder("both", "en", "ja");
    assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
    assertThat(hits).allSatisfy(s -> assertThat(s.score()).isPositive().isLessThanOrEqualTo(2.0));
  }

  @Test
  @DisplayName("never returns another namespace's memory")
  void namespaceIsolation() {
    create(memory("ns1", "mine", "secret deployment plan ラーメン 東京").build());
    create(memory("ns2", "theirs", "secret deployment plan ラーメン 東京").build());
    String[] terms = {"deployment", "ラーメン", "東京"};
    assertThat(search("ns1", Filters.NONE, terms)).containsExactly("mine");
    assertThat(search("ns2", Filters.NONE, terms)).containsExactly("theirs");
    assertThat(search("ns3", Filters.NONE, terms)).isEmpty();
  }

  // the keyword filters (type, tags all-of, since, min importance, expiry) are checked in
  // MemoryStoreContract.keywordSearchFilters, on SQLite and Qdrant alike

  @Test
  @DisplayName("no usable term gives an empty result; quotes and operators are plain text")
  void oddTerms() {
    create(memory("ns1", "q", "he said \"hello\" AND left; NEAR the door").build());
    assertThat(search()).isEmpty();
    assertThat(search(" ", "+", "\"")).isEmpty();
    assertThat(search("said \"hello\"")).containsExactly("q");
    assertThat(search("AND", "NEAR(")).containsExactly("q");
    assertThat(search("ns1", Filters.NONE, "*")).isEmpty();
  }

  @Test
  @DisplayName("tags and names are searchable too")
  void tagsAndNames() {
    create(memory("ns1", "t", "plain body").tags("kubernetes", "本番環境").name("Cluster notes")
        .build());
    assertThat(search("kubernetes")).containsExactly("t");
    assertThat(search("本番環境")).containsExactly("t");
    assertThat(search("cluster")).containsExactly("t");
  }

  /** Rows of the CJK gram table holding the gram of {@code term}. */
  private long gramRows(String term) {
    return countRows("SELECT count(*) FROM memories_fts_cjk WHERE memories_fts_cjk MATCH ?",
        "\"" + CjkGrams.token(term) + "\"");
  }

  @Test
  @DisplayName("one- and two-character CJK terms are answered by the gram table")
  void shortTermsThroughGramTable() {
    create(memory("ns1", "t", "来週は東京に出張します").build());
    create(memory("ns1", "o", "来週は大阪に出張します").tags("会議").build());
    create(memory("ns1", "e", "no Japanese here").build());
    assertThat(countRows("SELECT count(*) FROM memories_fts_cjk")).isEqualTo(2);
    assertThat(gramRows("京")).isEqualTo(1);
    assertThat(gramRows("東京")).isEqualTo(1);
    assertThat(gramRows("来週")).isEqualTo(2);
    assertThat(gramRows("京東")).isZero();
    assertThat(search("京")).containsExactly("t");
    assertThat(search("阪")).containsExactly("o");
    assertThat(search("会議")).containsExactly("o");
    assertThat(search("来週")).containsExactlyInAnyOrder("t", "o");
    assertThat(search("京東")).isEmpty();
    assertThat(search("東京", "大阪")).containsExactlyInAnyOrder("t", "o");
  }

  @Test
  @DisplayName("gram matching is exact: case and punctuation inside a gram count")
  void gramsAreExact() {
    create(memory("ns1", "upper", "A東 notes").build());
    create(memory("ns1", "lower", "a東 notes").build());
    create(memory("ns1", "dot", "東。").build());
    assertThat(search("A東")).containsExactly("upper");
    assertThat(search("a東")).containsExactly("lower");
    assertThat(search("東。")).containsExactly("dot");
    assertThat(search("東")).containsExactlyInAnyOrder("upper", "lower", "dot");
  }

  @Test
  @DisplayName("an update re-indexes the grams")
  void updateReindexesGrams() {
    Memory before = create(memory("ns1", "u", "来週は東京に出張します").build());
    Memory after = memory("ns1", "u", "来週は大阪に出張します").build();
    store.update(after, null, Fixtures.updateEvent(before, after)).await();
    assertThat(search("東京")).isEmpty();
    assertThat(search("大阪")).containsExactly("u");
    assertThat(gramRows("東京")).isZero();
    assertThat(countRows("SELECT count(*) FROM memories_fts_cjk")).isEqualTo(1);
    Memory latin = memory("ns1", "u", "now only English").build();
    store.update(latin, null, Fixtures.updateEvent(after, latin)).await();
    assertThat(search("大阪")).isEmpty();
    assertThat(countRows("SELECT count(*) FROM memories_fts_cjk")).isZero();
  }

  @Test
  @DisplayName("a delete removes the gram row")
  void deleteRemovesGrams() {
    create(memory("ns1", "d", "東京の天気").build());
    create(memory("ns1", "k", "大阪の天気").build());
    long seq = countRows("SELECT seq FROM memories WHERE id = 'd'");
    assertThat(store.delete("ns1", List.of("d"), "test", null).await()).containsExactly("d");
    assertThat(countRows("SELECT count(*) FROM memories_fts_cjk WHERE rowid = ?", seq)).isZero();
    assertThat(countRows("SELECT count(*) FROM memories_fts_cjk")).isEqualTo(1);
    assertThat(search("東京")).isEmpty();
    assertThat(search("天気")).containsExactly("k");
  }
}
