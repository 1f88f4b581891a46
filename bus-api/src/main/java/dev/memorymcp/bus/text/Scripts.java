package dev.memorymcp.bus.text;

/** Which writing system text is in: decides how it is tokenised and whether an English-only model covers it. */
public final class Scripts {
  private Scripts() {}

  public enum Kind { LATIN, HAN, HIRAGANA, KATAKANA, HANGUL, OTHER, SPACE }

  public static Kind kind(int cp) {
    if (Character.isWhitespace(cp)) {
      return Kind.SPACE;
    }
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return switch (s) {
      case HAN -> Kind.HAN;
      case HIRAGANA -> Kind.HIRAGANA;
      case KATAKANA -> cp == 0x30FB ? Kind.OTHER : Kind.KATAKANA; // 0x30FB is the middle dot
      case HANGUL -> Kind.HANGUL;
      case LATIN -> Kind.LATIN;
      case COMMON -> cp == 0x30FC ? Kind.KATAKANA : (Character.isLetterOrDigit(cp) ? Kind.LATIN : Kind.OTHER);
      default -> Character.isLetterOrDigit(cp) ? Kind.LATIN : Kind.OTHER;
    };
  }

  public static boolean isCjk(int cp) {
    Kind k = kind(cp);
    return k == Kind.HAN || k == Kind.HIRAGANA || k == Kind.KATAKANA || k == Kind.HANGUL;
  }

  /** Share of letters that are CJK (0 for text without letters). */
  public static double cjkRatio(String text) {
    int letters = 0;
    int cjk = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (isCjk(cp)) {
        cjk++;
        letters++;
      } else if (Character.isLetter(cp)) {
        letters++;
      }
    }
    return letters == 0 ? 0.0 : (double) cjk / letters;
  }

  /** True when an English-only embedding model cannot be trusted on this text. */
  public static boolean mostlyCjk(String text) {
    return cjkRatio(text) >= 0.3;
  }
}
