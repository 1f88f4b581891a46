package dev.memorymcp.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /api/v1/ingest} body (also the MCP {@code ingest_conversation} tool):
 * chat messages to learn from in the background. The gateway parses it to answer 400 at once;
 * the queue parses it again before writing.
 */
public record IngestRequest(List<Message> messages, String sessionId, JsonObject metadata, String scope,
    String scopeId) {

  public static final Set<String> FIELDS = Set.of("messages", "session_id", "metadata", "scope", "scope_id");
  public static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "timestamp");
  public static final Set<String> ROLES = Set.of("user", "assistant", "system", "tool");
  public static final int MAX_IDEMPOTENCY_KEY = 200;

  /** One chat turn; timestamp is epoch ms or null. */
  public record Message(String role, String content, Long timestamp) {
    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("role", role).put("content", content);
      if (timestamp != null) {
        j.put("timestamp", Fields.iso(timestamp));
      }
      return j;
    }
  }

  /** Per-request limits, from the settings {@code ingest.max_messages} and {@code ingest.max_message_chars}. */
  public record Limits(int maxMessages, int maxMessageChars) {
    public static Limits of(JsonObject cfg) {
      return new Limits(cfg.getInteger("ingest.max_messages", 200),
          cfg.getInteger("ingest.max_message_chars", 20_000));
    }
  }

  public static IngestRequest parse(JsonObject j, Limits limits) {
    if (j == null) {
      throw MemoryException.invalidField("body", "must be a JSON object");
    }
    Fields.rejectUnknown(j, FIELDS);
    if (j.getValue("messages") == null) {
      throw MemoryException.invalidField("messages", "is required: a non-empty array of {role, content, timestamp?}");
    }
    JsonArray a = Fields.optArray(j, "messages");
    if (a.isEmpty()) {
      throw MemoryException.invalidField("messages", "must not be empty");
    }
    if (a.size() > limits.maxMessages()) {
      throw new MemoryException(ErrorCode.TOO_LARGE, "TOO_MANY_MESSAGES", "messages: at most "
          + limits.maxMessages() + " messages per request, got " + a.size()
          + " (split the conversation into several requests)",
          new JsonObject().put("field", "messages").put("limit", limits.maxMessages()));
    }
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      String at = "messages[" + i + "]";
      if (!(a.getValue(i) instanceof JsonObject m)) {
        throw MemoryException.invalidField(at, "must be an object {role, content, timestamp?}");
      }
      for (String k : m.fieldNames()) {
        if (!MESSAGE_FIELDS.contains(k)) {
          throw MemoryException.invalidField(at + "." + k, "unknown field; expected one of " + MESSAGE_FIELDS);
        }
      }
      String role = prefixed(at, () -> Fields.requireString(m, "role", 32));
      if (!ROLES.contains(role)) {
        throw MemoryException.invalidField(at + ".role", "must be one of " + ROLES);
      }
      Object c = m.getValue("content");
      if (!(c instanceof String content)) {
        throw MemoryException.invalidField(at + ".content", c == null ? "is required" : "must be a string");
      }
      if (content.length() > limits.maxMessageChars()) {
        throw new MemoryException(ErrorCode.TOO_LARGE, "MESSAGE_TOO_LONG", at + ".content: longer than "
            + limits.maxMessageChars() + " characters (" + content.length() + ")",
            new JsonObject().put("field", at + ".content").put("limit", limits.maxMessageChars()));
      }
      Long ts = prefixed(at, () -> Fields.optInstant(m, "timestamp"));
      messages.add(new Message(role, content, ts));
    }
    JsonObject metadata = Fields.optObject(j, "metadata");
    if (metadata != null && metadata.encode().length() > MemoryInput.MAX_METADATA_BYTES) {
      throw MemoryException.invalidField("metadata", "larger than " + MemoryInput.MAX_METADATA_BYTES + " bytes");
    }
    return new IngestRequest(messages, Fields.optString(j, "session_id", MemoryInput.MAX_SHORT),
        metadata == null ? new JsonObject() : metadata, Fields.optEnum(j, "scope", Memory.SCOPES),
        Fields.optString(j, "scope_id", MemoryInput.MAX_SHORT));
  }

  /** An Idempotency-Key value: 1..200 visible ASCII characters. */
  public static String checkIdempotencyKey(String field, String key) {
    if (key == null) {
      return null;
    }
    if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY || !key.chars().allMatch(ch -> ch > 32 && ch < 127)) {
      throw MemoryException.invalidField(field, "must be 1.." + MAX_IDEMPOTENCY_KEY + " visible ASCII characters");
    }
    return key;
  }

  /** Re-throws a field error of a nested object with the field path prefixed ({@code messages[2].role}). */
  private static <T> T prefixed(String at, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (MemoryException e) {
      throw e.withFieldPrefix(at);
    }
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject()
        .put("messages", new JsonArray(messages.stream().map(Message::toJson).toList()))
        .put("metadata", metadata.copy());
    MemoryInput.putIf(j, "scope", scope);
    MemoryInput.putIf(j, "scope_id", scopeId);
    if (sessionId != null) {
      j.put("session_id", sessionId);
    }
    return j;
  }
}
