package dev.memorymcp.bus.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Japanese words (Kuromoji) and keyword queries")
class KeywordQueryTest {

  @Test
  @DisplayName("words: base forms, compounds split, width and long vowels folded, particles dropped, Latin left out")
  void words() {
    assertThat(JapaneseWords.of("昨日はラーメンを食べた。")).containsExactly("昨日", "ラーメン", "食べる");
    assertThat(JapaneseWords.of("関西国際空港")).containsExactly("関西", "国際", "空港");
    assertThat(JapaneseWords.of("ｺﾝﾋﾟｭｰﾀｰ")).containsExactly("コンピュータ");
    assertThat(JapaneseWords.of("Deploy on Fridays")).isEmpty();
    assertThat(JapaneseWords.joined(List.of("東京都", "旅行"))).isEqualTo("東京 都 旅行");
  }

  @Test
  @DisplayName("a query's terms and words follow search.japanese; question words are stop words")
  void modes() {
    KeywordQuery both = KeywordQuery.of("埼玉西武ライオンズの本拠地はどこ？ stadium", true);
    assertThat(both.terms()).contains("埼玉西武", "本拠地", "stadium");
    assertThat(both.words()).contains("埼玉", "本拠地").doesNotContain("どこ");
    KeywordQuery words = KeywordQuery.of("埼玉西武ライオンズの本拠地 stadium", true, KeywordQuery.Japanese.WORDS);
    assertThat(words.terms()).containsExactly("stadium");
    assertThat(words.words()).isNotEmpty();
    KeywordQuery ngrams = KeywordQuery.of("埼玉西武ライオンズの本拠地", true, KeywordQuery.Japanese.NGRAMS);
    assertThat(ngrams.words()).isEmpty();
    assertThat(ngrams.terms()).isNotEmpty();
    assertThat(KeywordQuery.Japanese.parse("s", " Words ")).isEqualTo(KeywordQuery.Japanese.WORDS);
    // a long query stays within what the storage bus accepts: 64 items of at most 200 characters
    StringBuilder many = new StringBuilder("東".repeat(300)).append(' ');
    for (int i = 0; i < 100; i++) {
      many.append("word").append(i).append(' ');
    }
    KeywordQuery bounded = KeywordQuery.of(many.toString(), true);
    assertThat(bounded.terms()).hasSize(64).allSatisfy(t -> assertThat(t.length()).isLessThanOrEqualTo(200));
    assertThat(bounded.terms().get(0)).hasSize(200);
    assertThatThrownBy(() -> KeywordQuery.Japanese.parse("search.japanese", "kuromoji"))
        .hasMessageContaining("search.japanese");
  }
}
