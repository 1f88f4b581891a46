package dev.memorymcp.gateway.chat;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.text.TimeCues;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.mcp.ContextPacker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The recall gate for chat applications (issue 14): given the latest user message (and optionally
 * the last few turns), decides whether long-term memory is worth injecting and, if so, returns it
 * packed under a token budget. Most chat turns need no memory; answering "not needed" lets the app
 * skip the context and stay fast, and keeps unrelated memories out of the prompt.
 *
 * <p>Memory is needed when the message has a recall cue (remember, last time, prefer, 覚えて, 前回,
 * 好み …, or a time expression such as "last week" / 先週) and something relevant is stored, or when
 * the best match stands out on its own: its cosine minus the mean cosine of the other candidates (the
 * dense margin; raw cosines do not separate, e5 gives "Hello!" 0.85 against chats) at least
 * {@code chat.gate_min_margin}, or {@code chat.gate_personal_min_margin} when the message is about the
 * user ("my", "do I", 私の …); both calibrated for the default model by {@code memory-bench gate}; and
 * at least one stored memory must share a word with the message (in a small namespace the margin alone
 * lets "Hello!" through).
 * When the model does not cover the message's script (Japanese on an English model) the cosine is no
 * evidence: a personal message then needs its words to match stored memories.
 * One hybrid search serves both the decision and the context. It runs as a SEARCH for the caller,
 * so a viewer may call it and namespace and scope grants apply.
 */
public final class RecallGate {
  static final Set<String> FIELDS = Set.of("message", "recent", "max_tokens", "scope_id", "as_of");
  static final int MAX_MESSAGE = 4_000;
  static final int MAX_RECENT = 10;
  static final Set<String> ROLES = Set.of("user", "assistant", "system", "tool");
  static final int SEARCH_LIMIT = 10;
  /** A message this short ("and the other one?") borrows the previous user turn for its query. */
  static final int SHORT_MESSAGE = 40;

  /** Asks for memory outright: needed whenever something relevant is stored. */
  private static final Pattern RECALL_CUES = Pattern.compile("\\b(remember|remind me|recall|last time|previously"
      + "|as usual|as always|like (?:i|we) (?:said|discussed)|i (?:told|asked) you|i mentioned|we (?:discussed|talked about|decided)"
      + "|my (?:favou?rite|usual|preferences?)|(?:i|we) prefer|what did (?:i|we)|did (?:i|we) (?:tell|say|mention|decide)"
      + "|do you know (?:my|what i|what we|where i)|what(?:'s| is| are| was) (?:my|our)|where (?:do|did) (?:i|we)"
      + "|when (?:did|do|was|is) (?:i|we|my|our)|who (?:is|was) my)\\b"
      + "|覚えて|憶えて|前回|以前|この前|この間|いつもの|いつも通り|好み|言ったっけ|話したっけ|伝えた|教えた|決めた",
      Pattern.CASE_INSENSITIVE);
  /**
   * About the user, not the world ("my stomach", "do I have", "am I", 私の): needed when the best match
   * stands out a little ({@code chat.gate_personal_min_margin}). "How do I …" is a how-to, not a cue.
   */
  private static final Pattern PERSONAL_CUES = Pattern.compile("\\b(?:my|mine|our)\\b"
      + "|(?<!how )\\b(?:am|do|did|have|had|was|were) (?:i|we)\\b|\\b(?:i|we) (?:have|had|was|were|own|use|like)\\b"
      + "|私|わたし|僕|ぼく|俺|自分|うちの", Pattern.CASE_INSENSITIVE);

  private final GatedBus bus;
  private final int defaultMaxTokens;
  private final double minMargin;
  private final double personalMinMargin;

  /** {@code cfg}: context.max_tokens, chat.gate_min_margin, chat.gate_personal_min_margin. */
  public RecallGate(GatedBus bus, JsonObject cfg) {
    this.bus = bus;
    this.defaultMaxTokens = ContextPacker.defaultMaxTokens(cfg);
    this.minMargin = ((Number) cfg.getValue("chat.gate_min_margin", 0.05)).doubleValue();
    this.personalMinMargin = ((Number) cfg.getValue("chat.gate_personal_min_margin", 0.03)).doubleValue();
  }

  /** The recall cue of a message (a recall word or a time expression), or null. */
  static String recallCue(String message, long asOf) {
    var m = RECALL_CUES.matcher(message);
    if (m.find()) {
      return m.group();
    }
    TimeCues.Window w = TimeCues.find(message, asOf);
    return w == null ? null : w.cue();
  }

  /** The personal cue of a message, or null. */
  static String personalCue(String message) {
    var m = PERSONAL_CUES.matcher(message);
    return m.find() ? m.group() : null;
  }

