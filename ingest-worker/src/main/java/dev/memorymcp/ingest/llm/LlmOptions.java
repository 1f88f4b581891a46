package dev.memorymcp.ingest.llm;

import java.net.URI;

/**
 * Where and how to reach the OpenAI-compatible endpoint (settings {@code llm.*}). {@code apiKey}
 * may be null or blank (local servers need none); {@link #toString()} never shows it.
 */
public record LlmOptions(String baseUrl, String model, String apiKey, long timeoutMs, int maxFacts) {
  public static final long DEFAULT_TIMEOUT_MS = 60_000;
  public static final int DEFAULT_MAX_FACTS = 20;

  public LlmOptions {
    String url = baseUrl == null ? "" : baseUrl.strip();
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw new IllegalArgumentException("llm.base_url is not a URL: '" + baseUrl + "'");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("llm.base_url must be an absolute http(s) URL such as "
          + "http://localhost:11434 or https://api.openai.com/v1, got '" + baseUrl + "'");
    }
    // the path is appended to: a query or fragment would end up in the middle of it
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("llm.base_url must have no query or fragment, got '" + baseUrl + "'");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("llm.model must be set when llm.base_url is (e.g. llama3.1:8b)");
    }
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("llm.timeout_ms must be positive, got " + timeoutMs);
    }
    if (maxFacts < 1) {
      throw new IllegalArgumentException("llm.max_facts must be at least 1, got " + maxFacts);
    }
    baseUrl = url;
    model = model.strip();
  }

  /** Options with the default timeout and fact cap. */
  public LlmOptions(String baseUrl, String model, String apiKey) {
    this(baseUrl, model, apiKey, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_FACTS);
  }

  /** True when an {@code Authorization: Bearer} header is to be sent. */
  public boolean hasApiKey() {
    return apiKey != null && !apiKey.isBlank();
  }

  /** {@code <base>/v1/chat/completions}, whether or not the base already ends in /v1. */
  public String completionsUrl() {
    String b = baseUrl;
    while (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    return (b.endsWith("/v1") ? b : b + "/v1") + "/chat/completions";
  }

  /** The API key is masked: options end up in logs and error messages. */
  @Override
  public String toString() {
    return "LlmOptions[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
        + (hasApiKey() ? "***" : "none") + ", timeoutMs=" + timeoutMs + ", maxFacts=" + maxFacts + "]";
  }
}
