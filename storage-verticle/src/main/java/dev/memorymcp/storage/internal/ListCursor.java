package dev.memorymcp.storage.internal;

import dev.memorymcp.bus.MemoryException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The keyset position of a listing: the last row's created_at and seq, as opaque URL-safe text. */
public record ListCursor(long createdAt, long seq) {

  public String encode() {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((createdAt + ":" + seq).getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a cursor from a previous page; anything else is a 400 naming {@code cursor}. */
  public static ListCursor decode(String cursor) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = s.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("no separator");
      }
      return new ListCursor(Long.parseLong(s.substring(0, colon)),
          Long.parseLong(s.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw MemoryException.invalidField("cursor", "is not a cursor returned by a previous page");
    }
  }
}
