package dev.memorymcp.storage.qdrant;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.range;

import dev.memorymcp.bus.Filters;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Range;

/**
 * {@link Filters} as a Qdrant filter with the meaning of {@link Filters#test} and FilterSql: types
 * any of, tags every one of (one keyword match on the tags array per tag), created_at bounds,
 * minimum importance / confidence, expired memories out unless asked (no expires_at, or one after
 * now), scope ids any of (an empty list matches nothing). Absent fields never match a keyword condition, as NULL never equals in SQL.
 */
final class QdrantFilters {
  private QdrantFilters() {}

  static Filter of(Filters f, long now) {
    Filter.Builder b = Filter.newBuilder();
    if (!f.types().isEmpty()) {
      b.addMust(matchKeywords("type", f.types()));
    }
    keyword(b, "scope", f.scope());
    keyword(b, "scope_id", f.scopeId());
    if (f.scopeIds() != null) {
      if (f.scopeIds().isEmpty()) { // no scope id allowed: a condition and its negation match nothing
        b.addMust(matchKeyword("scope_id", "")).addMustNot(matchKeyword("scope_id", ""));
      } else {
        b.addMust(matchKeywords("scope_id", f.scopeIds()));
      }
    }
    f.tags().forEach(t -> b.addMust(matchKeyword("tags", t)));
    keyword(b, "category", f.category());
    keyword(b, "session_id", f.sessionId());
    if (f.since() != null) {
      b.addMust(range("created_at", Range.newBuilder().setGte(f.since()).build()));
    }
    if (f.until() != null) {
      b.addMust(range("created_at", Range.newBuilder().setLte(f.until()).build()));
    }
    if (f.minImportance() != null) {
      b.addMust(range("importance", Range.newBuilder().setGte(f.minImportance()).build()));
    }
    if (f.minConfidence() != null) {
      b.addMust(range("confidence", Range.newBuilder().setGte(f.minConfidence()).build()));
    }
    if (!f.includeExpired()) {
      b.addMust(notExpired(now));
    }
    return b.build();
  }

  static Condition notExpired(long now) {
    return filter(Filter.newBuilder().addShould(isEmpty("expires_at"))
        .addShould(range("expires_at", Range.newBuilder().setGt(now).build())).build());
  }

  private static void keyword(Filter.Builder b, String key, String v) {
    if (v != null) {
      b.addMust(matchKeyword(key, v));
    }
  }
}
