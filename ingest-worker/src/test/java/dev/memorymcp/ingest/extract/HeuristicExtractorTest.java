package dev.memorymcp.ingest.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("heuristic extractor (English and Japanese)")
class HeuristicExtractorTest {
  final HeuristicExtractor x = new HeuristicExtractor();

  static ChatMessage user(String s) {
    return new ChatMessage("user", s, null);
  }

  static ChatMessage assistant(String s) {
    return new ChatMessage("assistant", s, 1_700_000_000_000L);
  }

  List<Fact> facts(ChatMessage... messages) {
    Extraction e = x.extract(List.of(messages));
    assertThat(e.extractor()).isEqualTo(HeuristicExtractor.NAME).isEqualTo("heuristic");
    return e.facts();
  }

  @Test
  @DisplayName("an English chat: preference, decision, fact, plan and rule kept with types; small talk dropped")
  void englishConversation() {
    Extraction e = x.extract(List.of(
        user("Hi there!"),
        assistant("Hello! How can I help you today?"),
        user("I prefer green tea over coffee. What's the weather in Paris?"),
        assistant("It is sunny. I prefer not to guess though."),
        user("Ok. We decided to use PostgreSQL 16 for billing."),
        user("My manager is Keiko Tanaka."),
        assistant("Noted! Anything else?"),
        user("I'm going to visit Osaka next month.\nAlways answer in British English."),
        user("Thanks!")));
    assertThat(e.facts()).extracting(Fact::content, Fact::type, Fact::tags, Fact::importance).containsExactly(
        tuple("I prefer green tea over coffee.", "preference", List.of("preference"), 0.7),
        tuple("We decided to use PostgreSQL 16 for billing.", "decision", List.of("decision"), 0.8),
        tuple("My manager is Keiko Tanaka.", "fact", List.of("fact"), 0.6),
        tuple("I'm going to visit Osaka next month.", "event", List.of("plan"), 0.6),
        tuple("Always answer in British English.", "rule", List.of("rule"), 0.8));
    assertThat(e.note()).isNull();
  }

