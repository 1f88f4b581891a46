package dev.memorymcp.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("harness options and budget checks")
class BenchOptionsTest {
  @Test
  @DisplayName("defaults, overrides, and --warmup meaning seconds for the ingest scenario")
  void options() {
    Map<String, String> o = BenchMain.options("latency", new String[] {"--sizes", "1000,100000", "--warmup", "20"});
    assertThat(o.get("--sizes")).isEqualTo("1000,100000");
    assertThat(o.get("--warmup")).isEqualTo("20");
    assertThat(o.get("--url")).isEqualTo("http://127.0.0.1:26262");
    Map<String, String> ingest = BenchMain.options("ingest", new String[] {"--warmup", "2"});
    assertThat(ingest.get("--ingest-warmup")).isEqualTo("2");
    assertThat(ingest.get("--warmup")).isEqualTo("50");
  }

  @Test
  @DisplayName("a typo or a missing value is an error naming the option")
  void badOptions() {
    assertThatThrownBy(() -> BenchMain.options("latency", new String[] {"--size", "5", "--querys", "3"}))
        .hasMessageContaining("--querys");
    assertThatThrownBy(() -> BenchMain.options("latency", new String[] {"--sizes"})).hasMessageContaining("--sizes needs a value");
    assertThatThrownBy(() -> BenchMain.options("latency", new String[] {"--queries", "5", "--queries", "9"}))
        .hasMessageContaining("--queries given twice");
  }

  @Test
  @DisplayName("a repeated --env adds its variables to the earlier ones")
  void repeatedEnv() {
    Map<String, String> o = BenchMain.options("latency",
        new String[] {"--env", "MEMORY_MCP_VECTOR_INDEX_FORMAT=int8", "--env", "MEMORY_MCP_VECTOR_INDEX_EF=400,A=b"});
    assertThat(o.get("--env")).isEqualTo("MEMORY_MCP_VECTOR_INDEX_FORMAT=int8,MEMORY_MCP_VECTOR_INDEX_EF=400,A=b");
  }

  @Test
  @DisplayName("budgets: checked only where the run measured them, met or not by the numbers")
  void budgets() {
    JsonObject hybrid = new JsonObject().put("latency_ms", summary(11.0, 45.0));
    JsonObject step10k = new JsonObject().put("size", 10_000).put("remember", summary(17.0, 30.0))
        .put("recall", new JsonObject().put("hybrid", hybrid)).put("rss_mib_after_recall", 600L)
        .put("bulk_import", new JsonObject().put("memories", 9_900L).put("per_second", 140.0).put("dedupe", false));
    JsonObject step1k = new JsonObject().put("size", 1_000).put("remember", summary(50.0, 60.0))
        .put("recall", new JsonObject().put("hybrid", new JsonObject().put("latency_ms", summary(99.0, 99.0))));
    JsonObject report = new JsonObject().put("service", new JsonObject().put("start_ms", -1L))
        .put("scenarios", new JsonObject().put("latency", new JsonObject().put("sizes", new JsonArray().add(step1k).add(step10k))));

    JsonArray budgets = Budgets.check(report);

    assertThat(budgets.stream().map(b -> ((JsonObject) b).getString("budget") + "=" + ((JsonObject) b).getBoolean("met")))
        .containsExactly("recall p50 ≤ 12 ms (10k memories, hybrid)=true", "recall p99 ≤ 40 ms (10k memories, hybrid)=false",
            "remember p50 ≤ 20 ms (10k memories)=true", "bulk import ≥ 100 memories/s (fill to 10000, dedupe false)=true");
  }

  @Test
  @DisplayName("budgets at 100k and 1M apply to a resumed namespace a few memories larger, not to other sizes")
  void budgetsAtScale() {
    JsonObject step100k = new JsonObject().put("size", 100_100).put("remember", summary(24.5, 49.7))
        .put("recall", new JsonObject().put("hybrid", new JsonObject().put("latency_ms", summary(15.6, 29.7))))
        .put("rss_mib_after_recall", 3087L);
    JsonObject step1m = new JsonObject().put("size", 1_000_300).put("remember", summary(37.1, 198.8))
        .put("recall", new JsonObject().put("hybrid", new JsonObject().put("latency_ms", summary(25.8, 43.0))))
        .put("rss_mib_after_recall", 2900L);
    JsonObject step50k = new JsonObject().put("size", 50_000).put("remember", summary(1.0, 1.0))
        .put("recall", new JsonObject().put("hybrid", new JsonObject().put("latency_ms", summary(1.0, 1.0))));
    JsonObject report = new JsonObject().put("service", new JsonObject().put("start_ms", 3554L))
        .put("scenarios", new JsonObject().put("latency", new JsonObject().put("sizes",
            new JsonArray().add(step50k).add(step100k).add(step1m))));

    assertThat(Budgets.check(report).stream().map(b -> ((JsonObject) b).getString("budget") + "=" + ((JsonObject) b).getBoolean("met")))
        .containsExactly("recall p50 ≤ 12 ms (100k memories, hybrid)=false", "recall p99 ≤ 40 ms (100k memories, hybrid)=true",
            "remember p50 ≤ 20 ms (100k memories)=false", "resident memory ≤ 1 GiB (100k memories)=false",
            "recall p50 ≤ 20 ms (1M memories, hybrid)=false", "resident memory ≤ 3 GiB (1M memories)=true",
            "start to healthy ≤ 5 s=true");
  }

  private static JsonObject summary(double p50, double p99) {
    return new JsonObject().put("n", 100).put("p50", p50).put("p95", p99).put("p99", p99);
  }
}
