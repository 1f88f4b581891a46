package dev.memorymcp.bus.text;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What keyword search looks for: {@code terms} ({@link QueryTerms}: Latin words and CJK script runs,
 * matched by the stemmed-word and character n-gram indexes) and {@code words} (Kuromoji's Japanese
 * words, {@link JapaneseWords}, matched by the Japanese word index). Either may be empty.
 */
public record KeywordQuery(List<String> terms, List<String> words) {

  /** How Japanese text is matched: word index, n-gram indexes, or both (fused). */
  public enum Japanese {
    WORDS, NGRAMS, BOTH;

    /** "words" | "ngrams" | "both"; anything else throws naming the setting. */
    public static Japanese parse(String setting, String v) {
      for (Japanese j : values()) {
        if (j.name().equalsIgnoreCase(v == null ? "" : v.strip())) {
          return j;
        }
      }
      throw new IllegalArgumentException(setting + " must be words, ngrams or both, not '" + v + "'");
    }
  }

  /** The most terms and words one query sends, and their longest length (the storage bus limits). */
  public static final int MAX_ITEMS = 64;
  public static final int MAX_LENGTH = 200;

  public KeywordQuery {
    terms = List.copyOf(terms);
    words = List.copyOf(words);
  }

  /** At most {@link #MAX_ITEMS} items, each cut to {@link #MAX_LENGTH} characters without splitting a code point. */
  static List<String> bounded(List<String> items) {
    List<String> out = new ArrayList<>();
    for (String t : items) {
      if (out.size() == MAX_ITEMS) {
        break;
      }
      String cut = t.length() <= MAX_LENGTH ? t
          : t.substring(0, Character.isHighSurrogate(t.charAt(MAX_LENGTH - 1)) ? MAX_LENGTH - 1 : MAX_LENGTH);
      if (!out.contains(cut)) {
        out.add(cut);
      }
    }
    return out;
  }

  /** Terms only (callers that have no text, and tests). */
  public static KeywordQuery ofTerms(List<String> terms) {
    return new KeywordQuery(terms, List.of());
  }

  /** Both kinds from a text, with stop words removed when {@code removeStopWords}. */
  public static KeywordQuery of(String text, boolean removeStopWords) {
    return of(text, removeStopWords, Japanese.BOTH);
  }

  /**
   * From a text, Japanese matched as {@code japanese} says: WORDS drops the CJK script runs from the
   * terms (Latin words stay), NGRAMS sends no words.
   */
  public static KeywordQuery of(String text, boolean removeStopWords, Japanese japanese) {
    List<String> terms = QueryTerms.of(text, removeStopWords);
    if (japanese == Japanese.WORDS) {
      terms = terms.stream().filter(t -> t.codePoints().noneMatch(Scripts::isCjk)).toList();
    }
    List<String> words = japanese == Japanese.NGRAMS ? new ArrayList<>()
        : new ArrayList<>(new LinkedHashSet<>(JapaneseWords.of(text)));
    if (removeStopWords) { // question words and pronouns Kuromoji keeps: どこ, 何, 私 …
      words.removeIf(QueryTerms.JAPANESE::contains);
    }
    return new KeywordQuery(bounded(terms), bounded(words));
  }

  public boolean isEmpty() {
    return terms.isEmpty() && words.isEmpty();
  }
}
