package dev.memorymcp.gateway;

import dev.memorymcp.bus.MemoryException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/** Query-string parameters turned into the same JSON the POST bodies use, so one parser validates both. */
final class QueryParams {
  private QueryParams() {}

  /** Filters from ?type=a,b&tags=x,y&since=...&min_importance=0.5 ... */
  static JsonObject filters(MultiMap p) {
    JsonObject f = new JsonObject();
    list(p, "type", f, "types");
    list(p, "types", f, "types");
    list(p, "tags", f, "tags");
    list(p, "scope_ids", f, "scope_ids");
    for (String k : new String[] {"scope", "scope_id", "category", "since", "until", "session_id"}) {
      if (p.get(k) != null) {
        f.put(k, p.get(k));
      }
    }
    number(p, "min_importance", f);
    number(p, "min_confidence", f);
    bool(p, "include_expired", f);
    return f;
  }

  static void list(MultiMap p, String key, JsonObject out, String as) {
    String v = p.get(key);
    if (v != null) {
      out.put(as, new JsonArray(Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
    }
  }

  /** Copies a text parameter when present (the handler behind checks it and names it in errors). */
  static void text(MultiMap p, String key, JsonObject out) {
    if (p.get(key) != null) {
      out.put(key, p.get(key));
    }
  }

  static void number(MultiMap p, String key, JsonObject out) {
    String v = p.get(key);
    if (v != null) {
      try {
        out.put(key, Double.parseDouble(v));
      } catch (NumberFormatException e) {
        throw MemoryException.invalidField(key, "must be a number, got '" + v + "'");
      }
    }
  }

  static void integer(MultiMap p, String key, JsonObject out) {
    String v = p.get(key);
    if (v != null) {
      try {
        out.put(key, Integer.parseInt(v.trim()));
      } catch (NumberFormatException e) {
        throw MemoryException.invalidField(key, "must be an integer, got '" + v + "'");
      }
    }
  }

  static void bool(MultiMap p, String key, JsonObject out) {
    String v = p.get(key);
    if (v != null) {
      if (!v.equals("true") && !v.equals("false")) {
        throw MemoryException.invalidField(key, "must be true or false");
      }
      out.put(key, Boolean.parseBoolean(v));
    }
  }
}
