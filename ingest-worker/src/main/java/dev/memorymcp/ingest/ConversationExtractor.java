package dev.memorymcp.ingest;

import dev.memorymcp.ingest.extract.ChatMessage;
import dev.memorymcp.ingest.extract.Extraction;
import dev.memorymcp.ingest.extract.HeuristicExtractor;
import dev.memorymcp.ingest.llm.LlmClient;
import dev.memorymcp.ingest.llm.LlmException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Chooses the extractor for a job: the LLM when one is configured, else the built-in heuristic.
 * When the LLM answers with malformed output, times out or cannot be reached, that job falls back
 * to the heuristic extractor and its status says so; the job is never dropped for it.
 */
final class ConversationExtractor {
  private final Vertx vertx;
  private final HeuristicExtractor heuristic = new HeuristicExtractor();
  private final LlmClient llm;

  /** {@code llm} may be null: heuristic only. */
  ConversationExtractor(Vertx vertx, LlmClient llm) {
    this.vertx = vertx;
    this.llm = llm;
  }

  boolean usesLlm() {
    return llm != null;
  }

  LlmClient llm() {
    return llm;
  }

  Future<Extraction> extract(List<ChatMessage> messages) {
    if (llm == null) {
      return heuristic(messages, null);
    }
    return llm.extractFacts(messages)
        .map(facts -> new Extraction(facts, LlmClient.NAME, facts.isEmpty()
            ? "nothing memorable: the LLM found no facts, preferences or decisions" : null))
        .recover(err -> heuristic(messages, "llm " + describe(err) + "; heuristic extractor used"));
  }

  /** Regexes over up to a few MB of text: off the event loop. */
  private Future<Extraction> heuristic(List<ChatMessage> messages, String fallbackNote) {
    return vertx.executeBlocking(() -> {
      Extraction e = heuristic.extract(messages);
      if (fallbackNote == null) {
        return e;
      }
      return new Extraction(e.facts(), e.extractor(), e.note() == null ? fallbackNote : fallbackNote + "; " + e.note());
    }, false);
  }

  static String describe(Throwable err) {
    if (err instanceof LlmException le) {
      return le.kind().name().toLowerCase() + ": " + le.getMessage();
    }
    return "failed: " + err;
  }
}
