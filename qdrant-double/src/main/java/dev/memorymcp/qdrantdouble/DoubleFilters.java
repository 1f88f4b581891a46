package dev.memorymcp.qdrantdouble;

import static dev.memorymcp.qdrantdouble.DoubleState.unimplemented;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.List;
import java.util.Map;

/**
 * Qdrant's filter semantics (documentation: Filtering): a point passes when every {@code must}
 * condition holds, at least one {@code should} condition holds (if there are any) and no
 * {@code must_not} condition holds. A field condition on an array payload value holds when any
 * element satisfies it; a missing field satisfies no match or range. {@code is_empty} holds for a
 * missing field, null or an empty array; {@code is_null} for an explicit null. Match: keyword,
 * keywords (any of), integer, integers (any of), boolean. Range: lt / gt / gte / lte on numbers.
 * Everything else (full-text, geo, values count, datetime, nested, has_vector, min_should, nested
 * keys) fails with UNIMPLEMENTED.
 */
final class DoubleFilters {
  private DoubleFilters() {}

  static boolean test(Filter f, PointId id, Map<String, Value> payload) {
    if (f.hasMinShould()) {
      throw unimplemented("filter min_should");
    }
    for (Condition c : f.getMustList()) {
      if (!test(c, id, payload)) {
        return false;
      }
    }
    if (f.getShouldCount() > 0
        && f.getShouldList().stream().noneMatch(c -> test(c, id, payload))) {
      return false;
    }
    return f.getMustNotList().stream().noneMatch(c -> test(c, id, payload));
  }

  static boolean test(Condition c, PointId id, Map<String, Value> payload) {
    switch (c.getConditionOneOfCase()) {
      case FIELD:
        return field(c.getField(), payload);
      case IS_EMPTY: {
        Value v = payload.get(key(c.getIsEmpty().getKey()));
        return v == null || v.hasNullValue()
            || v.hasListValue() && v.getListValue().getValuesCount() == 0;
      }
      case IS_NULL: {
        Value v = payload.get(key(c.getIsNull().getKey()));
        return v != null && v.hasNullValue();
      }
      case HAS_ID:
        return c.getHasId().getHasIdList().stream()
            .anyMatch(x -> DoubleState.key(x).equals(DoubleState.key(id)));
      case FILTER:
        return test(c.getFilter(), id, payload);
      default:
        throw unimplemented("filter condition " + c.getConditionOneOfCase());
    }
  }

  private static String key(String key) {
    if (key.contains(".") || key.contains("[")) {
      throw unimplemented("nested payload keys (" + key + ")");
    }
    return key;
  }

  private static boolean field(FieldCondition f, Map<String, Value> payload) {
    if (f.hasGeoBoundingBox() || f.hasGeoRadius() || f.hasGeoPolygon() || f.hasValuesCount()
        || f.hasDatetimeRange() || f.hasIsEmpty() || f.hasIsNull()) {
      throw unimplemented("field condition other than match and range (key " + f.getKey() + ")");
    }
    if (f.hasMatch() == f.hasRange()) {
      throw unimplemented("a field condition with both or neither of match and range");
    }
    Value v = payload.get(key(f.getKey()));
    if (v == null) {
      return false;
    }
    List<Value> values = v.hasListValue() ? v.getListValue().getValuesList() : List.of(v);
    return f.hasMatch() ? values.stream().anyMatch(x -> match(f.getMatch(), x))
        : values.stream().anyMatch(x -> range(f.getRange(), x));
  }

  private static boolean match(Match m, Value v) {
    switch (m.getMatchValueCase()) {
      case KEYWORD:
        return v.hasStringValue() && v.getStringValue().equals(m.getKeyword());
      case KEYWORDS:
        return v.hasStringValue() && m.getKeywords().getStringsList().contains(v.getStringValue());
      case INTEGER:
        return v.hasIntegerValue() && v.getIntegerValue() == m.getInteger();
      case INTEGERS:
        return v.hasIntegerValue() && m.getIntegers().getIntegersList().contains(v.getIntegerValue());
      case BOOLEAN:
        return v.hasBoolValue() && v.getBoolValue() == m.getBoolean();
      default:
        throw unimplemented("match " + m.getMatchValueCase());
    }
  }

  private static boolean range(Range r, Value v) {
    double x;
    if (v.hasIntegerValue()) {
      x = v.getIntegerValue();
    } else if (v.hasDoubleValue()) {
      x = v.getDoubleValue();
    } else {
      return false;
    }
    return (!r.hasLt() || x < r.getLt()) && (!r.hasGt() || x > r.getGt())
        && (!r.hasGte() || x >= r.getGte()) && (!r.hasLte() || x <= r.getLte());
  }
}
