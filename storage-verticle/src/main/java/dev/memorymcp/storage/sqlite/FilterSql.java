package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Filters;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Filters} as SQL over the memories alias {@code m}, with the same meaning as
 * {@link Filters#test}: types any of, tags every one of (tags are a JSON array), created_at bounds,
 * minimum importance / confidence, expired rows out unless {@code includeExpired}, scope ids any
 * of (an empty list matches no row).
 */
final class FilterSql {
  private FilterSql() {}

  /** A fragment starting with " AND" (or empty) and its parameters, in order. */
  record Clause(String sql, List<Object> params) {}

  static Clause of(Filters f, long now) {
    StringBuilder sql = new StringBuilder();
    List<Object> params = new ArrayList<>();
    if (!f.types().isEmpty()) {
      String types = new JsonArray(List.copyOf(f.types())).encode();
      add(sql, params, " AND m.type IN " + SqlQueries.IDS, types);
    }
    add(sql, params, " AND m.scope = ?", f.scope());
    add(sql, params, " AND m.scope_id = ?", f.scopeId());
    if (f.scopeIds() != null) {
      if (f.scopeIds().isEmpty()) {
        sql.append(" AND 0");
      } else {
        add(sql, params, " AND m.scope_id IN " + SqlQueries.IDS, new JsonArray(f.scopeIds()).encode());
      }
    }
    for (String tag : f.tags()) {
      add(sql, params, " AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = ?)", tag);
    }
    add(sql, params, " AND m.category = ?", f.category());
    add(sql, params, " AND m.created_at >= ?", f.since());
    add(sql, params, " AND m.created_at <= ?", f.until());
    add(sql, params, " AND m.importance >= ?", f.minImportance());
    add(sql, params, " AND m.confidence >= ?", f.minConfidence());
    add(sql, params, " AND m.session_id = ?", f.sessionId());
    if (!f.includeExpired()) {
      add(sql, params, " AND (m.expires_at IS NULL OR m.expires_at > ?)", now);
    }
    return new Clause(sql.toString(), params);
  }

  private static void add(StringBuilder sql, List<Object> params, String fragment, Object value) {
    if (value != null) {
      sql.append(fragment);
      params.add(value);
    }
  }
}
