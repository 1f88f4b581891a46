package dev.memorymcp.search;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * Search latency in the process's metrics: the whole search per search type, and each stage's
 * finish time since the search began ({@code timings}: embed, keyword, vector, load, cross_encoder),
 * the same figures a search reply carries.
 */
final class SearchMetrics {
  private SearchMetrics() {}

  static void record(String searchType, long nanos, JsonObject timings) {
    Timer.builder("memory_search").description("Searches, whole").tag("search_type", searchType)
        .publishPercentileHistogram().register(Metrics.globalRegistry).record(nanos, TimeUnit.NANOSECONDS);
    for (String stage : timings.fieldNames()) {
      Object v = timings.getValue(stage);
      if (v instanceof Number ms) {
        Timer.builder("memory_search_stage").description("When a search stage finished, from the search's start")
            .tag("stage", stage.replace("_ms", "")).register(Metrics.globalRegistry)
            .record((long) (ms.doubleValue() * 1_000_000), TimeUnit.NANOSECONDS);
      }
    }
  }
}
