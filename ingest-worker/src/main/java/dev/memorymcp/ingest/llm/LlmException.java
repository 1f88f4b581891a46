package dev.memorymcp.ingest.llm;

/** Why an LLM call gave no usable answer; every kind makes the job fall back to the heuristic extractor. */
public final class LlmException extends RuntimeException {
  public enum Kind { TIMEOUT, HTTP, MALFORMED, UNREACHABLE }

  private final Kind kind;

  public LlmException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
