package dev.memorymcp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("latency percentiles")
class StatsTest {
  @Test
  @DisplayName("nearest rank over 1..100 ms, whatever the input order")
  void nearestRank() {
    List<Double> ms = new ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      ms.add((double) i);
    }
    Collections.shuffle(ms, new java.util.Random(1));
    JsonObject s = Stats.summary(ms);
    assertThat(s.getInteger("n")).isEqualTo(100);
    assertThat(s.getDouble("p50")).isEqualTo(50.0);
    assertThat(s.getDouble("p95")).isEqualTo(95.0);
    assertThat(s.getDouble("p99")).isEqualTo(99.0);
    assertThat(s.getDouble("max")).isEqualTo(100.0);
    assertThat(s.getDouble("mean")).isEqualTo(50.5);
  }

  @Test
  @DisplayName("one slow request out of ten is the p95 and p99, not hidden by the median")
  void tail() {
    JsonObject s = Stats.summary(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 250.0));
    assertThat(s.getDouble("p50")).isEqualTo(1.0);
    assertThat(s.getDouble("p95")).isEqualTo(250.0);
    assertThat(s.getDouble("p99")).isEqualTo(250.0);
  }

  @Test
  @DisplayName("no samples: n 0 and a dash in the table, never a made-up number")
  void empty() {
    assertThat(Stats.summary(List.of()).encode()).isEqualTo("{\"n\":0}");
    assertThat(Stats.cell(Stats.summary(List.of()))).isEqualTo("-");
  }
}
