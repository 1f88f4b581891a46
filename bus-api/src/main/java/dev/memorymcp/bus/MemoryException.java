package dev.memorymcp.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A failure with a bus code, a stable error name for clients ({@code INVALID_FIELD},
 * {@code MEMORY_NOT_FOUND}, ...) and optional details such as the offending field. Across the bus
 * only a code and a string travel, so the name and details ride in the string as JSON.
 */
public class MemoryException extends RuntimeException {
  private final ErrorCode code;
  private final String error;
  private final JsonObject details;

  public MemoryException(ErrorCode code, String error, String message, JsonObject details) {
    super(message);
    this.code = code;
    this.error = error;
    this.details = details == null ? new JsonObject() : details;
  }

  public MemoryException(ErrorCode code, String error, String message) {
    this(code, error, message, null);
  }

  /** Bad input in one field: 400 INVALID_FIELD naming it. */
  public static MemoryException invalidField(String field, String message) {
    return new MemoryException(ErrorCode.BAD_REQUEST, "INVALID_FIELD", field + ": " + message,
        new JsonObject().put("field", field));
  }

  public static MemoryException notFound(String id) {
    return new MemoryException(ErrorCode.NOT_FOUND, "MEMORY_NOT_FOUND", "no memory with id " + id,
        new JsonObject().put("id", id));
  }

  public ErrorCode code() {
    return code;
  }

  public String error() {
    return error;
  }

  public JsonObject details() {
    return details;
  }

  /**
   * The same error located inside a nested object: field {@code role} of {@code messages[2]}
   * becomes {@code messages[2].role}, in the details and at the start of the message. An error
   * without a field is returned unchanged.
   */
  public MemoryException withFieldPrefix(String at) {
    String field = details.getString("field");
    if (field == null) {
      return this;
    }
    String message = getMessage().startsWith(field + ": ") ? getMessage().substring(field.length() + 2) : getMessage();
    return new MemoryException(code, error, at + "." + field + ": " + message,
        details.copy().put("field", at + "." + field));
  }

  /** The {"error": {...}} body clients see. */
  public JsonObject toErrorBody() {
    return new JsonObject().put("error", new JsonObject().put("code", error)
        .put("message", getMessage()).put("details", details));
  }

  /** Replies to a bus message with this failure (or an INTERNAL one for any other throwable). */
  public static void failReply(Message<?> msg, Throwable err) {
    MemoryException me = from(err);
    msg.fail(me.code.code, me.toErrorBody().getJsonObject("error").encode());
  }

  /** Recovers the structured failure from whatever a bus request failed with. */
  public static MemoryException from(Throwable err) {
    if (err instanceof MemoryException me) {
      return me;
    }
    if (err instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return new MemoryException(ErrorCode.UNAVAILABLE, "TIMEOUT", "a service did not answer in time");
      }
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return new MemoryException(ErrorCode.UNAVAILABLE, "SERVICE_UNAVAILABLE",
            "no service is consuming " + re.getMessage());
      }
      String text = re.getMessage() == null ? "" : re.getMessage();
      if (text.startsWith("{")) {
        try {
          JsonObject e = new JsonObject(text);
          return new MemoryException(ErrorCode.of(re.failureCode()), e.getString("code", "INTERNAL"),
              e.getString("message", ""), e.getJsonObject("details"));
        } catch (DecodeException ignored) {
          // fall through: a plain message
        }
      }
      return new MemoryException(ErrorCode.of(re.failureCode()), "INTERNAL", text);
    }
    String msg = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    return new MemoryException(ErrorCode.INTERNAL, "INTERNAL", msg);
  }
}
