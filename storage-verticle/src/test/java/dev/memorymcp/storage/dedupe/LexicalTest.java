package dev.memorymcp.storage.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("lexical comparison and key tokens")
class LexicalTest {
  @Test
  @DisplayName("trigram similarity ignores case and punctuation, and drops for different text")
  void similarity() {
    assertThat(Lexical.similarity("The user prefers dark mode.", "the user prefers DARK mode")).isEqualTo(1.0);
    assertThat(Lexical.similarity("I like green tea", "The weather in Paris is rainy")).isLessThan(0.2);
  }

  @Test
  @DisplayName("key tokens: versions, names and katakana, not sentence-initial words")
  void keyTokens() {
    assertThat(Lexical.keyTokens("We decided to use PostgreSQL 16")).containsExactlyInAnyOrder("postgresql", "16");
    assertThat(Lexical.keyTokens("The project targets Java 17.")).containsExactlyInAnyOrder("java", "17");
    assertThat(Lexical.keyTokens("本番のデータベースはMySQLです")).contains("データベース", "mysql");
  }

  @Test
  @DisplayName("a contradiction conflicts both ways; an elaboration does not")
  void conflicts() {
    assertThat(DedupePolicy.conflicting(Lexical.keyTokens("We use PostgreSQL 16"), Lexical.keyTokens("We use MySQL 8"))).isTrue();
    assertThat(DedupePolicy.conflicting(Lexical.keyTokens("We use PostgreSQL"), Lexical.keyTokens("We use PostgreSQL 16"))).isFalse();
  }

  @Test
  @DisplayName("policy: a negated elaboration supersedes instead of updating")
  void negation() {
    DedupePolicy p = new DedupePolicy(new DedupeThresholds(0.9, 0.8, 0.75, 0.3, 0.85), false);
    var d = p.decide("Deploys no longer happen on Tuesdays",
        java.util.List.of(new DedupePolicy.Neighbour("a", "Deploys happen on Tuesdays", 0.95)));
    assertThat(d.action()).isEqualTo(DedupePolicy.Action.SUPERSEDE);
    var u = p.decide("Deploys happen on Tuesdays after standup",
        java.util.List.of(new DedupePolicy.Neighbour("a", "Deploys happen on Tuesdays", 0.95)));
    assertThat(u.action()).isEqualTo(DedupePolicy.Action.UPDATE);
  }
}
