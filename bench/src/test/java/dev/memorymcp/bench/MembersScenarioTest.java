package dev.memorymcp.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("members scenario: extrapolation and CPU accounting")
class MembersScenarioTest {
  @Test
  @DisplayName("extrapolated throughput grows with members until the other roles' two cores are the limit")
  void extrapolation() {
    JsonArray steps = new JsonArray().add(new JsonObject().put("embedding_members", 1)
        .put("embedding_cpu_ms_per_request", 8.0).put("other_cpu_ms_per_request", 4.0));
    JsonObject x = MembersScenario.extrapolate(steps);
    assertThat(x.getDouble("per_embedding_core_per_second")).isCloseTo(125.0, within(0.01));
    assertThat(x.getDouble("core_member_per_core_per_second")).isCloseTo(250.0, within(0.01));
    JsonObject p = x.getJsonObject("predicted_req_per_second");
    assertThat(p.getDouble("1_members_2_cores_each")).isCloseTo(250.0, within(0.01)); // 2 × 125
    assertThat(p.getDouble("2_members_2_cores_each")).isCloseTo(500.0, within(0.01)); // 4 × 125 = 2 × 250
    assertThat(p.getDouble("4_members_2_cores_each")).as("capped by the other roles").isCloseTo(500.0, within(0.01));
  }

  @Test
  @DisplayName("CPU ticks of a running process grow while it works")
  void cpuTicks() throws IOException {
    long before = MembersScenario.cpuTicks(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    double x = 0;
    while (System.nanoTime() - t0 < 300_000_000L) { // 0.3 s of work
      x += Math.sqrt(x + 1);
    }
    assertThat(x).isPositive();
    assertThat(MembersScenario.cpuTicks(ProcessHandle.current().pid())).isGreaterThan(before);
  }
}
