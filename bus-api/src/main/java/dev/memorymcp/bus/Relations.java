package dev.memorymcp.bus;

import java.util.regex.Pattern;

/** Relation types: the built-in ones the service writes itself, and any snake_case name callers choose. */
public final class Relations {
  private Relations() {}

  public static final String RELATED_TO = "related_to";
  public static final String SUPERSEDES = "supersedes";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public static String checkType(String field, String type) {
    if (!NAME.matcher(type).matches()) {
      throw MemoryException.invalidField(field, "must be a snake_case name such as related_to or supersedes");
    }
    return type;
  }
}
