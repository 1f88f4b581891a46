package dev.memorymcp.ingest.extract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The built-in extractor (no LLM): keeps the sentences in which the user states something about
 * themselves or their work, in English or Japanese, verbatim and in the language they were said in.
 *
 * <p>Only user turns are mined: assistant, system and tool turns are skipped (an assistant's
 * suggestion is not the user's fact). Each user message is split into sentences; greetings,
 * questions and filler ("I think so", "I'll check") are dropped; the rest is kept when it matches
 * one of the patterns below, first match wins:
 *
 * <ul>
 *   <li>rule (type {@code rule}, importance 0.8): "always …", "never …", "please don't …",
 *       "make sure to …"; 「必ず…」「絶対に…しない」「…してはいけない」「…すること」;
 *   <li>decision ({@code decision}, 0.8): "we decided", "I chose", "let's use", "we'll go with";
 *       「…に決めた」「…ことにした」「…にする」「…に決定」;
 *   <li>preference ({@code preference}, 0.7): "I prefer / like / love / hate / don't like",
 *       "my favourite"; 「…が好き」「…は嫌い」「…が苦手」「…がいい」;
 *   <li>plan ({@code event}, 0.6): "I'm going to", "I plan to", "I will", "next week";
 *       「…予定」「…つもり」;
 *   <li>personal fact ({@code fact}, 0.6): "my … is …", "I am a …", "I live / work / use / have";
 *       「私の…は」「…に住んでいる」「…で働いている」「…を使っている」.
 * </ul>
 * Tags name the kind matched ({@code ["preference"]}). Thread-safe and free of I/O.
 */
public final class HeuristicExtractor {
  public static final String NAME = "heuristic";
  static final int MIN_CHARS_LATIN = 8;
  static final int MIN_CHARS_CJK = 4;
  static final int MAX_SENTENCE = 2_000;

  /** A kind of memorable sentence: the memory type, importance and the patterns that find it. */
  private record Kind(String tag, String type, double importance, List<Pattern> patterns) {}

  private static final int EN = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

  private static final List<Kind> KINDS = List.of(
      new Kind("rule", "rule", 0.8, List.of(
          Pattern.compile("^(please\\s+)?(always|never)\\b", EN),
          Pattern.compile("\\b(please\\s+)?(don't|do not)\\s+ever\\b", EN),
          Pattern.compile("^please\\s+(don't|do not)\\b", EN),
          Pattern.compile("^(make sure|remember) (to|that)\\b", EN),
          Pattern.compile("\\b(we|you) (must|should) (always|never)\\b", EN),
          Pattern.compile("必ず"), Pattern.compile("絶対に"), Pattern.compile("してはいけない"),
          Pattern.compile("しないでください"), Pattern.compile("ルール(は|として)"))),
      new Kind("decision", "decision", 0.8, List.of(
          Pattern.compile("\\b(we|i|the team)\\s+(have\\s+)?(decided|chose|agreed|settled on|picked)\\b", EN),
          Pattern.compile("\\b(we're|we are|i'm|i am) going with\\b", EN),
          Pattern.compile("\\b(we'll|we will) (go with|use|switch to|move to)\\b", EN),
          Pattern.compile("^let's (use|go with|switch to|move to|stick with)\\b", EN),
          Pattern.compile("\\bthe decision is\\b", EN),
          Pattern.compile("に決めた"), Pattern.compile("に決めました"), Pattern.compile("ことにした"),
          Pattern.compile("ことにしました"), Pattern.compile("に決定"), Pattern.compile("にします[。！!]?$"),
          Pattern.compile("にする[。！!]?$"), Pattern.compile("を採用"))),
      new Kind("preference", "preference", 0.7, List.of(
          Pattern.compile("\\bi\\s+(really\\s+|much\\s+|strongly\\s+)?(prefer|like|love|enjoy|hate|dislike|adore|can't stand)\\b", EN),
          Pattern.compile("\\bi\\s+(don't|do not|never)\\s+(really\\s+)?(like|enjoy|want)\\b", EN),
          Pattern.compile("\\bi'd rather\\b", EN),
          Pattern.compile("\\bmy (favou?rite|preferred)\\b", EN),
          Pattern.compile("\\bi'm (a big )?fan of\\b", EN),
          Pattern.compile("好き"), Pattern.compile("嫌い"), Pattern.compile("苦手"),
          Pattern.compile("好み"), Pattern.compile("がいい[。！!]?$"), Pattern.compile("の方がいい"))),
      new Kind("plan", "event", 0.6, List.of(
          Pattern.compile("\\bi('m| am) (going|planning) to\\b", EN),
          Pattern.compile("\\bi plan to\\b", EN),
          Pattern.compile("\\b(i|we)('ll| will) (be |start |move |travel |visit |fly |join |leave )", EN),
          Pattern.compile("\\b(next|this) (week|month|year|monday|tuesday|wednesday|thursday|friday|weekend)\\b.*\\b(i|we)\\b", EN),
          Pattern.compile("予定"), Pattern.compile("つもり"))),
      new Kind("fact", "fact", 0.6, List.of(
          Pattern.compile("\\bmy\\s+[\\p{L}\\p{N}' -]{1,40}?\\s+(is|are|was)\\b", EN),
          Pattern.compile("^i('m| am) (a|an|the)\\s+\\p{L}", EN),
          Pattern.compile("\\bi\\s+(live|work|grew up|was born|studied|use|have|own|speak|moved)\\b", EN),
          Pattern.compile("\\bi've been (working|living|using)\\b", EN),
          Pattern.compile("^(私|僕|俺|わたし)の.+(は|が)"), Pattern.compile("^(私|僕|俺|わたし)は.+(です|だ|ます)"),
          Pattern.compile("に住んで"), Pattern.compile("で働いて"), Pattern.compile("を使って"),
          Pattern.compile("に勤めて"), Pattern.compile("出身"))));

  private static final Pattern GREETING = Pattern.compile("^(hi|hey|hello|yo|hiya|good (morning|afternoon|evening|night)"
      + "|thanks?( you)?( so much| a lot)?|thank you|thx|ok(ay)?|cool|great|bye|goodbye|see you|sure|yes|no|yep|nope)"
      + "( there| again| everyone| all)?[\\s!.,~]*$", EN);
  private static final Pattern GREETING_JA = Pattern.compile("^(こんにちは|こんばんは|おはよう(ございます)?|ありがとう(ございます)?"
      + "|どうも|よろしく(お願いします)?|はい|いいえ|了解(です)?|さようなら|またね|お疲れ様(です)?)[！!。、〜~\\s]*$");
  private static final Pattern QUESTION_START = Pattern.compile("^(what|how|why|when|where|who|which|whose|can you|could you"
      + "|would you|will you|do you|does|did you|is it|is there|are there|are you|should i|shall we|may i)\\b", EN);
  private static final Pattern QUESTION_JA = Pattern.compile("(か|ですか|ますか|でしょうか|かな|の)[？?。]?$");
  private static final Pattern FILLER = Pattern.compile("^(i think so|i see|i'm not sure|i am not sure|i don't know"
      + "|i'll check|i will check|i'll take a look|i'll look into it|i'm happy to help|i am happy to help"
      + "|i understand|i agree|i guess|i hope so|i'm fine|i am fine|i'm good|i'm ok(ay)?|i have a (quick )?question"
      + "|i'll be back|i'm back|i'm sorry|i am sorry)\\b", EN);
  /** Sentence ends: Latin .!? followed by space or end; CJK 。！？ anywhere; newlines. */
  private static final Pattern SPLIT = Pattern.compile("(?<=[.!?])\\s+|(?<=[。！？])|\\R+");

  public Extraction extract(List<ChatMessage> messages) {
    Map<String, Fact> kept = new LinkedHashMap<>();
    int skippedTurns = 0;
    int considered = 0;
    int greetings = 0;
    int questions = 0;
    int other = 0;
    for (ChatMessage m : messages) {
      if (!m.fromUser()) {
        skippedTurns++;
        continue;
      }
      for (String sentence : sentences(m.content())) {
        considered++;
        if (isGreeting(sentence)) {
          greetings++;
          continue;
        }
        if (isQuestion(sentence)) {
          questions++;
          continue;
        }
        Fact f = classify(sentence);
        if (f == null) {
          other++;
          continue;
        }
        kept.putIfAbsent(normalize(sentence), f);
      }
    }
    if (!kept.isEmpty()) {
      return new Extraction(new ArrayList<>(kept.values()), NAME, null);
    }
    StringBuilder why = new StringBuilder("nothing memorable: ").append(considered).append(" user sentence(s) considered");
    List<String> parts = new ArrayList<>();
    if (greetings > 0) {
      parts.add(greetings + " greeting(s)");
    }
    if (questions > 0) {
      parts.add(questions + " question(s)");
    }
    if (other > 0) {
      parts.add(other + " without a fact, preference, decision or plan");
    }
    if (!parts.isEmpty()) {
      why.append(" (").append(String.join(", ", parts)).append(')');
    }
    if (skippedTurns > 0) {
      why.append(", ").append(skippedTurns).append(" assistant/system/tool message(s) skipped");
    }
    return new Extraction(List.of(), NAME, why.toString());
  }

  static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String s : SPLIT.split(text)) {
      String t = s.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (t.length() > MAX_SENTENCE) {
        t = t.substring(0, MAX_SENTENCE);
      }
      out.add(t);
    }
    return out;
  }

  static boolean isGreeting(String s) {
    return GREETING.matcher(s).matches() || GREETING_JA.matcher(s).matches() || tooShort(s);
  }

  private static boolean tooShort(String s) {
    long cjk = s.codePoints().filter(HeuristicExtractor::isCjk).count();
    return cjk > 0 ? s.length() < MIN_CHARS_CJK : s.length() < MIN_CHARS_LATIN;
  }

  static boolean isQuestion(String s) {
    if (s.endsWith("?") || s.endsWith("？")) {
      return true;
    }
    if (QUESTION_START.matcher(s).find()) {
      return true;
    }
    return s.codePoints().anyMatch(HeuristicExtractor::isCjk) && QUESTION_JA.matcher(s).find();
  }

  private static Fact classify(String s) {
    if (FILLER.matcher(s).find()) {
      return null;
    }
    for (Kind k : KINDS) {
      for (Pattern p : k.patterns()) {
        if (p.matcher(s).find()) {
          return new Fact(s, k.type(), List.of(k.tag()), k.importance());
        }
      }
    }
    return null;
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replaceAll("[.。!！]+$", "").strip();
  }

  static boolean isCjk(int cp) {
    Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
    return sc == Character.UnicodeScript.HAN || sc == Character.UnicodeScript.HIRAGANA
        || sc == Character.UnicodeScript.KATAKANA;
  }

  /** The kinds' tags, for tests and docs. */
  static Set<String> tags() {
    Set<String> out = new LinkedHashSet<>();
    KINDS.forEach(k -> out.add(k.tag()));
    return out;
  }
}
