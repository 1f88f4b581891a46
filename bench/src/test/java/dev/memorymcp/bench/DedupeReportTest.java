package dev.memorymcp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("dedupe scenario tallies")
class DedupeReportTest {

  static JsonObject pair(String lang, String label, int n) {
    return new JsonObject().put("id", lang + n).put("lang", lang).put("label", label);
  }

  @Test
  @DisplayName("sample takes the first N of each language and label, in file order")
  void sample() {
    List<JsonObject> pairs = List.of(pair("en", "neutral", 1), pair("ja", "neutral", 2), pair("en", "neutral", 3),
        pair("en", "contradiction", 4), pair("en", "neutral", 5));
    assertThat(DedupeScenario.DedupeReport.sample(pairs, 2).stream().map(p -> p.getString("id")))
        .containsExactly("en1", "ja2", "en3", "en4");
    assertThat(DedupeScenario.DedupeReport.sample(pairs, 0)).hasSize(5);
  }

  @Test
  @DisplayName("a merged or updated contradiction or neutral pair is a false merge; an entailment kept apart is missed")
  void falseMergesAndMissedDuplicates() {
    DedupeScenario.DedupeReport r = new DedupeScenario.DedupeReport();
    r.add("p1", "ja", "contradiction", "merged", "merge");
    r.add("p2", "ja", "contradiction", "updated", "update");
    r.add("p3", "ja", "contradiction", "created", "supersede");
    r.add("p4", "ja", "neutral", "created", "relate");
    r.add("p5", "en", "entailment", "merged", "merge");
    r.add("p6", "en", "entailment", "created", "create");
    r.add("p7", "en", "entailment", "created", "relate");
    JsonObject j = r.toJson();
    assertThat(j.getJsonObject("ja/contradiction").getInteger("false_merges")).isEqualTo(2);
    assertThat(j.getJsonObject("ja/contradiction").getJsonObject("outcomes").getInteger("supersede")).isEqualTo(1);
    assertThat(j.getJsonObject("ja/contradiction").getJsonArray("false_merge_ids")).containsExactly("p1", "p2");
    assertThat(j.getJsonObject("ja/neutral").getInteger("false_merges")).isZero();
    assertThat(j.getJsonObject("en/entailment").getInteger("missed_duplicates")).isEqualTo(2);
    assertThat(r.table()).contains("ja/contradiction").contains("(2 missed)");
  }
}
