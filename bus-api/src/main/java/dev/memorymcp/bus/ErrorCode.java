package dev.memorymcp.bus;

/**
 * Failure codes carried by a {@link io.vertx.core.eventbus.ReplyException}. The numbers are
 * HTTP-like and stable on the wire; never send {@code ordinal()}.
 */
public enum ErrorCode {
  BAD_REQUEST(400),
  NOT_FOUND(404),
  CONFLICT(409),
  TOO_LARGE(413),
  LIMITED(429),
  INTERNAL(500),
  UNAVAILABLE(503);

  public final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  /** The code for an int received on the wire, INTERNAL when unknown. */
  public static ErrorCode of(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return INTERNAL;
  }
}
