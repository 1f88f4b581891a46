package dev.memorymcp.storage.dedupe;

import dev.memorymcp.bus.text.Scripts;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** Surface-level text comparison: works the same for any script and any embedding model. */
public final class Lexical {
  private Lexical() {}

  /** NFKC, lower case, punctuation dropped, white space folded. */
  static String normalize(String s) {
    String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder(n.length());
    boolean space = false;
    for (int i = 0; i < n.length(); ) {
      int cp = n.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp) || cp == '.' && b.length() > 0 && Character.isDigit(b.charAt(b.length() - 1))) {
        b.appendCodePoint(cp);
        space = false;
      } else if (!space && b.length() > 0) {
        b.append(' ');
        space = true;
      }
    }
    return b.toString().strip();
  }

  static Set<String> trigrams(String normalized) {
    Set<String> out = new HashSet<>();
    String s = " " + normalized + " ";
    int[] cps = s.codePoints().toArray();
    for (int i = 0; i + 3 <= cps.length; i++) {
      out.add(new String(cps, i, 3));
    }
    return out;
  }

  /** Dice coefficient of character trigrams: 1 for identical text (after normalisation), 0 for nothing shared. */
  public static double similarity(String a, String b) {
    Set<String> ta = trigrams(normalize(a));
    Set<String> tb = trigrams(normalize(b));
    if (ta.isEmpty() && tb.isEmpty()) {
      return 1.0;
    }
    int shared = 0;
    for (String t : ta) {
      if (tb.contains(t)) {
        shared++;
      }
    }
    return 2.0 * shared / (ta.size() + tb.size());
  }

  /** Words (Latin script) and single characters (CJK): the units of information a merge must keep. */
  public static Set<String> units(String s) {
    return new HashSet<>(sequence(s));
  }

  /** The units in the order the text says them. */
  public static java.util.List<String> sequence(String s) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder w = new StringBuilder();
    String n = normalize(s);
    for (int i = 0; i < n.length(); ) {
      int cp = n.codePointAt(i);
      i += Character.charCount(cp);
      if (Scripts.isCjk(cp)) {
        flush(w, out);
        out.add(new String(Character.toChars(cp)));
      } else if (Character.isLetterOrDigit(cp) || cp == '.') {
        w.appendCodePoint(cp);
      } else {
        flush(w, out);
      }
    }
    flush(w, out);
    return out;
  }

  /**
   * Whether {@code part} appears in {@code whole} in the same order (not necessarily adjacent): "the
   * fish follows the turtle" is not in order within "the turtle follows the fish", though every word is.
   */
  public static boolean inOrder(java.util.List<String> part, java.util.List<String> whole) {
    int j = 0;
    for (String u : part) {
      while (j < whole.size() && !whole.get(j).equals(u)) {
        j++;
      }
      if (j == whole.size()) {
        return false;
      }
      j++;
    }
    return true;
  }

  private static void flush(StringBuilder w, java.util.Collection<String> out) {
    String t = w.toString().replaceAll("^\\.+|\\.+$", "");
    if (!t.isEmpty()) {
      out.add(t);
    }
    w.setLength(0);
  }

  /**
   * Tokens that pin a statement to specific facts: numbers and versions, names (capitalised or
   * camel-case words not opening a sentence, acronyms), katakana words and Latin words inside CJK
   * text. Two statements on the same frame whose key tokens differ both ways contradict.
   */
  public static Set<String> keyTokens(String s) {
    Set<String> out = new LinkedHashSet<>();
    String text = Normalizer.normalize(s, Normalizer.Form.NFKC);
    boolean sentenceStart = true;
    boolean cjkText = Scripts.mostlyCjk(text);
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      Scripts.Kind k = Scripts.kind(cp);
      if (k == Scripts.Kind.LATIN && Character.isLetterOrDigit(cp)) {
        int j = i;
        while (j < text.length()) {
          int c = text.codePointAt(j);
          boolean inWord = Scripts.kind(c) == Scripts.Kind.LATIN && (Character.isLetterOrDigit(c)
              || (c == '.' || c == '-' || c == '_') && j + 1 < text.length()
              && Character.isLetterOrDigit(text.codePointAt(j + 1)));
          if (!inWord) {
            break;
          }
          j += Character.charCount(c);
        }
        String word = text.substring(i, j);
        if (isKey(word, sentenceStart, cjkText)) {
          out.add(word.toLowerCase(Locale.ROOT));
        }
        sentenceStart = false;
        i = j;
      } else if (k == Scripts.Kind.KATAKANA) {
        int j = i;
        while (j < text.length() && Scripts.kind(text.codePointAt(j)) == Scripts.Kind.KATAKANA) {
          j += Character.charCount(text.codePointAt(j));
        }
        if (j - i >= 2) {
          out.add(text.substring(i, j));
        }
        sentenceStart = false;
        i = j;
      } else {
        if (cp == '.' || cp == '!' || cp == '?' || cp == '\n' || cp == '。' || cp == ':') {
          sentenceStart = true;
        } else if (k != Scripts.Kind.SPACE && k != Scripts.Kind.OTHER) {
          sentenceStart = false;
        }
        i += Character.charCount(cp);
      }
    }
    return out;
  }

  private static boolean isKey(String word, boolean sentenceStart, boolean cjkText) {
    if (word.chars().anyMatch(Character::isDigit)) {
      return true;
    }
    if (cjkText) {
      return true;
    }
    boolean upperFirst = Character.isUpperCase(word.codePointAt(0));
    long uppers = word.chars().filter(Character::isUpperCase).count();
    if (uppers >= 2) {
      return true; // PostgreSQL, AWS, iOS-like camel case
    }
    return upperFirst && !sentenceStart && word.length() > 1;
  }
}
