package dev.memorymcp.bus;

import java.util.regex.Pattern;

/** Namespace names (persona / user / org): the hard tenant boundary. */
public final class Namespaces {
  private Namespaces() {}

  public static final String DEFAULT = "default";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Validates a namespace from a header or path; null or blank means the default. */
  public static String check(String field, String ns) {
    if (ns == null || ns.isBlank()) {
      return DEFAULT;
    }
    if (!NAME.matcher(ns).matches()) {
      throw MemoryException.invalidField(field,
          "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return ns;
  }
}
