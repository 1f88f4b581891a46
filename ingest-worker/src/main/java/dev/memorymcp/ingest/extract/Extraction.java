package dev.memorymcp.ingest.extract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What an extractor found in one conversation. {@code extractor} is "heuristic" or "llm";
 * {@code note} explains an empty result ("nothing memorable: …") or a fallback ("llm output
 * malformed: …; heuristic used"), so a job that yields nothing always says why.
 */
public record Extraction(List<Fact> facts, String extractor, String note) {

  public JsonObject toJson() {
    return new JsonObject().put("facts", new JsonArray(facts.stream().map(Fact::toJson).toList()))
        .put("extractor", extractor).put("note", note);
  }

  public static Extraction fromJson(JsonObject j) {
    return new Extraction(j.getJsonArray("facts", new JsonArray()).stream()
        .map(o -> Fact.fromJson((JsonObject) o)).toList(), j.getString("extractor"), j.getString("note"));
  }
}
