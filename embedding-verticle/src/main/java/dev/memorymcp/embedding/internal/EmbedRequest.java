package dev.memorymcp.embedding.internal;

import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.embedding.EmbedKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code memory.embedding.embed} body: {@code {texts: [string...], kind}}.
 *
 * @param texts the texts, without prefixes, 1 to {@code maxTexts} of them
 * @param kind query or passage
 */
public record EmbedRequest(List<String> texts, EmbedKind kind) {

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
    return new EmbedRequest(List.copyOf(texts), EmbedKind.parse(kind instanceof String s ? s : null)
        .orElseThrow(() -> MemoryException.invalidField("kind",
            "must be \"query\" or \"passage\", got " + kind)));
  }
}
