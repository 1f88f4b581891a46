package dev.memorymcp.storage.internal;

/**
 * Martin Porter's 1980 stemming algorithm, the one SQLite's FTS5 {@code porter} tokenizer applies,
 * so the Qdrant store's keyword terms stem like the SQLite store's ("deploying" and "deployed" both
 * become "deploi"). Input is one lower-case ASCII word; anything else is returned unchanged.
 */
final class PorterStemmer {
  private char[] b;
  private int k;
  private int j;

  private PorterStemmer() {}

  static String stem(String word) {
    if (word.length() <= 2 || !word.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
      return word;
    }
    PorterStemmer s = new PorterStemmer();
    s.b = word.toCharArray();
    s.k = word.length() - 1;
    s.step1ab();
    if (s.k > 0) {
      s.step1c();
      s.step2();
      s.step3();
      s.step4();
      s.step5();
    }
    return new String(s.b, 0, s.k + 1);
  }

  private boolean cons(int i) {
    switch (b[i]) {
      case 'a', 'e', 'i', 'o', 'u':
        return false;
      case 'y':
        return i == 0 || !cons(i - 1);
      default:
        return true;
    }
  }

  /** The number of consonant-vowel sequences between 0 and j. */
  private int m() {
    int n = 0;
    int i = 0;
    while (true) {
      if (i > j) {
        return n;
      }
      if (!cons(i)) {
        break;
      }
      i++;
    }
    i++;
    while (true) {
      while (true) {
        if (i > j) {
          return n;
        }
        if (cons(i)) {
          break;
        }
        i++;
      }
      i++;
      n++;
      while (true) {
        if (i > j) {
          return n;
        }
        if (!cons(i)) {
          break;
        }
        i++;
      }
      i++;
    }
  }

  private boolean vowelInStem() {
    for (int i = 0; i <= j; i++) {
      if (!cons(i)) {
        return true;
      }
    }
    return false;
  }

  private boolean doublec(int i) {
    return i >= 1 && b[i] == b[i - 1] && cons(i);
  }

  private boolean cvc(int i) {
    if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) {
      return false;
    }
    char ch = b[i];
    return ch != 'w' && ch != 'x' && ch != 'y';
  }

  private boolean ends(String s) {
    int l = s.length();
    int o = k - l + 1;
    if (o < 0) {
      return false;
    }
    for (int i = 0; i < l; i++) {
      if (b[o + i] != s.charAt(i)) {
        return false;
      }
    }
    j = k - l;
    return true;
  }

  private void setto(String s) {
    int l = s.length();
    int o = j + 1;
    if (o + l > b.length) {
      b = java.util.Arrays.copyOf(b, o + l);
    }
    for (int i = 0; i < l; i++) {
      b[o + i] = s.charAt(i);
    }
    k = j + l;
  }

  private void r(String s) {
    if (m() > 0) {
      setto(s);
    }
  }

  private void step1ab() {
    if (b[k] == 's') {
      if (ends("sses")) {
        k -= 2;
      } else if (ends("ies")) {
        setto("i");
      } else if (b[k - 1] != 's') {
        k--;
      }
    }
    if (ends("eed")) {
      if (m() > 0) {
        k--;
      }
    } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
      k = j;
      if (ends("at")) {
        setto("ate");
      } else if (ends("bl")) {
        setto("ble");
      } else if (ends("iz")) {
        setto("ize");
      } else if (doublec(k)) {
        k--;
        char ch = b[k];
        if (ch == 'l' || ch == 's' || ch == 'z') {
          k++;
        }
      } else if (m() == 1 && cvc(k)) {
        setto("e");
      }
    }
  }

  private void step1c() {
    if (ends("y") && vowelInStem()) {
      b[k] = 'i';
    }
  }

  private static final String[][] STEP2 = {
      {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"izer", "ize"},
      {"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"},
      {"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"}, {"alism", "al"}, {"iveness", "ive"},
      {"fulness", "ful"}, {"ousness", "ous"}, {"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"},
      {"logi", "log"}};

  private void step2() {
    for (String[] rule : STEP2) {
      if (ends(rule[0])) {
        r(rule[1]);
        return;
      }
    }
  }

  private static final String[][] STEP3 = {
      {"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"},
      {"ful", ""}, {"ness", ""}};

  private void step3() {
    for (String[] rule : STEP3) {
      if (ends(rule[0])) {
        r(rule[1]);
        return;
      }
    }
  }

  private static final String[] STEP4 = {"al", "ance", "ence", "er", "ic", "able", "ible", "ant",
      "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"};

  private void step4() {
    if (k < 1) {
      return;
    }
    for (String suffix : STEP4) {
      if (ends(suffix)) {
        if (suffix.equals("ion") && !(j >= 0 && (b[j] == 's' || b[j] == 't'))) {
          return;
        }
        if (m() > 1) {
          k = j;
        }
        return;
      }
    }
  }

  private void step5() {
    j = k;
    if (b[k] == 'e') {
      int a = m();
      if (a > 1 || a == 1 && !cvc(k - 1)) {
        k--;
      }
    }
    if (b[k] == 'l' && doublec(k) && m() > 1) {
      k--;
    }
  }
}
