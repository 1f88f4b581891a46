package dev.memorymcp.embedding;

import java.util.Optional;

/** What a text is embedded for; asymmetric models (e5, bge) prefix the two kinds differently. */
public enum EmbedKind {
  /** A search query. */
  QUERY,
  /** Stored text that queries are matched against. */
  PASSAGE;

  /** The wire form: {@code "query"} or {@code "passage"}. */
  public String wire() {
    return this == QUERY ? "query" : "passage";
  }

  /** Parses the wire form; empty for anything else, including null. */
  public static Optional<EmbedKind> parse(String wire) {
    if ("query".equals(wire)) {
      return Optional.of(QUERY);
    }
    if ("passage".equals(wire)) {
      return Optional.of(PASSAGE);
    }
    return Optional.empty();
  }
}
