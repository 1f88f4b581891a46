package dev.memorymcp.ingest.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("heuristic extractor (English and Japanese)")
class HeuristicExtractorTest {
  final HeuristicExtractor x = new HeuristicExtractor();

  static ChatMessage user(String s) {
    return new ChatMessage("user", s, null);
  }

  static ChatMessage assistant(String s) {
    return new ChatMessage("assistant", s, null);
  }

  List<Fact> facts(ChatMessage... messages) {
    Extraction e = x.extract(List.of(messages));
    assertThat(e.extractor()).isEqualTo("heuristic");
    return e.facts();
  }

  @Test
  @DisplayName("an English chat: preference, decision, personal fact and plan kept with types; small talk dropped")
  void englishConversation() {
    List<Fact> f = facts(
        user("Hi there!"),
        assistant("Hello! How can I help you today?"),
        user("I prefer green tea over coffee. What's the weather in Paris?"),
        assistant("It is sunny. I prefer not to guess though."),
        user("We decided to use PostgreSQL 16 for billing."),
        user("My manager is Keiko Tanaka."),
        user("I'm going to visit Osaka next month."),
        user("Thanks!"));
    assertThat(f).extracting(Fact::content, Fact::type).containsExactly(
        tuple("I prefer green tea over coffee.", "preference"),
        tuple("We decided to use PostgreSQL 16 for billing.", "decision"),
        tuple("My manager is Keiko Tanaka.", "fact"),
        tuple("I'm going to visit Osaka next month.", "event"));
    assertThat(f.get(1).importance()).isGreaterThan(f.get(0).importance());
    assertThat(f.get(0).tags()).containsExactly("preference");
  }

  @Test
  @DisplayName("a Japanese chat: 好き / 嫌い / 決めた / 住んでいる kept verbatim in Japanese")
  void japaneseConversation() {
    List<Fact> f = facts(
        user("こんにちは！"),
        user("私は京都に住んでいます。辛い食べ物が好きです。"),
        assistant("承知しました。ほかに何かありますか？"),
        user("納豆は嫌い。"),
        user("来月の旅行は沖縄にすることに決めた。"),
        user("明日は晴れますか？"));
    assertThat(f).extracting(Fact::content, Fact::type).containsExactly(
        tuple("私は京都に住んでいます。", "fact"),
        tuple("辛い食べ物が好きです。", "preference"),
        tuple("納豆は嫌い。", "preference"),
        tuple("来月の旅行は沖縄にすることに決めた。", "decision"));
  }

  @Test
  @DisplayName("Japanese decisions with にする and plans with 予定 / つもり")
  void japaneseDecisionsAndPlans() {
    assertThat(facts(user("バックエンドはGoにする。"), user("来週大阪に行く予定です。"), user("毎朝走るつもりだ。")))
        .extracting(Fact::type).containsExactly("decision", "event", "event");
  }

  @Test
  @DisplayName("rules: always / never / please don't / 必ず")
  void rules() {
    assertThat(facts(user("Always run the linter before committing."), user("Never push directly to main."),
        user("Please don't use tabs in YAML files."), user("コミット前に必ずテストを実行してください。")))
        .extracting(Fact::type).containsOnly("rule").hasSize(4);
  }

  @Test
  @DisplayName("negated preferences are preferences too")
  void negatedPreferences() {
    assertThat(facts(user("I don't like meetings before 10am."), user("I really hate YAML anchors.")))
        .extracting(Fact::type).containsExactly("preference", "preference");
  }

  @Test
  @DisplayName("assistant, system and tool turns are never mined")
  void onlyUserTurns() {
    Extraction e = x.extract(List.of(assistant("I prefer Python for scripts."),
        new ChatMessage("system", "We decided the assistant is concise.", null),
        new ChatMessage("tool", "My result is 42.", null)));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note()).startsWith("nothing memorable").contains("3 assistant/system/tool message(s) skipped");
  }

  @Test
  @DisplayName("greetings and questions only: empty, with a note that counts them")
  void nothingMemorable() {
    Extraction e = x.extract(List.of(user("Hello!"), user("Can you help me with SQL?"), user("What time is it?"),
        user("ありがとうございます！"), user("これは何ですか。")));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note()).startsWith("nothing memorable").contains("2 greeting(s)").contains("3 question(s)");
  }

  @Test
  @DisplayName("filler such as 'I think so' or 'I'll check' is not a fact")
  void fillerDropped() {
    assertThat(facts(user("I think so."), user("I'll check and get back to you."), user("I'm not sure about that."),
        user("I have a question about the build."))).isEmpty();
  }

  @Test
  @DisplayName("the same sentence said twice is kept once")
  void deduplicatesWithinConversation() {
    assertThat(facts(user("I use Neovim."), user("i use   neovim"), user("I use Neovim!"))).hasSize(1);
  }

  @Test
  @DisplayName("sentences split on . ! ? and newlines; multi-sentence turns yield several facts")
  void splitsSentences() {
    assertThat(facts(user("I live in Lisbon! My favourite editor is Helix.\nWe decided to ship on Fridays.")))
        .extracting(Fact::content).containsExactly("I live in Lisbon!", "My favourite editor is Helix.",
            "We decided to ship on Fridays.");
  }

  @Test
  @DisplayName("mixed English and Japanese in one conversation keep their own language")
  void mixedLanguages() {
    assertThat(facts(user("I work at ACME as a data engineer."), user("週末は山登りが好きです。")))
        .extracting(Fact::content).containsExactly("I work at ACME as a data engineer.", "週末は山登りが好きです。");
  }

  @Test
  @DisplayName("statements without a first-person fact are not kept")
  void neutralStatementsDropped() {
    Extraction e = x.extract(List.of(user("The sky is blue today."), user("That sounds reasonable to me.")));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note()).contains("2 without a fact");
  }
}
