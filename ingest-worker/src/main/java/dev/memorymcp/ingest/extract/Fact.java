package dev.memorymcp.ingest.extract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A candidate memory extracted from a conversation, in the language it was said in. {@code type}
 * is one of the memory types of {@code dev.memorymcp.bus.Memory.TYPES}; importance is 0..1;
 * {@code saidAt} is the epoch millis of the message it came from, when the message had a timestamp
 * and the extractor knows which message it was (null otherwise).
 */
public record Fact(String content, String type, List<String> tags, double importance, Long saidAt) {

  /** A fact not tied to one message's time. */
  public Fact(String content, String type, List<String> tags, double importance) {
    this(content, type, tags, importance, null);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("content", content).put("type", type)
        .put("tags", new JsonArray(List.copyOf(tags))).put("importance", importance);
    return saidAt == null ? j : j.put("said_at", saidAt);
  }

  public static Fact fromJson(JsonObject j) {
    JsonArray tags = j.getJsonArray("tags", new JsonArray());
    return new Fact(j.getString("content"), j.getString("type"),
        tags.stream().map(String::valueOf).toList(), j.getDouble("importance", 0.5), j.getLong("said_at"));
  }
}
