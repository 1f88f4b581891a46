package dev.memorymcp.bus;

/**
 * Failure codes carried by a {@link io.vertx.core.eventbus.ReplyException}. The numbers are
 * HTTP-like and stable on the wire; never send {@code ordinal()}.
 */
public enum ErrorCode {
  BAD_REQUEST(400),
  /** No API key, or one that is unknown, revoked or expired. */
  UNAUTHORIZED(401),
  /** A valid key whose role or grants do not allow the request. */
  FORBIDDEN(403),
  NOT_FOUND(404),
  CONFLICT(409),
  TOO_LARGE(413),
  /** The Host header is not one this server answers for (DNS-rebinding protection). */
  MISDIRECTED(421),
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
