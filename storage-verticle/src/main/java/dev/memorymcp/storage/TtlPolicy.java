package dev.memorymcp.storage;

import dev.memorymcp.bus.Memory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Default lifetimes per memory type ({@code ttl.days_by_type}, e.g. {@code work=30,decision=365}):
 * a memory stored without {@code expires_at} gets one from its type, counted from when it is
 * stored (not from an imported {@code created_at}, which would make old notes vanish on import).
 * An explicit {@code expires_at} always wins; a type not listed never expires.
 */
record TtlPolicy(Map<String, Long> daysByType) {
  static final TtlPolicy NONE = new TtlPolicy(Map.of());

  /** Parses "type=days,…"; a bad entry is a configuration error naming the setting. */
  static TtlPolicy parse(String spec) {
    Map<String, Long> days = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] kv = part.split("=", 2);
      String type = kv[0].strip();
      if (kv.length != 2 || !Memory.TYPES.contains(type)) {
        throw new IllegalArgumentException("MEMORY_MCP_TTL_DAYS_BY_TYPE: '" + part.strip()
            + "' must be type=days with a type among " + Memory.TYPES);
      }
      try {
        long d = Long.parseLong(kv[1].strip());
        if (d < 1 || d > 36_500) {
          throw new NumberFormatException();
        }
        days.put(type, d);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("MEMORY_MCP_TTL_DAYS_BY_TYPE: days for " + type
            + " must be a whole number from 1 to 36500, got '" + kv[1].strip() + "'");
      }
    }
    return new TtlPolicy(Map.copyOf(days));
  }

  /** The explicit expiry, else the type's default from {@code now}, else null (never). */
  Long expiresAt(String type, Long explicit, long now) {
    if (explicit != null) {
      return explicit;
    }
    Long d = daysByType.get(type);
    return d == null ? null : now + d * 86_400_000L;
  }
}
