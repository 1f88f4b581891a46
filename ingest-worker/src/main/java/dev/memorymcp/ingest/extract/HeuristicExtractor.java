package dev.memorymcp.ingest.extract;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The built-in extractor (no LLM): keeps the sentences in which the user states something lasting
 * about themselves or their work, in English or Japanese, verbatim and in the language they were
 * said in (never translated).
 *
 * <p>Only {@code user} turns are mined: assistant, system and tool turns are skipped and counted
 * (an assistant's suggestion is not the user's fact). Each user message is split into sentences
 * ({@link Sentences}); greetings ("hi", "thanks!", 「こんにちは」「ありがとう」), questions (ending in
 * ? or ？, English starting with what / how / can you / do you …, Japanese ending in か / ですか /
 * ますか …), filler ("I think so", "I see", "I'll check", "I am happy to help", 「確認します」) and
 * sentences under 8 characters (4 for Japanese) or over {@value #MAX_SENTENCE} are dropped. The
 * rest is kept when it matches one of these kinds, tried in this order, first match wins:
 *
 * <ul>
 *   <li>rule → type {@code rule}, importance 0.8: "always …", "never …", "please don't …", "don't
 *       ever …", "from now on …", "make sure to …", "you must …"; 「必ず…」「…しないでください」
 *       「…してはいけない」「今後は…してください」;
 *   <li>decision → {@code decision}, 0.8: "we decided", "I chose", "we agreed", "we'll go with",
 *       "we're switching to", "let's use"; 「…に決めた」「…ことにした」「…にする」「…を採用」;
 *   <li>preference → {@code preference}, 0.7, negated ones included: "I prefer / like / love /
 *       hate / don't like …", "I'd rather", "my favourite", "I'm a fan of", habits ("I usually
 *       use …"); 「…が好き」「…は好きじゃない」「…は嫌い」「…が苦手」「…の方がいい」「…派」;
 *   <li>plan → {@code event}, 0.6: "I'm going to", "I plan to", "I will …", "I'm moving …", "my
 *       plan is", "… next week" said by I / we; 「…予定」「…つもり」「…ようと思っている」;
 *   <li>personal fact → {@code fact}, 0.6: "my … is …", "I'm a …", "I'm from / allergic to …",
 *       "I'm Ken", "I live / work / use / have …", "Sato is my dentist", "we use …", "our … is …";
 *       「私の…は…」「私は…です」「…に住んでいる」「…で働いている」「…を使っている」「…出身」「…が得意」.
 * </ul>
 *
 * A fact's tags are just the kind matched ({@code ["preference"]}, {@code ["plan"]} …). A sentence
 * said twice in one conversation is kept once (compared case-, width- and whitespace-insensitively).
 * When nothing is kept the note starts with "nothing memorable" and counts what was dropped and
 * why; otherwise it is null. Stateless: thread-safe, no I/O.
 */
public final class HeuristicExtractor {
  public static final String NAME = "heuristic";
  static final int MIN_CHARS_LATIN = 8;
  static final int MIN_CHARS_CJK = 4;
  /** Longer runs are pasted text (logs, articles), not something the user said about themselves. */
  static final int MAX_SENTENCE = 1_000;

  /** A kind of memorable sentence: its tag, memory type, importance and the patterns that find it. */
  private record Kind(String tag, String type, double importance, List<Pattern> english, List<Pattern> japanese) {
    /** Only the tables of the scripts present are tried: half the work on long conversations. */
    boolean matches(String s, boolean latin, boolean cjk) {
      return (latin && any(english, s)) || (cjk && any(japanese, s));
    }
  }

  /** Why a user sentence was not kept, for the "nothing memorable" note. */
  private enum Drop {
    GREETING("greeting", "greetings"), QUESTION("question", "questions"), FILLER("filler", "filler"),
    SHORT("too short", "too short"), LONG("too long", "too long"),
    OTHER("with no fact, preference, decision, plan or rule", "with no fact, preference, decision, plan or rule");

    final String one;
    final String many;

    Drop(String one, String many) {
      this.one = one;
      this.many = many;
    }
  }

  private static final int EN = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

  private static List<Pattern> en(String... regexes) {
    return Stream.of(regexes).map(r -> Pattern.compile(r, EN)).toList();
  }

  private static List<Pattern> ja(String... regexes) {
    return Stream.of(regexes).map(Pattern::compile).toList();
  }

  /** "next week", "tomorrow"…: a plan when the user says it of themselves. */
  private static final String SOON = "(next\\s+(week|month|year|weekend|summer|winter|spring|autumn|fall|monday|tuesday"
      + "|wednesday|thursday|friday|saturday|sunday)|tomorrow|tonight)";

  // Patterns run on the NFKC form (full-width ！？ become !?) with curly apostrophes made straight.
  private static final List<Kind> KINDS = List.of(
      new Kind("rule", "rule", 0.8, en(
          "^(please\\s+)?(always|never)\\b",
          "^(please\\s+)?(don't|do not)\\b",
          "\\b(don't|do not)\\s+ever\\b",
          "^from now on\\b",
          "^(please\\s+)?(make sure|remember)\\s+(to|that|you)\\b",
          "^(you|we)\\s+(must|mustn't|must not|shall not)\\b",
          "\\b(you|we)\\s+(must|should|need to)\\s+(always|never)\\b",
          "^(please\\s+)?(stop|avoid)\\s+\\p{L}+ing\\b",
          "^(please\\s+)?call me\\s+\\p{L}"), ja(
          "必ず(?!しも)",
          "絶対に.*(ないで|するな|ください|こと)",
          "(しては|しちゃ|やっては)(いけない|いけません|だめ|ダメ)",
          "ないで(ください|ほしい|欲しい|ね)?[。!]?$",
          "^(いつも|常に|今後は?|これからは|以後)、?.*(ください|して|すること|するように)[。!]?$",
          "ようにして(ください|ほしい)",
          "すること[。!]?$",
          "ルール(は|として|です)")),
      new Kind("decision", "decision", 0.8, en(
          "\\b(we|i|the team)(\\s+have|'ve|\\s+finally|\\s+just)?\\s+(decided|chose|agreed|settled on|opted|went with"
              + "|committed to|picked(?!\\s+up))\\b",
          "\\b(we're|we are|i'm|i am)\\s+(going with|sticking with|switching to|migrating to)\\b",
          "\\b(we|i)('ll| will|'re going to|'m going to| are going to| am going to)\\s+(go with|use|switch to"
              + "|stick with|adopt|migrate to)\\b",
          "^let's\\s+(use|go with|switch to|stick with|adopt|pick|choose|go for)\\b",
          "\\b(decision|choice) (is|was)\\b",
          "^decided\\b"), ja(
          "に決め(た|ました)",
          "に決ま(った|りました)",
          "に決定",
          "ことに(した|しました)",
          "を(採用|選択)(する|した|します|しました)",
          "(?<!大事|大切|参考|楽しみ|気)(に|で)(する|します|しよう|しましょう)[。!]?$")),
      new Kind("preference", "preference", 0.7, en(
          "\\bi\\s+(really\\s+|much\\s+|strongly\\s+|absolutely\\s+|definitely\\s+|totally\\s+|kind of\\s+)?"
              + "(prefer|like|love|enjoy|hate|dislike|adore|can't stand|cannot stand|detest|loathe)\\b",
          "\\bi\\s+(don't|do not|never|didn't)\\s+(really\\s+)?(like|enjoy|want|care for|love)\\b",
          "\\bi('d| would)\\s+(rather|prefer)\\b",
          "\\bmy\\s+(all-time\\s+|absolute\\s+)?(favou?rite|preferred)\\b",
          "\\bi('m| am)\\s+(not\\s+)?(a\\s+)?(big\\s+|huge\\s+)?fan of\\b",
          "\\bi('m| am)\\s+(really\\s+)?(not\\s+)?into\\b",
          "\\bi\\s+(always|usually|normally|typically|often|rarely|never|mostly)\\s+(use|eat|drink|go|take|work|write"
              + "|code|wake|read|listen|watch|start|buy|cook|walk|bike|run|sleep|prefer|avoid)\\b",
          "\\b(works|suits)\\s+(best|better)\\s+for me\\b"), ja(
          "好き(?!勝手)",
          "嫌い",
          "苦手",
          "好み",
          "(方|ほう)がいい",
          "がいい[。!]?$",
          "気に入って(いる|います|る)",
          "ハマって(いる|います|る)",
          "派(です|だ)",
          "^(毎朝|毎日|毎晩|毎週|普段は?|いつも|たいてい)、?.+(ます|る|ている|ています)[。!]?$")),
      new Kind("plan", "event", 0.6, en(
          "\\bi('m| am)\\s+(going|planning|about|hoping)\\s+to\\b",
          "\\bwe('re| are)\\s+(going|planning|about)\\s+to\\b",
          "\\b(i|we)\\s+(plan|intend|hope|aim|want)\\s+(to|on)\\b",
          "\\b(i|we)('ll| will| shall)\\s+(?!not\\b|never\\b)\\p{L}",
          "\\b(i|we)('m| am|'re| are)\\s+(moving|flying|travell?ing|visiting|leaving|relocating|retiring"
              + "|getting married|having a baby)\\b",
          "\\bmy\\s+(plan|goal|aim|target)\\s+(is|for)\\b",
          "\\b(i|we)\\b.*\\b" + SOON + "\\b",
          "\\b" + SOON + "\\b.*\\b(i|we)\\b"), ja(
          "予定",
          "つもり",
          "^(明日|明後日|来週|来月|来年|今度|今週末|週末)(は|に|、)?.+(ます|る)[。!]?$",
          "計画(して|中|です)",
          "[おこそとのほもよろごぞどぼぽ]うと(思|考え)")),
      new Kind("fact", "fact", 0.6, en(
          "\\bmy\\s+([\\p{L}\\p{N}-]+\\s+){0,8}?(is|are|was|were|has|have)\\b",
          "\\bmy\\s+([\\p{L}\\p{N}-]+\\s+){0,3}?[\\p{L}\\p{N}-]+'s\\b",
          // "Sato is my dentist", but not "This is my code" or "Here is my question"
          "^(?!(this|that|it|here|there|what|which|these|those)\\b)[\\p{L}\\p{N}.' -]{1,40}\\s(is|are)\\s+my\\s+\\p{L}",
          "\\bi('m| am)\\s+(a|an|the)\\s+(?!(bit|little|lot|few|couple)\\b)\\p{L}",
          "\\bi('m| am)\\s+(from|based in|located in|allergic to|married|single|divorced|engaged|vegetarian|vegan"
              + "|pescatarian|retired|pregnant|left-handed|right-handed|colou?r-?blind|diabetic|lactose intolerant"
              + "|\\d{1,3} years old)\\b",
          "\\bi('m| am)\\s+(currently\\s+)?(working|living|studying|learning|using|building|developing|maintaining"
              + "|leading|managing)\\b",
          "\\bi\\s+(live|work|grew up|was born|studied|study|use|own|speak|moved|switched|drive|teach|run|manage|lead"
              + "|quit|joined|graduated|majored|code|develop|maintain)\\b",
          "\\bi\\s+(have|own)\\s+(?!to\\b|no\\b|a question\\b|an idea\\b|a problem\\b|an issue\\b|an error\\b)\\p{L}",
          "\\bi('ve| have)\\s+(been|got)\\b",
          "\\bi('m| am)\\s+(?-i:\\p{Lu})\\p{L}+\\s*([.!,]|$|and\\b)", // "I'm Ken."
          "\\bwe\\s+have\\s+(?!to\\b|no\\b|an?\\s+(problem|question|bug|issue)\\b)\\p{L}",
          "\\bwe('re| are)\\s+(using|running|building)\\b",
          "\\bwe\\s+(use|run|deploy|host|build)\\b",
          "\\bour\\s+([\\p{L}\\p{N}-]+\\s+){0,4}?(is|are|runs|uses)\\b"), ja(
          "^(私|僕|俺|わたし|自分|うち)の.+[はが]",
          "^(私|僕|俺|わたし|自分)(は|、).+(です|だ|ます|でした|ました)",
          "に住んで",
          "(で|に)(働いて|勤めて|勤務)",
          "として働いて",
          "を使って(いる|います|る)",
          "を使用して",
          "を飼って",
          "出身",
          "\\d+歳",
          "の仕事(を|は)",
          "アレルギー",
          "得意",
          "を話せ(る|ます)",
          "を(勉強|学習)して(いる|います)")));

  private static final Pattern GREETING = Pattern.compile("^(?>(?:hi|hey|hello|hiya|yo|howdy|greetings"
      + "|good (?:morning|afternoon|evening|night|day)|morning|evening|thanks|thank you|thx|ty|cheers|ok|okay|k|cool"
      + "|great|nice|awesome|perfect|wonderful|excellent|sure|yes|yeah|yep|yup|no problem|no|nope|nah|right|got it"
      + "|sounds good|sounds great|that's (?:great|perfect|fine|ok|okay|helpful)|np|you're welcome|welcome|bye|goodbye"
      + "|see you|see ya|later|lol|(?:ha){2,}h?|hmm+|oh|ah|wow|please|alright|all right|understood|noted|done)\\b"
      + "(?:\\s+(?:there|again|everyone|all|guys|so much|very much|a lot|a bunch|for (?:the|your) help|then|too))*"
      + "[\\s!.,~:;)(-]*)+$", EN);
  private static final Pattern GREETING_JA = Pattern.compile("^(?>(?:こんにちは|こんばんは|おはよう(?:ございます)?"
      + "|ありがとう(?:ございます|ございました)?|どうも|よろしく(?:お願いします|お願いいたします|ね)?|はじめまして|初めまして"
      + "|はい|いいえ|うん|ええ|いや|了解(?:です|しました)?|承知しました|わかりました|分かりました|なるほど|そうですね|そっか"
      + "|さようなら|またね|じゃあね|お疲れ(?:様|さま)(?:です|でした)?|おやすみ(?:なさい)?|すみません|ごめんなさい"
      + "|助かりました|助かります|いいね|最高|すごい|オッケー|OK|ok)[!。、,〜~ー\\s…]*)+$");
  /** Questions without a question mark: English wh-words (not "What I like…") and inverted auxiliaries. */
  private static final Pattern QUESTION = Pattern.compile(
      "^(?:(?:please|so|and|but|also|ok|okay|hey|oh|um|well)[,\\s]+)?"
      + "(?:(?:what|how|why|when|where|who|whom|whose|which)\\b(?!\\s+(?:i|we|my|our)\\b)"
      + "|(?:can|could|would|will|does|did|should|shall|may|might|is|are|was|were|have|has|am|any)\\s+"
      + "(?:you|i|we|it|this|that|there|he|she|they|my|your|anyone|one|idea)\\b"
      + "|do\\s+(?:you|i|we|he|she|they|my|your|anyone)\\b" // not "Do it this way": an instruction
      + "|(?:don't|doesn't|didn't|isn't|aren't|won't|can't|wouldn't|shouldn't)\\s+(?:you|i|we|it|this|that|they)\\b"
      + "|i (?:wonder|was wondering)\\b)", EN);
  private static final Pattern QUESTION_MARK = Pattern.compile("\\?[\\s\"')\\]」』）]*$");
  private static final Pattern QUESTION_JA =
      Pattern.compile("(?:ですか|ますか|でしょうか|ませんか|ましたか|かな|かしら|のか|[\\p{IsHiragana}&&[^とほしな]]か)[。.…]*$");
  private static final List<Pattern> FILLER_EN = en(
      "^i\\s+(think so|guess so|hope so|suppose so|see|know|agree|understand|get it|got it|don't know|do not know"
          + "|dunno)"
          + "(,?\\s*(thanks|thank you|now|then|too|as well))?[\\s.!~]*$",
      "^i('m| am)\\s+(fine|good|ok|okay|done|back|here)(,?\\s*(thanks|thank you))?[\\s.!~]*$",
      "^i('m| am)\\s+(not sure|unsure|happy to|glad to|here to|sorry|afraid|curious|wondering|just (asking|curious"
          + "|wondering|checking|kidding|joking)|kidding|joking)\\b",
      "^i('ll| will|'m going to| am going to|'m gonna)\\s+(check|take a look|have a look|look into|look at|try|think"
          + "|get back|let you know|see|do that|do it|keep (that|it) in mind|be right back|wait|test|give it a)\\b",
      "^we('ll| will)\\s+see\\b",
      "^i\\s+(want|need|wanted|would like|'d like)\\s+to\\s+(know|ask|see|understand|check|confirm|clarify"
          + "|make sure)\\b",
      "^i\\s+have\\s+(a|another|one more|some)\\s+(quick\\s+|small\\s+|follow-up\\s+|few\\s+)?(question|doubt)s?\\b",
      "^i\\s+have\\s+(no idea|to go)\\b",
      "^i\\s+(hope|think)\\s+(this|that|it)\\s+(helps|works|is (fine|ok|okay|good|right))\\b",
      "^i\\s+(really\\s+)?(like|love|appreciate)\\s+(it|that|this|your)(\\s+(idea|one|plan|approach|suggestion|answer"
          + "|help))?(,?\\s*(thanks|a lot|so much))?[\\s.!~]*$",
      "^(don't|do not)\\s+(worry|mind|bother|know|care)\\b",
      "^never\\s?mind\\b",
      "^let me\\s+(know|check|think|see|try)\\b",
      "^my\\s+(question|point|bad|guess|understanding|answer)\\s+(is|was)\\b",
      // a problem report ("my code is broken") is for this chat, not a lasting fact
      "^my\\s+([\\p{L}\\p{N}-]+\\s+){1,4}?(is|are|was|were|keeps)\\s+(still\\s+)?(broken|failing|not\\s+working|wrong"
          + "|crashing|throwing|stuck|down|slow|weird|empty|null|missing)\\b");
  private static final List<Pattern> FILLER_JA = ja(
      "(確認します|確認してみます|見てみます|調べてみます|試してみます|考えておきます|検討します)[。!]?$",
      "そう思(う|います)[。!]?$",
      "(わかりません|分かりません|知りません)[。!]?$",
      "(気に|心配)しないで");
  private static final Pattern LATIN = Pattern.compile("\\p{IsLatin}");

  /** Mines the user turns of one conversation; see the class comment for what is kept. */
  public Extraction extract(List<ChatMessage> messages) {
    Map<String, Fact> kept = new LinkedHashMap<>();
    int[] dropped = new int[Drop.values().length];
    int considered = 0;
    int skippedTurns = 0;
    for (ChatMessage m : messages == null ? List.<ChatMessage>of() : messages) {
      if (m == null || !m.fromUser()) {
        skippedTurns++;
        continue;
      }
      for (String sentence : Sentences.split(m.content())) {
        considered++;
        String s = matchable(sentence);
        boolean latin = LATIN.matcher(s).find();
        boolean cjk = Sentences.hasCjk(s);
        Drop why = drop(sentence, s, latin, cjk);
        Kind kind = why == null ? kind(s, latin, cjk) : null;
        if (kind == null) {
          dropped[(why == null ? Drop.OTHER : why).ordinal()]++;
          continue;
        }
        kept.putIfAbsent(dedupeKey(s), new Fact(sentence, kind.type(), List.of(kind.tag()), kind.importance(),
            m.timestamp()));
      }
    }
    if (!kept.isEmpty()) {
      return new Extraction(List.copyOf(kept.values()), NAME, null);
    }
    return new Extraction(List.of(), NAME, nothingMemorable(considered, dropped, skippedTurns));
  }

  /** Why {@code sentence} ({@code s} its matchable form) is not a candidate, or null if it is. */
  private static Drop drop(String sentence, String s, boolean latin, boolean cjk) {
    if (sentence.length() <= 120 && (GREETING.matcher(s).matches() || GREETING_JA.matcher(s).matches())) {
      return Drop.GREETING;
    }
    if (isQuestion(s)) {
      return Drop.QUESTION;
    }
    if (sentence.length() > MAX_SENTENCE) {
      return Drop.LONG;
    }
    int min = cjk ? MIN_CHARS_CJK : MIN_CHARS_LATIN;
    if (sentence.codePointCount(0, sentence.length()) < min) {
      return Drop.SHORT;
    }
    return (latin && any(FILLER_EN, s)) || (cjk && any(FILLER_JA, s)) ? Drop.FILLER : null;
  }

  static boolean isQuestion(String s) {
    return QUESTION_MARK.matcher(s).find() || QUESTION.matcher(s).find() || QUESTION_JA.matcher(s).find();
  }

  private static Kind kind(String s, boolean latin, boolean cjk) {
    for (Kind k : KINDS) {
      if (k.matches(s, latin, cjk)) {
        return k;
      }
    }
    return null;
  }

  private static boolean any(List<Pattern> patterns, String s) {
    for (Pattern p : patterns) {
      if (p.matcher(s).find()) {
        return true;
      }
    }
    return false;
  }

  /** NFKC (full-width ！？Ａ become !?A) with curly apostrophes straightened: what the patterns see. */
  static String matchable(String sentence) {
    return Normalizer.normalize(sentence, Normalizer.Form.NFKC).replace('’', '\'').replace('‘', '\'');
  }

  private static String dedupeKey(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replaceAll("[\\s.。!?~〜…]+$", "").strip();
  }

  private static String nothingMemorable(int considered, int[] dropped, int skippedTurns) {
    StringBuilder why = new StringBuilder("nothing memorable: ")
        .append(count(considered, "user sentence considered", "user sentences considered"));
    List<String> parts = new ArrayList<>();
    for (Drop d : Drop.values()) {
      if (dropped[d.ordinal()] > 0) {
        parts.add(count(dropped[d.ordinal()], d.one, d.many));
      }
    }
    if (!parts.isEmpty()) {
      why.append(" (").append(String.join(", ", parts)).append(')');
    }
    if (skippedTurns > 0) {
      why.append(", ").append(count(skippedTurns, "assistant/system/tool message skipped",
          "assistant/system/tool messages skipped"));
    }
    return why.toString();
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
