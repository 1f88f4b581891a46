package dev.memorymcp.ingest;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.ingest.extract.ChatMessage;
import dev.memorymcp.ingest.extract.Extraction;
import dev.memorymcp.ingest.extract.Fact;
import dev.memorymcp.ingest.llm.LlmClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one claimed ingest job: extract (or reuse the extraction an earlier attempt saved), save
 * the extraction, then apply the facts one by one. Each fact's write carries the write key
 * {@code <job id>:<fact index>}, so a retried job skips what an earlier attempt already wrote.
 */
final class JobRunner {
  /** Similar memories shown to the LLM when it decides ADD / UPDATE / DELETE / NONE. */
  static final int CANDIDATES = 5;
  static final List<String> ACTIONS = List.of("created", "merged", "updated", "deleted", "unchanged", "rejected");

  private final Vertx vertx;
  private final ConversationExtractor extractor;
  private final String worker;
  private final long leaseMs;

  JobRunner(Vertx vertx, ConversationExtractor extractor, String worker, long leaseMs) {
    this.vertx = vertx;
    this.extractor = extractor;
    this.worker = worker;
    this.leaseMs = leaseMs;
  }

  /** One applied fact: what happened and to which memory. */
  record Outcome(int index, Fact fact, String action, String memoryId, String detail, boolean replayed) {
    JsonObject toJson() {
      String preview = fact.content().length() <= 200 ? fact.content() : fact.content().substring(0, 200) + "…";
      JsonObject j = new JsonObject().put("fact", preview).put("type", fact.type()).put("action", action)
          .put("memory_id", memoryId);
      if (detail != null) {
        j.put("detail", detail);
      }
      if (replayed) {
        j.put("replayed", true);
      }
      return j;
    }
  }

  /** Completes with the job's result (for the queue's {@code complete}); fails to have it retried. */
  Future<JsonObject> run(JsonObject job) {
    JsonObject saved = job.getJsonObject("extraction");
    Future<Extraction> extraction = saved != null
        ? Future.succeededFuture(Extraction.fromJson(saved))
        : extractor.extract(messages(job)).compose(e -> Bus.request(vertx, Addresses.INGEST_CHECKPOINT,
            new JsonObject().put("job_id", job.getString("id")).put("worker", worker)
                .put("extraction", e.toJson()).put("lease_ms", leaseMs)).map(e));
    return extraction.compose(e -> applyAll(job, e).map(outcomes -> result(e, outcomes)));
  }

  static List<ChatMessage> messages(JsonObject job) {
    List<ChatMessage> out = new ArrayList<>();
    for (Object o : job.getJsonArray("messages", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      String ts = m.getString("timestamp");
      out.add(new ChatMessage(m.getString("role"), m.getString("content"),
          ts == null ? null : java.time.Instant.parse(ts).toEpochMilli()));
    }
    return out;
  }

  private Future<List<Outcome>> applyAll(JsonObject job, Extraction e) {
    List<Outcome> outcomes = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < e.facts().size(); i++) {
      int index = i;
      Fact fact = e.facts().get(i);
      chain = chain.compose(v -> apply(job, index, fact, LlmClient.NAME.equals(e.extractor()))
          .map(o -> {
            outcomes.add(o);
            return null;
          }));
    }
    return chain.map(v -> outcomes);
  }

  private Future<Outcome> apply(JsonObject job, int index, Fact fact, boolean llmDecides) {
    String key = job.getString("id") + ":" + index;
    if (!(llmDecides && extractor.usesLlm())) { // remember itself replays a write key it already wrote
      return remember(job, index, fact, fact.content(), key, null);
    }
    // on the LLM path, look first: the LLM must not be asked again about a fact already applied
    return Bus.request(vertx, Addresses.STORE_WRITE_KEY, new JsonObject().put("namespace", job.getString("namespace"))
            .put("key", key))
        .compose(found -> {
          JsonObject ev = found.getJsonObject("event");
          if (ev != null) { // an earlier attempt wrote this fact
            return Future.succeededFuture(new Outcome(index, fact, ev.getString("outcome"),
                ev.getString("memory_id"), null, true));
          }
          return decide(job, index, fact, key);
        });
  }

