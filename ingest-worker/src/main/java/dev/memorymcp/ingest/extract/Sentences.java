package dev.memorymcp.ingest.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Splits a chat message into sentences, English and Japanese, keeping each one verbatim (only
 * trimmed). A sentence ends at a newline, after 「。！？．」, after ASCII {@code . ! ?} followed by
 * white space or the end, and after ASCII {@code ! ?} followed directly by Japanese text. Fenced
 * code blocks and quoted lines ({@code > …}, usually the assistant's words) are not sentences of
 * the user's; a leading list marker ({@code - }, {@code * }, {@code 1. }, {@code ・}) is dropped.
 */
final class Sentences {
  private static final Pattern LINES = Pattern.compile("\\R");
  private static final Pattern LIST_MARKER = Pattern.compile("^(?:[-*+•]\\s+|・\\s*|\\d{1,3}[.)]\\s+)");
  private static final String CJK_ENDS = "。！？．";
  private static final String LATIN_ENDS = ".!?";
  /** Closing quotes and brackets stay with the sentence they close. */
  private static final String CLOSERS = "\"'’”)]}」』）】";
  /** "Dr. Sato" is one sentence; "etc." often ends one, so it is not listed. */
  private static final Set<String> ABBREVIATIONS =
      Set.of("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "e.g", "i.e", "approx", "cf");

  private Sentences() {}

  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    boolean inFence = false;
    for (String line : LINES.split(text)) {
      String t = line.strip();
      if (t.startsWith("```") || t.startsWith("~~~")) {
        inFence = !inFence;
        continue;
      }
      if (inFence || t.startsWith(">")) {
        continue;
      }
      splitLine(LIST_MARKER.matcher(t).replaceFirst(""), out);
    }
    return out;
  }

  private static void splitLine(String line, List<String> out) {
    int n = line.length();
    int start = 0;
    int i = 0;
    while (i < n) {
      char c = line.charAt(i);
      if (CJK_ENDS.indexOf(c) >= 0) {
        int end = skipClosers(line, i + 1);
        add(line.substring(start, end), out);
        start = i = end;
      } else if (LATIN_ENDS.indexOf(c) >= 0) {
        int j = i + 1;
        while (j < n && LATIN_ENDS.indexOf(line.charAt(j)) >= 0) {
          j++;
        }
        int end = skipClosers(line, j);
        boolean boundary = end >= n || Character.isWhitespace(line.charAt(end))
            || (c != '.' && isCjk(line.codePointAt(end))); // "最高!次は…": no space in Japanese
        if (boundary && !(c == '.' && j == i + 1 && abbreviation(line, start, i))) {
          add(line.substring(start, end), out);
          start = i = end;
        } else {
          i = j;
        }
      } else {
        i++;
      }
    }
    add(line.substring(start), out);
  }

  private static int skipClosers(String s, int i) {
    while (i < s.length() && CLOSERS.indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return i;
  }

  /** Whether the word ending at {@code dot} is an abbreviation such as "Dr" or "e.g". */
  private static boolean abbreviation(String s, int from, int dot) {
    int b = dot;
    while (b > from && (Character.isLetter(s.charAt(b - 1)) || s.charAt(b - 1) == '.')) {
      b--;
    }
    return b < dot && ABBREVIATIONS.contains(s.substring(b, dot).toLowerCase(Locale.ROOT));
  }

  private static void add(String s, List<String> out) {
    String t = s.strip();
    if (!t.isEmpty()) {
      out.add(t);
    }
  }

  static boolean isCjk(int cp) {
    Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
    return sc == Character.UnicodeScript.HAN || sc == Character.UnicodeScript.HIRAGANA
        || sc == Character.UnicodeScript.KATAKANA;
  }

  static boolean hasCjk(String s) {
    return s.codePoints().anyMatch(Sentences::isCjk);
  }
}
