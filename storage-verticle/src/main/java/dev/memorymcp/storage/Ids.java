package dev.memorymcp.storage;

import java.security.SecureRandom;

/** Short random URL-safe ids: 14 base62 characters, about 83 bits. */
public final class Ids {
  private Ids() {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  public static String newId() {
    char[] c = new char[14];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }
}