  /** Through remember: masking, embedding, dedupe (merge / update / supersede / relate / create). */
  private Future<Outcome> remember(JsonObject job, int index, Fact fact, String content, String key, String note) {
    JsonObject metadata = job.getJsonObject("metadata", new JsonObject()).copy().put("ingest_job", job.getString("id"));
    JsonObject memory = new JsonObject().put("content", content)
        .put("type", Memory.TYPES.contains(fact.type()) ? fact.type() : "note")
        .put("tags", new JsonArray(tags(fact.tags())))
        .put("importance", Math.max(0.0, Math.min(1.0, fact.importance())))
        .put("source", "ingest").put("metadata", metadata);
    if (job.getString("session_id") != null) {
      memory.put("session_id", job.getString("session_id"));
    }
    Long saidAt = fact.saidAt() != null ? fact.saidAt() : lastTimestamp(job);
    if (saidAt != null) { // the time it was said, not the time the worker got to it: "yesterday" stays right
      memory.put("created_at", java.time.Instant.ofEpochMilli(saidAt).toString());
    }
    for (String k : new String[] {"scope", "scope_id"}) { // the scope the chat was posted to
      if (job.getString(k) != null) {
        memory.put(k, job.getString(k));
      }
    }
    JsonObject body = new JsonObject().put("namespace", job.getString("namespace")).put("memory", memory)
        .put("job_id", job.getString("id")).put("write_key", key).put("on_behalf_of", job.getString("by"));
    return Bus.request(vertx, Addresses.STORE_REMEMBER, body)
        .map(r -> new Outcome(index, fact, r.getString("action"), r.getString("id"),
            detail(r, note), r.getBoolean("replayed", false)))
        .recover(err -> rejected(index, fact, err));
  }

  /** The latest message timestamp of the job (a fact the LLM drew from the whole chat), or null. */
  static Long lastTimestamp(JsonObject job) {
    Long last = null;
    for (ChatMessage m : messages(job)) {
      if (m.timestamp() != null && (last == null || m.timestamp() > last)) {
        last = m.timestamp();
      }
    }
    return last;
  }

  /** A fact the store refuses as invalid would fail every retry: it is reported, not retried. */
  private static Future<Outcome> rejected(int index, Fact fact, Throwable err) {
    MemoryException me = MemoryException.from(err);
    if (me.code() == ErrorCode.BAD_REQUEST || me.code() == ErrorCode.TOO_LARGE) {
      return Future.succeededFuture(new Outcome(index, fact, "rejected", null, me.getMessage(), false));
    }
    return Future.failedFuture(me);
  }

  private static String detail(JsonObject rememberReply, String note) {
    JsonObject dedupe = rememberReply.getJsonObject("dedupe");
    String d = dedupe == null ? null : dedupe.getString("decision") + ": " + dedupe.getString("reason");
    return note == null ? d : d == null ? note : note + "; " + d;
  }

  private static List<String> tags(List<String> in) {
    List<String> out = new ArrayList<>();
    for (String t : in) {
      String s = t.strip();
      if (!s.isEmpty() && out.size() < MemoryInput.MAX_TAGS) {
        out.add(s.length() > 64 ? s.substring(0, 64) : s);
      }
    }
    return out;
  }

