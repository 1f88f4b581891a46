package dev.memorymcp.bus.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("query terms")
class QueryTermsTest {
  @Test
  @DisplayName("English stop words are removed and words lower-cased")
  void english() {
    assertThat(QueryTerms.of("What database did WE choose for the project?", true))
        .containsExactly("database", "choose", "project");
    assertThat(QueryTerms.of("What database", false)).containsExactly("what", "database");
  }

  @Test
  @DisplayName("Japanese is split where the script changes and particles are dropped")
  void japanese() {
    assertThat(QueryTerms.of("東京の天気はどうですか", true)).containsExactly("東京", "天気");
    assertThat(QueryTerms.of("私はラーメンが好きです", true)).containsExactly("ラーメン", "好");
    assertThat(QueryTerms.of("PostgreSQLのバージョン", true)).containsExactly("postgresql", "バージョン");
  }

  @Test
  @DisplayName("a query of stop words only has no terms")
  void onlyStopWords() {
    assertThat(QueryTerms.of("what is it?", true)).isEmpty();
  }

  @Test
  @DisplayName("script detection: mostly-CJK text is flagged, English is not")
  void scripts() {
    assertThat(Scripts.mostlyCjk("私はPostgreSQLが好きです")).isTrue();
    assertThat(Scripts.mostlyCjk("We use PostgreSQL 16")).isFalse();
  }
}
