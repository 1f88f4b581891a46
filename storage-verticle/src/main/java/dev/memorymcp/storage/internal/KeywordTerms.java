package dev.memorymcp.storage.internal;

import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.storage.MemoryStore.Scored;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyword terms sorted by the index that can answer them, and the fusion of the per-index results.
 * Latin-script terms go to the unicode61/porter table; terms with Han, Hiragana or Katakana go to
 * the trigram table when they have at least three characters, else to the CJK gram table; Japanese
 * words (Kuromoji) go to the word table.
 */
public record KeywordTerms(List<String> latin, List<String> cjk, List<String> shortCjk, List<String> japaneseWords) {

  public static KeywordTerms of(KeywordQuery query) {
    KeywordTerms t = of(query.terms());
    List<String> words = new ArrayList<>();
    query.words().stream().map(String::strip).filter(w -> !w.isEmpty()).forEach(w -> add(words, w));
    return new KeywordTerms(t.latin, t.cjk, t.shortCjk, words);
  }

  public static KeywordTerms of(List<String> terms) {
    List<String> latin = new ArrayList<>();
    List<String> cjk = new ArrayList<>();
    List<String> shortCjk = new ArrayList<>();
    for (String raw : terms) {
      String t = raw == null ? "" : raw.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (hasCjk(t)) {
        add(t.codePointCount(0, t.length()) >= 3 ? cjk : shortCjk, t);
      } else if (t.codePoints().anyMatch(Character::isLetterOrDigit)) {
        add(latin, t);
      }
    }
    return new KeywordTerms(latin, cjk, shortCjk, List.of());
  }

  /** The same terms without the Latin-script ones (answered elsewhere). */
  public KeywordTerms withoutLatin() {
    return new KeywordTerms(List.of(), cjk, shortCjk, japaneseWords);
  }

  public boolean isEmpty() {
    return latin.isEmpty() && cjk.isEmpty() && shortCjk.isEmpty() && japaneseWords.isEmpty();
  }

  public static boolean hasCjk(String s) {
    return s.codePoints().anyMatch(CjkGrams::isCjk);
  }

  /** An FTS5 MATCH expression: the terms as quoted phrases joined by OR. */
  public static String matchExpression(List<String> terms) {
    StringBuilder sb = new StringBuilder();
    for (String t : terms) {
      if (sb.length() > 0) {
        sb.append(" OR ");
      }
      sb.append('"').append(t.replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }

  /**
   * Sums the lists after dividing each list's scores by its best score (so each lies in (0, 1]);
   * returns the top {@code k}, best first. Scores must be higher-is-better and positive.
   */
  public static List<Scored> fuse(List<List<Scored>> lists, int k) {
    Map<String, Double> sum = new LinkedHashMap<>();
    for (List<Scored> list : lists) {
      double max = list.stream().mapToDouble(Scored::score).max().orElse(1.0);
      for (Scored s : list) {
        sum.merge(s.id(), s.score() / max, Double::sum);
      }
    }
    return sum.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .limit(k)
        .map(e -> new Scored(e.getKey(), e.getValue()))
        .toList();
  }

  private static void add(List<String> list, String t) {
    if (!list.contains(t)) {
      list.add(t);
    }
  }
}
