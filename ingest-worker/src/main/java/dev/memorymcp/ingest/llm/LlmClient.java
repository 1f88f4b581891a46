package dev.memorymcp.ingest.llm;

import dev.memorymcp.ingest.extract.ChatMessage;
import dev.memorymcp.ingest.extract.Fact;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to any OpenAI-compatible {@code /v1/chat/completions} endpoint (Ollama, vLLM, llama.cpp
 * server, OpenAI) with temperature 0 and {@code response_format: json_object}, and validates the
 * answers strictly: anything off-shape is {@link LlmException.Kind#MALFORMED}, naming the field.
 */
public final class LlmClient {
  private static final Logger LOG = LoggerFactory.getLogger(LlmClient.class);
  public static final String NAME = "llm";
  static final int MAX_CONTENT = 2_000;
  static final Set<String> TYPES = Set.of("decision", "work", "knowledge", "fact", "preference", "person",
      "project", "concept", "event", "note", "rule");

  public record Candidate(String id, String content) {}

  public enum Event { ADD, UPDATE, DELETE, NONE }

  /** memoryId names one of the candidates for UPDATE / DELETE (and optionally NONE); content is the new text for ADD / UPDATE. */
  public record Decision(Event event, String memoryId, String content, String reason) {}

  private final LlmOptions options;
  private final WebClient client;

  public LlmClient(Vertx vertx, LlmOptions options) {
    this.options = options;
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("memory-service")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeoutMs())));
  }

  public Future<List<Fact>> extractFacts(List<ChatMessage> messages) {
    StringBuilder convo = new StringBuilder("Conversation:\n");
    for (ChatMessage m : messages) {
      convo.append(m.role()).append(": ").append(m.content()).append('\n');
    }
    return complete(Prompts.EXTRACT, convo.toString()).map(this::facts);
  }

  public Future<Decision> decide(Fact fact, List<Candidate> similar) {
    JsonArray existing = new JsonArray();
    similar.forEach(c -> existing.add(new JsonObject().put("id", c.id()).put("content", c.content())));
    String user = "NEW FACT: " + fact.content() + "\nEXISTING MEMORIES: " + existing.encode();
    return complete(Prompts.DECIDE, user).map(j -> decision(j, fact, similar));
  }

  public void close() {
    client.close();
  }

  /** One chat completion; the reply's message content parsed as the JSON object it must contain. */
  private Future<JsonObject> complete(String system, String user) {
    JsonObject body = new JsonObject().put("model", options.model()).put("temperature", 0)
        .put("response_format", new JsonObject().put("type", "json_object"))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", system))
            .add(new JsonObject().put("role", "user").put("content", user)));
    HttpRequest<Buffer> req = client.postAbs(options.completionsUrl()).timeout(options.timeoutMs());
    if (options.apiKey() != null && !options.apiKey().isBlank()) {
      req.bearerTokenAuthentication(options.apiKey());
    }
    LOG.debug("LLM request to {} ({} chars)", options.completionsUrl(), user.length());
    return req.sendJsonObject(body).recover(err -> Future.failedFuture(transport(err))).compose(this::content);
  }

  private LlmException transport(Throwable err) {
    if (err instanceof TimeoutException || String.valueOf(err.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
      return new LlmException(LlmException.Kind.TIMEOUT, "no answer from " + options.completionsUrl()
          + " within " + options.timeoutMs() + " ms");
    }
    if (err instanceof ConnectException || err.getCause() instanceof ConnectException) {
      return new LlmException(LlmException.Kind.UNREACHABLE, "cannot connect to " + options.completionsUrl()
          + ": " + err.getMessage());
    }
    return new LlmException(LlmException.Kind.UNREACHABLE, options.completionsUrl() + ": " + err);
  }

  private Future<JsonObject> content(HttpResponse<Buffer> resp) {
    String text = resp.bodyAsString();
    if (resp.statusCode() / 100 != 2) {
      String head = text == null ? "" : text.length() > 200 ? text.substring(0, 200) : text;
      return Future.failedFuture(new LlmException(LlmException.Kind.HTTP, "HTTP " + resp.statusCode() + ": " + head));
    }
    try {
      JsonObject j = new JsonObject(text);
      JsonArray choices = j.getJsonArray("choices");
      if (choices == null || choices.isEmpty()) {
        throw malformed("choices: missing or empty");
      }
      String content = choices.getJsonObject(0).getJsonObject("message", new JsonObject()).getString("content");
      if (content == null) {
        throw malformed("choices[0].message.content: missing");
      }
      return Future.succeededFuture(jsonIn(content));
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(malformed("not a chat.completion JSON: " + e.getMessage()));
    } catch (LlmException e) {
      return Future.failedFuture(e);
    }
  }

  /** Models wrap JSON in ```json fences or prose: take the outermost {...}. */
  static JsonObject jsonIn(String content) {
    int start = content.indexOf('{');
    int end = content.lastIndexOf('}');
    if (start < 0 || end < start) {
      throw malformed("the answer holds no JSON object: " + preview(content));
    }
    try {
      return new JsonObject(content.substring(start, end + 1));
    } catch (DecodeException e) {
      throw malformed("the answer is not valid JSON: " + preview(content));
    }
  }

  List<Fact> facts(JsonObject j) {
    Object raw = j.getValue("facts");
    if (!(raw instanceof JsonArray arr)) {
      throw malformed("facts: missing or not an array");
    }
    List<Fact> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < arr.size() && out.size() < options.maxFacts(); i++) {
      String at = "facts[" + i + "]";
      if (!(arr.getValue(i) instanceof JsonObject f)) {
        throw malformed(at + ": not an object");
      }
      if (!(f.getValue("content") instanceof String content) || content.isBlank()) {
        throw malformed(at + ".content: missing or empty");
      }
      if (content.length() > MAX_CONTENT) {
        throw malformed(at + ".content: longer than " + MAX_CONTENT + " characters");
      }
      Object type = f.getValue("type");
      if (!(type instanceof String t) || !TYPES.contains(t)) {
        throw malformed(at + ".type '" + type + "' is not a memory type");
      }
      Object imp = f.getValue("importance", 0.5);
      if (!(imp instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1) {
        throw malformed(at + ".importance must be a number between 0 and 1, got " + imp);
      }
      Object tagsRaw = f.getValue("tags", new JsonArray());
      if (!(tagsRaw instanceof JsonArray tags)) {
        throw malformed(at + ".tags must be an array of strings");
      }
      List<String> tagList = new ArrayList<>();
      for (Object tag : tags) {
        if (!(tag instanceof String s)) {
          throw malformed(at + ".tags must be an array of strings");
        }
        if (!s.isBlank()) {
          tagList.add(s.strip());
        }
      }
      if (seen.add(content.strip())) {
        out.add(new Fact(content.strip(), t, tagList, n.doubleValue()));
      }
    }
    return out;
  }

  static Decision decision(JsonObject j, Fact fact, List<Candidate> similar) {
    Object ev = j.getValue("event");
    Event event;
    try {
      event = Event.valueOf(String.valueOf(ev).strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw malformed("event '" + ev + "' is not one of ADD, UPDATE, DELETE, NONE");
    }
    String id = j.getValue("memory_id") instanceof String s && !s.isBlank() && !s.equals("null") ? s.strip() : null;
    String content = j.getValue("content") instanceof String s && !s.isBlank() ? s.strip() : null;
    String reason = j.getValue("reason") instanceof String s ? s : null;
    boolean known = id != null && similar.stream().anyMatch(c -> c.id().equals(id));
    switch (event) {
      case UPDATE, DELETE -> {
        if (!known) {
          throw malformed("memory_id '" + id + "' is not one of the existing memories shown");
        }
        if (event == Event.UPDATE && content == null) {
          throw malformed("content: UPDATE needs the new text");
        }
      }
      case NONE -> {
        if (id != null && !known) {
          throw malformed("memory_id '" + id + "' is not one of the existing memories shown");
        }
      }
      case ADD -> { }
    }
    if (content != null && content.length() > MAX_CONTENT) {
      throw malformed("content: longer than " + MAX_CONTENT + " characters");
    }
    return new Decision(event, event == Event.ADD ? null : id, event == Event.ADD && content == null ? fact.content() : content, reason);
  }

  private static LlmException malformed(String message) {
    return new LlmException(LlmException.Kind.MALFORMED, message);
  }

  private static String preview(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "…";
  }
}