  /** The LLM path: the most similar memories, then ADD / UPDATE / DELETE / NONE. */
  private Future<Outcome> decide(JsonObject job, int index, Fact fact, String key) {
    String ns = job.getString("namespace");
    LlmClient llm = extractor.llm();
    JsonObject sameScope = new JsonObject(); // the LLM may update only memories of the job's scope
    for (String k : new String[] {"scope", "scope_id"}) {
      if (job.getString(k) != null) {
        sameScope.put(k, job.getString(k));
      }
    }
    return Bus.request(vertx, Addresses.SEARCH, new JsonObject().put("namespace", ns)
            .put("query", fact.content()).put("limit", CANDIDATES).put("record_access", false)
            .put("filters", sameScope))
        .compose(found -> {
          List<LlmClient.Candidate> similar = new ArrayList<>();
          found.getJsonArray("results", new JsonArray()).forEach(o -> {
            JsonObject r = (JsonObject) o;
            JsonObject m = r.getJsonObject("memory", r);
            similar.add(new LlmClient.Candidate(m.getString("id"), m.getString("content")));
          });
          return llm.decide(fact, similar)
              .compose(d -> applyDecision(job, index, fact, key, d))
              .recover(err -> err instanceof MemoryException ? Future.failedFuture(err)
                  : remember(job, index, fact, fact.content(), key,
                      "llm decision " + ConversationExtractor.describe(err) + "; went through dedupe"));
        });
  }

  private Future<Outcome> applyDecision(JsonObject job, int index, Fact fact, String key, LlmClient.Decision d) {
    String ns = job.getString("namespace");
    String reason = d.reason() == null ? "llm" : "llm: " + d.reason();
    return switch (d.event()) {
      case ADD -> remember(job, index, fact, d.content() == null || d.content().isBlank() ? fact.content() : d.content(), key, reason);
      case NONE -> Future.succeededFuture(new Outcome(index, fact, "unchanged", d.memoryId(), reason, false));
      case UPDATE -> Bus.request(vertx, Addresses.STORE_UPDATE, new JsonObject().put("namespace", ns)
              .put("id", d.memoryId()).put("patch", new JsonObject().put("content", d.content()))
              .put("actor", "ingest").put("job_id", job.getString("id")).put("write_key", key))
          .map(r -> new Outcome(index, fact, "updated", d.memoryId(), reason, false))
          .recover(err -> missing(err) ? remember(job, index, fact, d.content(), key,
              reason + "; the memory to update is gone, remembered instead") : rejected(index, fact, err));
      case DELETE -> Bus.request(vertx, Addresses.STORE_DELETE, new JsonObject().put("namespace", ns)
              .put("id", d.memoryId()).put("actor", "ingest:" + job.getString("id")))
          .map(r -> new Outcome(index, fact, "deleted", d.memoryId(), reason, false))
          .recover(err -> missing(err) // deleted by an earlier attempt or meanwhile: the goal holds
              ? Future.succeededFuture(new Outcome(index, fact, "deleted", d.memoryId(), reason + "; already gone", false))
              : Future.failedFuture(err));
    };
  }

  private static boolean missing(Throwable err) {
    return MemoryException.from(err).code() == ErrorCode.NOT_FOUND;
  }

  /** The job's result: ids per action, one item per fact, and a note whenever nothing new was learned. */
  static JsonObject result(Extraction e, List<Outcome> outcomes) {
    JsonObject memories = new JsonObject();
    ACTIONS.forEach(a -> memories.put(a, new JsonArray()));
    for (Outcome o : outcomes) {
      JsonArray ids = memories.getJsonArray(o.action());
      if (ids != null && o.memoryId() != null && !ids.contains(o.memoryId())) {
        ids.add(o.memoryId());
      }
    }
    long learned = outcomes.stream().filter(o -> List.of("created", "updated", "deleted").contains(o.action())).count();
    String note = e.note();
    if (e.facts().isEmpty()) {
      note = note != null ? note : "nothing memorable";
    } else if (learned == 0) {
      long rejected = outcomes.stream().filter(o -> o.action().equals("rejected")).count();
      String why = rejected == outcomes.size() ? "all " + rejected + " fact(s) were rejected by the store (see items)"
          : "all duplicates: " + outcomes.size() + " fact(s) were already known";
      note = note == null ? why : note + "; " + why;
    }
    return new JsonObject().put("extractor", e.extractor()).put("facts", e.facts().size())
        .put("note", note).put("memories", memories)
        .put("items", new JsonArray(outcomes.stream().map(Outcome::toJson).toList()));
  }
}