  @Test
  @DisplayName("a Japanese chat: 住んでいる / 好き / 嫌い / 決めた kept verbatim in Japanese")
  void japaneseConversation() {
    List<Fact> f = facts(
        user("こんにちは！"),
        assistant("こんにちは！今日はどうしましたか？"),
        user("私は京都に住んでいます。辛い食べ物が好きです。"),
        assistant("承知しました。ほかに何かありますか？"),
        user("納豆は嫌い。"),
        user("来月の旅行は沖縄にすることに決めた。"),
        user("明日は晴れますか？"),
        user("ありがとうございます！"));
    assertThat(f).extracting(Fact::content, Fact::type).containsExactly(
        tuple("私は京都に住んでいます。", "fact"),
        tuple("辛い食べ物が好きです。", "preference"),
        tuple("納豆は嫌い。", "preference"),
        tuple("来月の旅行は沖縄にすることに決めた。", "decision"));
    assertThat(f).extracting(Fact::content).allSatisfy(c -> assertThat(c).doesNotContainPattern("[A-Za-z]"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @DisplayName("each kind of sentence gets its memory type, in English and Japanese")
  @CsvSource(delimiter = '|', textBlock = """
      I like hiking in the Alps.                         | preference
      My manager for the billing team in Berlin is Keiko. | fact
      I love Rust's borrow checker.                      | preference
      I'd rather use Kotlin than Java.                   | preference
      I usually drink oat milk.                          | preference
      I'm a big fan of Studio Ghibli.                    | preference
      I’m not a fan of dark mode.                        | preference
      We’ll go with Kafka for the event bus.             | decision
      Let's use pnpm in this repo.                       | decision
      I chose the blue logo.                             | decision
      We've decided on Tuesdays for releases.            | decision
      We're switching to GitHub Actions.                 | decision
      I plan to learn Japanese this year.                | event
      I will run a marathon in October.                  | event
      We're moving to Berlin in May.                     | event
      My goal is to ship v2 by June.                     | event
      Tomorrow we ship the new onboarding flow.          | event
      My daughter's name is Hana.                        | fact
      I'm a backend engineer at a fintech startup.       | fact
      I'm allergic to peanuts.                           | fact
      I work remotely from Porto.                        | fact
      I use Neovim with LazyVim.                         | fact
      I have two cats called Miso and Tofu.              | fact
      Our stack is Kotlin and Postgres.                  | fact
      I'm Ken, a nurse from Osaka.                       | fact
      Dr. Sato is my dentist.                            | fact
      Call me Ken.                                       | rule
      Please don't ever commit secrets.                  | rule
      Never push directly to main.                       | rule
      From now on, reply in Japanese.                    | rule
      Make sure to run the linter first.                 | rule
      バックエンドはGoにする。                            | decision
      毎週金曜日にリリースすることにしました。            | decision
      PostgreSQLを採用しました。                          | decision
      パクチーが苦手です。                                | preference
      紅茶の方がいい。                                    | preference
      私は犬派です。                                      | preference
      来週大阪に行く予定です。                            | event
      毎朝走るつもりだ。                                  | event
      来年結婚します。                                    | event
      毎朝コーヒーを飲みます。                            | preference
      Pythonが得意です。                                  | fact
      来年は転職しようと思っています。                    | event
      私の誕生日は3月3日です。                            | fact
      東京で働いている。                                  | fact
      仕事ではMacBookを使っています。                     | fact
      北海道出身です。                                    | fact
      コミット前に必ずテストを実行してください。          | rule
      敬語は使わないでください。                          | rule
      """)
  void classifies(String sentence, String type) {
    assertThat(facts(user(sentence))).singleElement().satisfies(f -> {
      assertThat(f.content()).isEqualTo(sentence);
      assertThat(f.type()).isEqualTo(type);
    });
  }

  @Test
  @DisplayName("negated preferences are preferences too, in both languages")
  void negatedPreferences() {
    assertThat(facts(user("I don't like meetings before 10am."), user("I really hate YAML anchors."),
        user("I do not enjoy pair programming."), user("セロリは好きじゃない。"), user("満員電車は好きではありません。")))
        .extracting(Fact::type).containsExactly("preference", "preference", "preference", "preference", "preference");
  }

  @Test
  @DisplayName("assistant, system and tool turns are never mined, however fact-like")
  void onlyUserTurns() {
    Extraction e = x.extract(List.of(assistant("I prefer Python for scripts. My name is Claude."),
        new ChatMessage("system", "We decided the assistant is concise.", null),
        new ChatMessage("tool", "My result is 42.", null),
        assistant("私は京都に住んでいます。")));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note())
        .isEqualTo("nothing memorable: 0 user sentences considered, 4 assistant/system/tool messages skipped");

    List<Fact> mixed = facts(assistant("You said you live in Lisbon. I love Lisbon!"), user("I live in Lisbon."));
    assertThat(mixed).extracting(Fact::content).containsExactly("I live in Lisbon.");
  }

  @Test
  @DisplayName("greetings and questions only: empty, with a note counting them")
  void nothingMemorable() {
    Extraction e = x.extract(List.of(user("Hello!"), assistant("Hi! How can I help?"),
        user("Can you help me with SQL?"),
        user("What time is it in Tokyo"), user("ありがとうございます！"), user("これは何ですか。")));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note()).isEqualTo("nothing memorable: 5 user sentences considered (2 greetings, 3 questions), "
        + "1 assistant/system/tool message skipped");
  }

  @ParameterizedTest
  @DisplayName("questions are dropped even when they look like a fact")
  @ValueSource(strings = {"Do you like sushi?", "Is my config right?", "How do I set my default editor",
      "What's my favourite colour", "Can you remember that I prefer tabs", "Should I use Go or Rust",
      "Could you tell me where I live", "I wonder if I should move to Berlin.", "寿司は好きですか", "京都に住んでいますか。",
      "どっちにするかな", "私の趣味は何でしょうか", "Goにする？",
      "Don't you think we should use Go"})
  void questionsDropped(String question) {
    Extraction e = x.extract(List.of(user(question)));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note()).contains("(1 question)");
  }

  @ParameterizedTest
  @DisplayName("filler and small talk are not facts")
  @ValueSource(strings = {"I think so.", "I see.", "I'm not sure about that.", "I'll check and get back to you.",
      "I'll take a look tomorrow.", "I am happy to help with that.", "I have a question about the build.",
      "I like that idea!", "Don't worry about it.", "Never mind.", "Let me know when it is done.",
      "I want to know how caching works.", "確認してみます。", "私もそう思います。", "Thanks, that's perfect!",
      "Great, thanks!", "よろしくお願いします！", "No problem.", "Here is my stack trace:", "This is my code.",
      "My code is still broken.", "hahahaha", "心配しないでね。", "大事にする。"})
  void fillerDropped(String filler) {
    assertThat(facts(user(filler))).isEmpty();
  }

