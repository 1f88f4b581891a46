package dev.memorymcp.bus.text;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a query into keyword terms: Latin words lower-cased, CJK text split where the script
 * changes (kanji / katakana / hiragana runs), with English stop words and Japanese particles and
 * auxiliaries removed when asked. No morphological analyser is needed: the store matches CJK
 * terms by trigram or substring.
 */
public final class QueryTerms {
  private QueryTerms() {}

  static final Set<String> ENGLISH = Set.of(
      "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
      "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
      "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
      "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
      "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
      "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
      "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she",
      "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
      "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
      "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
      "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
      "yourselves", "s", "t", "don", "doesn", "didn", "ll", "ve", "re", "d", "m", "shall", "may",
      "might", "must", "also", "tell", "know", "remember", "recall", "anything", "something",
      "thing", "things", "get", "got", "let", "us", "please", "ever");

  static final Set<String> JAPANESE = Set.of(
      "は", "が", "を", "に", "の", "で", "と", "も", "へ", "や", "か", "ね", "よ", "な", "から",
      "まで", "より", "です", "ます", "でした", "ました", "だ", "だった", "って", "という", "こと",
      "もの", "ので", "のに", "けど", "けれど", "など", "には", "では", "とは", "ですか", "ますか",
      "でしょう", "ください", "について", "として", "ている", "ています", "てる", "した", "して",
      "する", "される", "いる", "ある", "ない", "何", "なに", "どこ", "いつ", "だれ", "誰", "どう",
      "どの", "どれ", "私", "僕", "俺", "あなた", "これ", "それ", "あれ", "この", "その", "あの");

  /** Distinct terms of the query in order; stop words dropped when {@code removeStopWords}. */
  public static List<String> of(String query, boolean removeStopWords) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    StringBuilder run = new StringBuilder();
    Scripts.Kind runKind = null;
    for (int i = 0; i < query.length(); ) {
      int cp = query.codePointAt(i);
      i += Character.charCount(cp);
      Scripts.Kind k = Scripts.kind(cp);
      boolean wordChar = k == Scripts.Kind.LATIN && (Character.isLetterOrDigit(cp) || cp == '_');
      boolean cjk = Scripts.isCjk(cp);
      Scripts.Kind kk = wordChar ? Scripts.Kind.LATIN : (cjk ? k : null);
      if (kk == null || kk != runKind) {
        flush(run, runKind, out, removeStopWords);
        runKind = kk;
      }
      if (kk != null) {
        run.appendCodePoint(cp);
      }
    }
    flush(run, runKind, out, removeStopWords);
    return new ArrayList<>(out);
  }

  static final String LEADING_PARTICLES = "はがをにのでともへやか";
  static final java.util.List<String> TRAILING = java.util.List.of("でしょうか", "ですか", "ますか",
      "でした", "ました", "です", "ます", "から", "まで", "より", "が", "を", "に", "の", "で", "と",
      "も", "へ", "や", "か", "ね", "よ", "は");

  /** Strips particles glued to a hiragana run: "はどうですか" → "どう". */
  static String trimParticles(String run) {
    String t = run;
    while (!t.isEmpty() && LEADING_PARTICLES.indexOf(t.charAt(0)) >= 0) {
      t = t.substring(1);
    }
    boolean cut = true;
    while (cut && !t.isEmpty()) {
      cut = false;
      for (String suffix : TRAILING) {
        if (t.endsWith(suffix) && t.length() > suffix.length()) {
          t = t.substring(0, t.length() - suffix.length());
          cut = true;
          break;
        }
      }
    }
    return t;
  }

  private static void flush(StringBuilder run, Scripts.Kind kind, Set<String> out, boolean stop) {
    if (run.length() == 0) {
      return;
    }
    String term = kind == Scripts.Kind.LATIN ? run.toString().toLowerCase(Locale.ROOT) : run.toString();
    run.setLength(0);
    if (stop && (ENGLISH.contains(term) || JAPANESE.contains(term))) {
      return;
    }
    if (stop && kind == Scripts.Kind.HIRAGANA) {
      term = trimParticles(term);
      if (term.length() <= 2 || JAPANESE.contains(term)) {
        return; // what is left of short hiragana runs is particles and verb endings
      }
    }
    out.add(term);
  }
}
