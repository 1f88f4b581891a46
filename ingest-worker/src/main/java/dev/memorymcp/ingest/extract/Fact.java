package dev.memorymcp.ingest.extract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A candidate memory extracted from a conversation, in the language it was said in. {@code type}
 * is one of the memory types of {@code dev.memorymcp.bus.Memory.TYPES}; importance is 0..1.
 */
public record Fact(String content, String type, List<String> tags, double importance) {

  public JsonObject toJson() {
    return new JsonObject().put("content", content).put("type", type)
        .put("tags", new JsonArray(List.copyOf(tags))).put("importance", importance);
  }

  public static Fact fromJson(JsonObject j) {
    JsonArray tags = j.getJsonArray("tags", new JsonArray());
    return new Fact(j.getString("content"), j.getString("type"),
        tags.stream().map(String::valueOf).toList(), j.getDouble("importance", 0.5));
  }
}
