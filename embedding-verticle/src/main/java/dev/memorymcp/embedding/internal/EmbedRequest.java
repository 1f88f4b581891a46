package dev.memorymcp.embedding.internal;

import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.embedding.EmbedKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code memory.embedding.embed} body: {@code {texts: [string...], kind, priority}}.
 *
 * @param texts the texts, without prefixes, 1 to {@code maxTexts} of them
 * @param kind query or passage
 * @param background {@code priority: "background"}: work nobody waits for (ingest extraction, an
 *     online rebuild), embedded in the background lane; {@code "foreground"} or absent: a request's
 */
public record EmbedRequest(List<String> texts, EmbedKind kind, boolean background) {

  /** Parses a body; throws a 400 INVALID_FIELD {@link MemoryException} naming the bad field. */
  public static EmbedRequest parse(JsonObject body, int maxTexts) {
    Object raw = body.getValue("texts");
    if (!(raw instanceof JsonArray array)) {
      throw MemoryException.invalidField("texts", raw == null
          ? "required: a non-empty array of strings" : "must be an array of strings");
    }
    if (array.isEmpty()) {
      throw MemoryException.invalidField("texts", "must not be empty");
    }
    if (array.size() > maxTexts) {
      throw MemoryException.invalidField("texts", "at most " + maxTexts
          + " texts per request, got " + array.size());
    }
    List<String> texts = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s)) {
        throw MemoryException.invalidField("texts", "element " + i + " is not a string");
      }
      texts.add(s);
    }
    Object kind = body.getValue("kind");
    Object priority = body.getValue("priority");
    if (priority != null && !"foreground".equals(priority) && !"background".equals(priority)) {
      throw MemoryException.invalidField("priority", "must be \"foreground\" or \"background\", got " + priority);
    }
    return new EmbedRequest(List.copyOf(texts), EmbedKind.parse(kind instanceof String s ? s : null)
        .orElseThrow(() -> MemoryException.invalidField("kind",
            "must be \"query\" or \"passage\", got " + kind)), "background".equals(priority));
  }
}
