package dev.memorymcp.storage.internal;

import java.util.List;

/**
 * The CJK unigram / bigram index {@code memories_fts_cjk} that answers CJK terms of one or two
 * characters. Each gram is stored as a token of 6 lowercase hex digits per code point (tokenizer
 * {@code ascii}), so matching is exact: unicode61 would fold case in mixed grams such as "A東" and
 * split grams holding punctuation such as "東。". Unigrams are the CJK characters; bigrams are the
 * adjacent pairs (within one field or tag) with a CJK character and no whitespace, i.e. every
 * string a short CJK term can be.
 */
public final class CjkGrams {
  private CjkGrams() {}

  public static boolean isCjk(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA;
  }

  /** The index token of a term of one or two code points. */
  public static String token(String term) {
    StringBuilder sb = new StringBuilder(12);
    term.codePoints().forEach(cp -> hex(sb, cp));
    return sb.toString();
  }

  /** The space-separated gram tokens of a memory's text, or "" when it has no CJK character. */
  public static String of(String name, String content, String summary, List<String> tags) {
    StringBuilder sb = new StringBuilder();
    add(sb, name);
    add(sb, content);
    add(sb, summary);
    if (tags != null) {
      for (String t : tags) {
        add(sb, t);
      }
    }
    return sb.toString();
  }

  private static void add(StringBuilder sb, String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    int prev = -1;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      boolean cjk = isCjk(cp);
      if (cjk) {
        gram(sb, cp, -1);
      }
      if (prev >= 0 && !Character.isWhitespace(prev) && !Character.isWhitespace(cp)
          && (cjk || isCjk(prev))) {
        gram(sb, prev, cp);
      }
      prev = cp;
    }
  }

  private static void gram(StringBuilder sb, int first, int second) {
    if (sb.length() > 0) {
      sb.append(' ');
    }
    hex(sb, first);
    if (second >= 0) {
      hex(sb, second);
    }
  }

  private static void hex(StringBuilder sb, int cp) {
    String h = Integer.toHexString(cp);
    for (int i = h.length(); i < 6; i++) {
      sb.append('0');
    }
    sb.append(h);
  }
}
