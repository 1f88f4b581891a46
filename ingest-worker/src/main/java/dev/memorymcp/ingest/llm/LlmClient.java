package dev.memorymcp.ingest.llm;

import dev.memorymcp.bus.Memory;
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
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to any OpenAI-compatible {@code /v1/chat/completions} endpoint (Ollama, vLLM, llama.cpp
 * server, OpenAI) with temperature 0 and {@code response_format: json_object}, and validates the
 * answers strictly: anything off-shape fails as {@link LlmException.Kind#MALFORMED}, naming the
 * field. Every failure is an {@link LlmException}.
 */
public final class LlmClient {
  private static final Logger LOG = LoggerFactory.getLogger(LlmClient.class);
  /** The extractor name recorded in {@code Extraction.extractor}. */
  public static final String NAME = "llm";
  /** Longest memory text accepted from the model. */
  public static final int MAX_CONTENT = 2_000;
  private static final int PREVIEW = 200;
  // reasoning models (qwq, deepseek-r1 on Ollama) put their thoughts, braces and all, first
  private static final Pattern THINK = Pattern.compile("(?s)<think>.*?</think>");

  /** An existing memory shown to the model when it decides. */
  public record Candidate(String id, String content) {}

  /** What one new fact does to the existing memories. */
  public enum Event { ADD, UPDATE, DELETE, NONE }

  /**
   * memoryId is one of the candidates' ids for UPDATE / DELETE, the matching candidate for NONE
   * when the model names a valid one, null otherwise; content is the text to store for UPDATE
   * and ADD (the fact's own text unless the model reworded it), null for DELETE / NONE.
   */
  public record Decision(Event event, String memoryId, String content, String reason) {}

  private final LlmOptions options;
  private final String url;
  private final WebClient client;

  public LlmClient(Vertx vertx, LlmOptions options) {
    this.options = options;
    this.url = options.completionsUrl();
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("memory-mcp-ingest")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeoutMs())));
  }

  /** Candidate facts with type, tags, importance, in the language they were said in. Fails with LlmException. */
  public Future<List<Fact>> extractFacts(List<ChatMessage> messages) {
    StringBuilder convo = new StringBuilder("Conversation:\n");
    for (ChatMessage m : messages) {
      if (m.content() != null && !m.content().isBlank()) {
        convo.append(m.role()).append(": ").append(m.content().strip()).append('\n');
      }
    }
    return complete(Prompts.EXTRACT.formatted(options.maxFacts()), convo.toString()).map(this::facts);
  }

  /** Given one new fact and the most similar existing memories, what to do. Fails with LlmException. */
  public Future<Decision> decide(Fact fact, List<Candidate> similar) {
    JsonArray existing = new JsonArray();
    similar.forEach(c -> existing.add(new JsonObject().put("id", c.id()).put("content", c.content())));
    JsonObject newFact = new JsonObject().put("content", fact.content()).put("type", fact.type())
        .put("tags", new JsonArray(List.copyOf(fact.tags())));
    String user = "New fact (JSON):\n" + newFact.encode() + "\n\nExisting memories (JSON):\n" + existing.encode()
        + (similar.isEmpty() ? "\n(no existing memories: answer ADD or NONE)" : "") + "\n";
    return complete(Prompts.DECIDE, user).map(j -> decision(j, fact, similar));
  }

  /** Releases the HTTP connections. */
  public void close() {
    client.close();
  }

  /** One chat completion; its message content parsed as the JSON object it must hold. */
  private Future<JsonObject> complete(String system, String user) {
    JsonObject body = new JsonObject().put("model", options.model())
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", system))
            .add(new JsonObject().put("role", "user").put("content", user)))
        .put("temperature", 0)
        .put("response_format", new JsonObject().put("type", "json_object"));
    HttpRequest<Buffer> req = client.postAbs(url).timeout(options.timeoutMs());
    if (options.hasApiKey()) {
      req.putHeader("Authorization", "Bearer " + options.apiKey().strip());
    }
    long start = System.nanoTime();
    LOG.debug("LLM request to {} model {} ({} chars of input)", url, options.model(), user.length());
    return req.sendJsonObject(body)
        .recover(err -> Future.failedFuture(transport(err)))
        .map(resp -> {
          LOG.debug("LLM answered HTTP {} in {} ms", resp.statusCode(), (System.nanoTime() - start) / 1_000_000);
          return reply(resp);
        });
  }

  private LlmException transport(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return new LlmException(LlmException.Kind.TIMEOUT,
            "no answer from " + url + " within " + options.timeoutMs() + " ms", err);
      }
      // netty's connect timeout is a ConnectException too: the host is down or filtered
      if (t instanceof ConnectException || t instanceof UnknownHostException) {
        return new LlmException(LlmException.Kind.UNREACHABLE, "cannot connect to " + url + ": " + t.getMessage(), err);
      }
    }
    return new LlmException(LlmException.Kind.UNREACHABLE, "request to " + url + " failed: " + err, err);
  }

  /** The reply's {@code choices[0].message.content} as a JSON object, or an HTTP / MALFORMED failure. */
  private JsonObject reply(HttpResponse<Buffer> resp) {
    String text = resp.bodyAsString();
    text = text == null ? "" : text;
    if (resp.statusCode() / 100 != 2) {
      throw new LlmException(LlmException.Kind.HTTP, "HTTP " + resp.statusCode() + " from " + url + ": " + preview(text));
    }
    JsonObject completion;
    try {
      completion = new JsonObject(text);
    } catch (DecodeException e) {
      throw malformed("the response body is not a chat.completion JSON object: " + preview(text));
    }
    if (!(completion.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
        || !(choices.getValue(0) instanceof JsonObject choice)) {
      throw malformed("choices is missing or empty in the response: " + preview(text));
    }
    if (!(choice.getValue("message") instanceof JsonObject message)
        || !(message.getValue("content") instanceof String content)) {
      throw malformed("choices[0].message.content is missing or not a string");
    }
    try {
      return jsonIn(content);
    } catch (LlmException e) {
      if ("length".equals(choice.getValue("finish_reason"))) {
        throw malformed(e.getMessage() + " (the reply was cut off: finish_reason=length)");
      }
      throw e;
    }
  }

  /**
   * The outermost JSON object in a model's answer: models wrap it in ```json fences, prose or
   * {@code <think>} blocks. A brace in the prose before it is skipped.
   */
  static JsonObject jsonIn(String answer) {
    String text = THINK.matcher(answer).replaceAll("");
    int from = 0;
    for (int tries = 0; tries < 20; tries++) {
      int start = text.indexOf('{', from);
      if (start < 0) {
        break;
      }
      int end = objectEnd(text, start);
      if (end < 0) {
        from = start + 1; // unbalanced from here: a stray brace in prose, or a cut-off reply
        continue;
      }
      try {
        return new JsonObject(text.substring(start, end + 1));
      } catch (DecodeException e) {
        from = end + 1; // "{like this}" in prose: look after it, not inside it
      }
    }
    throw malformed("the answer holds no JSON object: " + preview(answer));
  }

  /** Index of the brace closing the object opened at {@code start}, ignoring braces in strings; -1 if none. */
  private static int objectEnd(String s, int start) {
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Validates every fact, drops repeated contents, then keeps the first maxFacts. */
  List<Fact> facts(JsonObject j) {
    if (!(j.getValue("facts") instanceof JsonArray arr)) {
      throw malformed("facts is missing or not an array");
    }
    List<Fact> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < arr.size(); i++) {
      Fact f = fact(arr.getValue(i), "facts[" + i + "]");
      if (seen.add(f.content().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT)) && out.size() < options.maxFacts()) {
        out.add(f);
      }
    }
    LOG.debug("LLM extracted {} fact(s), {} kept", arr.size(), out.size());
    return out;
  }

  private static Fact fact(Object raw, String at) {
    if (!(raw instanceof JsonObject f)) {
      throw malformed(at + " is not an object");
    }
    String content = text(f.getValue("content"), at + ".content");
    Object type = f.getValue("type");
    if (!(type instanceof String t) || !Memory.TYPES.contains(t.strip().toLowerCase(Locale.ROOT))) {
      throw malformed(at + ".type " + (type == null ? "is missing" : quote(type) + " is not a memory type")
          + " (one of " + String.join(", ", new TreeSet<>(Memory.TYPES)) + ")");
    }
    double importance = 0.5; // the prompt asks for it; absent means "no opinion"
    Object imp = f.getValue("importance");
    if (imp != null) {
      if (!(imp instanceof Number n)) {
        throw malformed(at + ".importance " + quote(imp) + " is not a number");
      }
      importance = n.doubleValue();
      if (!(importance >= 0 && importance <= 1)) {
        throw malformed(at + ".importance " + imp + " is outside 0..1");
      }
    }
    Set<String> tags = new LinkedHashSet<>();
    Object rawTags = f.getValue("tags");
    if (rawTags != null) {
      if (!(rawTags instanceof JsonArray arr)) {
        throw malformed(at + ".tags is not an array");
      }
      for (int k = 0; k < arr.size(); k++) {
        if (!(arr.getValue(k) instanceof String tag)) {
          throw malformed(at + ".tags[" + k + "] is not a string");
        }
        if (!tag.isBlank()) {
          tags.add(tag.strip());
        }
      }
    }
    return new Fact(content, t.strip().toLowerCase(Locale.ROOT), List.copyOf(tags), importance);
  }

  static Decision decision(JsonObject j, Fact fact, List<Candidate> similar) {
    Object ev = j.getValue("event");
    Event event;
    try {
      event = Event.valueOf(((String) ev).strip().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw malformed("event " + (ev == null ? "is missing" : quote(ev) + " is not one of ADD, UPDATE, DELETE, NONE"));
    }
    Object rawId = j.getValue("memory_id");
    // ids may come back as numbers when the store's ids look numeric
    String id = rawId instanceof String s && !s.isBlank() && !s.strip().equalsIgnoreCase("null") ? s.strip()
        : rawId instanceof Number n ? String.valueOf(n) : null;
    boolean known = id != null && similar.stream().anyMatch(c -> id.equals(c.id()));
    String reason = j.getValue("reason") instanceof String s && !s.isBlank() ? s.strip() : null;
    return switch (event) {
      case ADD -> new Decision(event, null, optText(j.getValue("content"), fact.content()), reason);
      case NONE -> new Decision(event, known ? id : null, null, reason); // a wrong id here harms nothing
      case UPDATE, DELETE -> {
        if (similar.isEmpty()) {
          throw malformed("event " + event + " needs an existing memory but none were given (memory_id "
              + quote(rawId) + ")");
        }
        if (!known) {
          throw malformed("memory_id " + (id == null ? "is missing" : quote(id) + " is not one of the candidates' ids")
              + " for " + event);
        }
        yield new Decision(event, id, event == Event.UPDATE ? text(j.getValue("content"), "content") : null, reason);
      }
    };
  }

  /** A required memory text: a non-blank string of at most MAX_CONTENT chars, stripped. */
  private static String text(Object v, String field) {
    if (v != null && !(v instanceof String)) {
      throw malformed(field + " " + quote(v) + " is not a string");
    }
    String s = (String) v;
    if (s == null || s.isBlank()) {
      throw malformed(field + " is missing or blank");
    }
    if (s.strip().length() > MAX_CONTENT) {
      throw malformed(field + " is longer than " + MAX_CONTENT + " chars (" + s.strip().length() + ")");
    }
    return s.strip();
  }

  /** An optional memory text: the fallback when absent or blank, else validated as {@link #text}. */
  private static String optText(Object v, String fallback) {
    return v == null || v instanceof String s && (s.isBlank() || s.strip().equalsIgnoreCase("null"))
        ? fallback : text(v, "content");
  }

  private static LlmException malformed(String message) {
    return new LlmException(LlmException.Kind.MALFORMED, message);
  }

  private static String quote(Object v) {
    return v instanceof String s ? "'" + preview(s) + "'" : String.valueOf(v);
  }

  private static String preview(String s) {
    return s.length() <= PREVIEW ? s : s.substring(0, PREVIEW) + "…";
  }
}
