package dev.memorymcp.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Typed reads from untrusted JSON: every wrong type or range is a 400 that names the field. */
public final class Fields {
  private Fields() {}

  public static String optString(JsonObject j, String field, int maxLength) {
    Object v = j.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw MemoryException.invalidField(field, "must be a string");
    }
    if (s.length() > maxLength) {
      throw MemoryException.invalidField(field, "longer than " + maxLength + " characters");
    }
    checkUnicode(field, s);
    return s;
  }

  /**
   * Refuses a lone UTF-16 surrogate (JSON can carry one as {@code "\ud800"}): it is not text, cannot be
   * stored as UTF-8 faithfully and broke the token counter later (found by the fuzz suite).
   */
  public static void checkUnicode(String field, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw MemoryException.invalidField(field, "is not valid Unicode text (a lone surrogate at character " + i + ")");
      }
    }
  }

  public static String requireString(JsonObject j, String field, int maxLength) {
    String s = optString(j, field, maxLength);
    if (s == null || s.isBlank()) {
      throw MemoryException.invalidField(field, "is required and must not be empty");
    }
    return s;
  }

  public static String optEnum(JsonObject j, String field, Set<String> allowed) {
    String s = optString(j, field, 64);
    if (s != null && !allowed.contains(s)) {
      throw MemoryException.invalidField(field, "must be one of " + allowed);
    }
    return s;
  }

  /** A number in [0, 1], or null when absent. */
  public static Double optUnit(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      throw MemoryException.invalidField(field, "must be a number between 0 and 1");
    }
    double d = n.doubleValue();
    if (!(d >= 0.0 && d <= 1.0)) {
      throw MemoryException.invalidField(field, "must be between 0 and 1, got " + d);
    }
    return d;
  }

  public static Integer optInt(JsonObject j, String field, int min, int max) {
    Object v = j.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw MemoryException.invalidField(field, "must be an integer");
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw MemoryException.invalidField(field, "must be between " + min + " and " + max);
    }
    return (int) l;
  }

  public static Boolean optBool(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean b)) {
      throw MemoryException.invalidField(field, "must be true or false");
    }
    return b;
  }

  public static JsonObject optObject(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw MemoryException.invalidField(field, "must be a JSON object");
    }
    return o;
  }

  public static JsonArray optArray(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw MemoryException.invalidField(field, "must be an array");
    }
    return a;
  }

  /** A list of non-empty strings, trimmed, without duplicates. */
  public static List<String> optStrings(JsonObject j, String field, int maxItems, int maxLength) {
    JsonArray a = optArray(j, field);
    if (a == null) {
      return null;
    }
    if (a.size() > maxItems) {
      throw MemoryException.invalidField(field, "at most " + maxItems + " items");
    }
    List<String> out = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof String s) || s.isBlank() || s.length() > maxLength) {
        throw MemoryException.invalidField(field,
            "items must be non-empty strings of at most " + maxLength + " characters");
      }
      checkUnicode(field, s);
      String t = s.trim();
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /** An ISO-8601 instant (or date-time with offset) as epoch milliseconds, or null. */
  public static Long optInstant(JsonObject j, String field) {
    String s = optString(j, field, 64);
    return s == null ? null : parseInstant(field, s);
  }

  public static long parseInstant(String field, String s) {
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(s).toInstant().toEpochMilli();
      } catch (DateTimeParseException e2) {
        try {
          return java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e3) {
          throw MemoryException.invalidField(field, "must be an ISO-8601 time such as 2026-01-31T12:00:00Z");
        }
      }
    }
  }

  /** Rejects keys the caller did not mean to send (typos would otherwise be silently ignored). */
  public static void rejectUnknown(JsonObject j, Set<String> known) {
    for (String k : j.fieldNames()) {
      if (!known.contains(k)) {
        throw MemoryException.invalidField(k, "unknown field; expected one of " + new java.util.TreeSet<>(known));
      }
    }
  }

  public static String iso(Long epochMs) {
    return epochMs == null ? null : Instant.ofEpochMilli(epochMs).toString();
  }
}
