package dev.memorymcp.ingest.llm;

import java.net.URI;

/** Where and how to reach the OpenAI-compatible endpoint (settings {@code llm.*}). */
public record LlmOptions(String baseUrl, String model, String apiKey, long timeoutMs, int maxFacts) {
  public LlmOptions {
    URI uri;
    try {
      uri = URI.create(baseUrl == null ? "" : baseUrl.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("llm.base_url is not a URL: " + baseUrl);
    }
    if (!uri.isAbsolute() || uri.getHost() == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new IllegalArgumentException("llm.base_url must be an absolute http(s) URL such as "
          + "http://localhost:11434/v1, got '" + baseUrl + "'");
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
    baseUrl = baseUrl.strip();
  }

  /** {@code <base>/v1/chat/completions}, whether or not the base already ends in /v1. */
  public String completionsUrl() {
    String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return (b.endsWith("/v1") ? b : b + "/v1") + "/chat/completions";
  }
}
