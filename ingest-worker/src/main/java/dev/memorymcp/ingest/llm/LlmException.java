package dev.memorymcp.ingest.llm;

/**
 * Why an LLM call gave no usable answer. The message says what went wrong without a prefix
 * (for MALFORMED it names the field, e.g. "facts[2].type 'hobby' is not a memory type"), so
 * callers can write "llm " + kind + ": " + message.
 */
public final class LlmException extends RuntimeException {
  /** TIMEOUT: no reply in time; HTTP: non-2xx; MALFORMED: reply off-shape; UNREACHABLE: transport. */
  public enum Kind { TIMEOUT, HTTP, MALFORMED, UNREACHABLE }

  private final Kind kind;

  public LlmException(Kind kind, String message) {
    this(kind, message, null);
  }

  public LlmException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