  @Test
  @DisplayName("the same sentence said twice is kept once (case, width and spacing ignored); the first wording wins")
  void deduplicatesWithinConversation() {
    assertThat(facts(user("I use Neovim."), user("i use   neovim"), assistant("Neovim, nice."), user("I use Neovim!"),
        user("ラーメンが好き！"), user("ラーメンが好き!"), user("ラーメンが好き")))
        .extracting(Fact::content).containsExactly("I use Neovim.", "ラーメンが好き！");
  }

  @Test
  @DisplayName("sentences split on . ! ? and newlines, not on abbreviations; Japanese on 。！？ without spaces")
  void splitsSentences() {
    assertThat(facts(user("I live in Lisbon! Dr. Sato is my dentist.\nWe decided to ship on Fridays. Why? Speed.")))
        .extracting(Fact::content)
        .containsExactly("I live in Lisbon!", "Dr. Sato is my dentist.", "We decided to ship on Fridays.");
    assertThat(facts(user("猫が好き!次はどうする？私は大阪出身です。毎日ヨガをするつもり")))
        .extracting(Fact::content).containsExactly("猫が好き!", "私は大阪出身です。", "毎日ヨガをするつもり");
  }

  @Test
  @DisplayName("mixed English and Japanese in one conversation: each fact stays in its own language")
  void mixedLanguages() {
    List<Fact> f = facts(user("Hi! I work at ACME as a data engineer."), assistant("素晴らしいですね。"),
        user("週末は山登りが好きです。 Also, I prefer Vim keybindings."), user("出張は来週の予定です。"));
    assertThat(f).extracting(Fact::content, Fact::type).containsExactly(
        tuple("I work at ACME as a data engineer.", "fact"),
        tuple("週末は山登りが好きです。", "preference"),
        tuple("Also, I prefer Vim keybindings.", "preference"),
        tuple("出張は来週の予定です。", "event"));
  }

  @Test
  @DisplayName("statements with no first-person fact are not kept, and the note says so")
  void neutralStatementsDropped() {
    Extraction e = x.extract(List.of(user("The sky is blue today."), user("That sounds reasonable to me."),
        user("天気がいいですね。")));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note()).isEqualTo(
        "nothing memorable: 3 user sentences considered (3 with no fact, preference, decision, plan or rule)");
  }

  @Test
  @DisplayName("statements opening with a wh-clause are not taken for questions")
  void whClausesAreStatements() {
    assertThat(facts(user("When I code, I prefer dark mode."), user("What I like most is Rust's type system."),
        user("How we deploy: we use Argo CD.")))
        .extracting(Fact::type).containsExactly("preference", "preference", "fact");
  }

  @Test
  @DisplayName("pasted code blocks and quoted assistant text are not mined; list items are")
  void codeQuotesAndLists() {
    List<Fact> f = facts(user("""
        > I prefer the functional style, you said.
        ```java
        // always close the stream
        my.value is = 3;
        ```
        - I use IntelliJ for Java.
        2. Never use wildcard imports.
        """));
    assertThat(f).extracting(Fact::content, Fact::type).containsExactly(
        tuple("I use IntelliJ for Java.", "fact"), tuple("Never use wildcard imports.", "rule"));
  }

  @Test
  @DisplayName("very short and very long sentences are dropped and counted")
  void shortAndLongDropped() {
    String pasted = "I use " + "very ".repeat(300) + "long logs";
    Extraction e = x.extract(List.of(user("I use X"), user("好き"), user(pasted)));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note()).isEqualTo("nothing memorable: 3 user sentences considered (2 too short, 1 too long)");
  }

  @Test
  @DisplayName("no messages, null content and blank turns give an empty result with a note")
  void emptyInput() {
    assertThat(x.extract(List.of()).note()).isEqualTo("nothing memorable: 0 user sentences considered");
    Extraction e = x.extract(List.of(user(null), user("   \n  "), new ChatMessage("tool", null, null)));
    assertThat(e.facts()).isEmpty();
    assertThat(e.note())
        .isEqualTo("nothing memorable: 0 user sentences considered, 1 assistant/system/tool message skipped");
  }

  @Test
  @DisplayName("one shared instance gives the same answer from many threads at once")
  void threadSafe() {
    List<ChatMessage> chat = List.of(user("I prefer tabs. We decided to use Go. 私は札幌に住んでいます。"),
        assistant("Okay."), user("How are you?"));
    List<Fact> expected = x.extract(chat).facts();
    assertThat(expected).hasSize(3);
    List<CompletableFuture<List<Fact>>> runs = new ArrayList<>();
    IntStream.range(0, 32).forEach(i -> runs.add(CompletableFuture.supplyAsync(() -> x.extract(chat).facts())));
    assertThat(runs).allSatisfy(r -> assertThat(r.join()).isEqualTo(expected));
  }
}