  /**
   * {@code request}: {message, recent?: [{role, content}], max_tokens?, scope_id?, as_of?}. Replies
   * {needed: false, reason, signals} or {needed: true, reason, signals, context, used_tokens,
   * max_tokens, memories, omitted}; bad input fails naming the field.
   */
  public Future<JsonObject> decide(Caller caller, String namespace, JsonObject request) {
    long t0 = System.nanoTime();
    String message;
    String query;
    int maxTokens;
    String scopeId;
    Long asOf;
    try {
      Fields.rejectUnknown(request, FIELDS);
      message = Fields.requireString(request, "message", MAX_MESSAGE);
      Integer mt = Fields.optInt(request, "max_tokens", ContextPacker.MIN_TOKENS, ContextPacker.MAX_TOKENS);
      maxTokens = mt == null ? defaultMaxTokens : mt;
      scopeId = Fields.optString(request, "scope_id", MemoryInput.MAX_SHORT);
      asOf = Fields.optInstant(request, "as_of");
      query = withPreviousTurn(message, request.getValue("recent"));
    } catch (MemoryException e) {
      return Future.failedFuture(e);
    }
    String recall = recallCue(message, asOf == null ? System.currentTimeMillis() : asOf);
    String personal = recall == null ? personalCue(message) : null;
    // not an access: most answers are "not needed", and the app's use of the context is not known
    JsonObject search = new JsonObject().put("namespace", namespace).put("query", query).put("limit", SEARCH_LIMIT)
        .put("search_type", "hybrid").put("record_access", false);
    if (asOf != null) {
      search.put("as_of", Fields.iso(asOf));
    }
    return bus.request(caller, Addresses.SEARCH, search).map(found -> {
      List<JsonObject> candidates = new ArrayList<>();
      for (Object o : found.getJsonArray("results", new JsonArray())) {
        JsonObject m = (JsonObject) o;
        // another project's project-scope memories do not belong in this project's prompt
        if (scopeId == null || !"project".equals(m.getString("scope")) || scopeId.equals(m.getString("scope_id"))) {
          candidates.add(m);
        }
      }
      JsonObject searched = found.getJsonObject("signals", new JsonObject());
      double top = searched.getDouble("dense_top", 0.0);
      double margin = searched.getDouble("dense_margin", 0.0);
      boolean covered = searched.getBoolean("dense_covered", true);
      int keywordMatches = searched.getInteger("keyword_matches", 0);
      JsonObject signals = new JsonObject().put("cue", recall != null ? recall : personal)
          .put("cue_kind", recall != null ? "recall" : personal != null ? "personal" : null)
          .put("dense_top", top).put("dense_margin", margin).put("dense_covered", covered).put("keyword_matches", keywordMatches);
      String reason;
      if (candidates.isEmpty()) {
        reason = null;
      } else if (recall != null) {
        reason = "the message asks for memory (\"" + recall + "\")";
      } else if (covered && personal != null && margin >= personalMinMargin && keywordMatches > 0) {
        reason = "the message is about the user (\"" + personal + "\") and the best match stands out (margin " + margin
            + " >= " + personalMinMargin + ")";
      } else if (!covered && personal != null && keywordMatches > 0) {
        reason = "the message is about the user (\"" + personal + "\") and its words match stored memories";
      } else if (covered && margin >= minMargin && keywordMatches > 0) {
        reason = "the best match stands out (margin " + margin + " >= " + minMargin + ")";
      } else {
        reason = null;
      }
      if (reason == null) {
        String why = candidates.isEmpty() ? "nothing relevant is stored"
            : !covered ? "no recall cue and no stored words about the user match; the model does not cover the message's"
                + " script, so its cosine is no evidence"
            : keywordMatches == 0 ? "no recall cue and no stored memory shares a word with the message"
            : "no recall cue and the best match does not stand out (margin " + margin + " < "
                + (personal != null ? personalMinMargin : minMargin) + ")";
        return new JsonObject().put("needed", false).put("reason", why).put("signals", signals).put("took_ms", ms(t0));
      }
      return ContextPacker.pack(candidates, maxTokens).put("needed", true).put("reason", reason)
          .put("signals", signals).put("took_ms", ms(t0));
    });
  }

  /** The message, after the previous user turn when the message is too short to stand alone. */
  static String withPreviousTurn(String message, Object recent) {
    if (recent == null) {
      return message;
    }
    if (!(recent instanceof JsonArray turns)) {
      throw MemoryException.invalidField("recent", "must be an array of {role, content}");
    }
    if (turns.size() > MAX_RECENT) {
      throw MemoryException.invalidField("recent", "at most " + MAX_RECENT + " turns");
    }
    String previousUser = null;
    for (int i = 0; i < turns.size(); i++) {
      if (!(turns.getValue(i) instanceof JsonObject turn)) {
        throw MemoryException.invalidField("recent[" + i + "]", "must be an object {role, content}");
      }
      if (!(turn.getValue("role") instanceof String role) || !ROLES.contains(role)) {
        throw MemoryException.invalidField("recent[" + i + "].role", "must be one of " + ROLES);
      }
      Object content = turn.getValue("content");
      if (!(content instanceof String text) || text.length() > MAX_MESSAGE) {
        throw MemoryException.invalidField("recent[" + i + "].content", "must be a string of at most " + MAX_MESSAGE + " characters");
      }
      if ("user".equals(role) && !text.isBlank()) {
        previousUser = text;
      }
    }
    return message.strip().length() < SHORT_MESSAGE && previousUser != null ? previousUser + "\n" + message : message;
  }

  private static double ms(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
  }
}
