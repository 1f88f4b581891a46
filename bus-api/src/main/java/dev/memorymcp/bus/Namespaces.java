package dev.memorymcp.bus;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * Namespace names (persona / user / org): the hard tenant boundary. Unicode letters and digits
 * are allowed ({@code ニロウ}, {@code zoë}), normalised to NFC so that the same name typed two ways
 * is one namespace; separators, slashes, spaces and control characters are not, so a name can
 * never be read as a path.
 */
public final class Namespaces {
  private Namespaces() {}

  public static final String DEFAULT = "default";
  /** Most code points in a name. */
  public static final int MAX_LENGTH = 64;
  /** Most namespaces one listing counts (GET /api/v1/namespaces; beyond it the answer says truncated). */
  public static final int MAX_LISTED = 500;
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}._-]*");
  private static final Pattern ASCII_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** Validates and normalises a namespace from a header or path; null or blank means the default. */
  public static String check(String field, String ns) {
    if (ns == null || ns.isBlank()) {
      return DEFAULT;
    }
    String n = Normalizer.normalize(ns, Normalizer.Form.NFC);
    if (n.codePointCount(0, n.length()) > MAX_LENGTH || !NAME.matcher(n).matches()) {
      throw MemoryException.invalidField(field, "must be 1-" + MAX_LENGTH + " letters or digits (any script, "
          + "e.g. ニロウ) or '.', '_', '-', starting with a letter or digit");
    }
    return n;
  }

  /** Whether the name is plain ASCII (older stores and external systems name it as is). */
  public static boolean isAscii(String ns) {
    return ASCII_NAME.matcher(ns).matches();
  }
}
