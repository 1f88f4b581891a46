package dev.memorymcp.storage;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.bus.Relation;
import dev.memorymcp.bus.Vectors;
import dev.memorymcp.storage.catalogue.Tagger;
import dev.memorymcp.storage.dedupe.DedupePolicy;
import dev.memorymcp.storage.dedupe.DedupePolicy.Decision;
import dev.memorymcp.storage.dedupe.DedupePolicy.Neighbour;
import dev.memorymcp.storage.dedupe.Lexical;
import dev.memorymcp.storage.mask.SecretMasker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The write side: remember (mask, embed, dedupe, write), update, merge and relate. Writes to one
 * namespace run one after another, so two concurrent remembers of the same text cannot both
 * create.
 */
final class MemoryService {
  private final MemoryStore store;
  private final EmbeddingClient embeddings;
  /** Both follow the model whose vectors the store serves (they change when an online rebuild switches). */
  private volatile DedupePolicy policy;
  private final boolean dedupe;
  /** Whether a memory written without a category or tags gets inferred ones. */
  private final boolean inferTags;
  private volatile String model;
  private final TtlPolicy ttl;
  private final NamespaceWriteQueue queue = new NamespaceWriteQueue();
  private final DedupeNeighbours neighbours;

  MemoryService(MemoryStore store, EmbeddingClient embeddings, DedupePolicy policy, boolean dedupe,
      boolean inferTags, String model, TtlPolicy ttl) {
    this.inferTags = inferTags;
    this.store = store;
    this.embeddings = embeddings;
    this.policy = policy;
    this.dedupe = dedupe;
    this.model = model;
    this.ttl = ttl;
    this.neighbours = new DedupeNeighbours(store, () -> this.policy);
  }

  /** Runs {@code op} after every earlier write of the namespace has finished. */
  <T> Future<T> serial(String ns, Supplier<Future<T>> op) {
    return queue.serial(ns, op);
  }

  /** Runs {@code op} alone: after every write queued before it, before every write queued after it. */
  <T> Future<T> exclusive(Supplier<Future<T>> op) {
    return queue.exclusive(op);
  }

  /** Completes when every write queued so far has finished (drained on stop). */
  Future<Void> drain() {
    return queue.drain();
  }

  /** The model new vectors are made with (the one whose vectors the store serves). */
  String model() {
    return model;
  }

  /** The dedupe policy of that model. */
  DedupePolicy policy() {
    return policy;
  }

  /** Everything written from now on uses this model's vectors and dedupe thresholds. */
  void useModel(String model, DedupePolicy policy) {
    this.model = model;
    this.policy = policy;
  }

  Future<JsonObject> remember(String ns, MemoryInput raw) {
    return remember(ns, raw, WriteOrigin.NONE);
  }

  /**
   * Remember on behalf of {@code origin}: when its write key was already written (a retried
   * ingest job), replies with that earlier outcome ({@code replayed: true}) and writes nothing.
   */
  Future<JsonObject> remember(String ns, MemoryInput raw, WriteOrigin origin) {
    origin.principal().checkWritableScope("scope_id", raw.scopeId());
    Set<String> masked = new LinkedHashSet<>();
    MemoryInput in = masked(raw, masked);
    // An ingest job's fact is embedded in the embedding service's background lane, at a lower CPU
    // priority than requests, and before the namespace's write order: inside it, that slower
    // embedding would hold every remember of the namespace behind it, the user's own included. A
    // model switch that came in between (the serving model changed) embeds it again inside, as the
    // write order is what keeps a vector and the store's model together.
    boolean background = origin.jobId() != null;
    String embeddedWith = model;
    Future<float[]> early = background ? embeddings.passage(in.content(), true) : null;
    Supplier<Future<JsonObject>> inOrder = () -> serial(ns, () -> replayed(ns, origin).compose(earlier -> earlier != null
        ? Future.succeededFuture(earlier)
        : checkTargets(ns, in, origin.principal())
            .compose(v -> early != null && java.util.Objects.equals(model, embeddedWith)
                ? early : embeddings.passage(in.content(), background))
            .compose(vector -> dedupeAndWrite(ns, in, vector, masked, origin))));
    return early == null ? inOrder.get() : early.compose(v -> inOrder.get());
  }

  /** Dedupe against the neighbours, then the write; inside the namespace's write order. */
  private Future<JsonObject> dedupeAndWrite(String ns, MemoryInput in, float[] vector, Set<String> masked, WriteOrigin origin) {
    return (dedupe ? neighbours.of(ns, in, vector) : Future.succeededFuture(List.<Neighbour>of()))
        .compose(nb -> apply(ns, in, vector, nb, origin))
        .map(reply -> reply.put("masked", new JsonArray(new ArrayList<>(masked))));
  }

  /**
   * The input with secrets masked in content, name and summary (the kinds found go to {@code kinds}),
   * and a category and tags inferred where it has none (catalogue.infer).
   */
  private MemoryInput masked(MemoryInput raw, Set<String> kinds) {
    SecretMasker.Result content = SecretMasker.mask(raw.content());
    SecretMasker.Result name = SecretMasker.mask(raw.name());
    SecretMasker.Result summary = SecretMasker.mask(raw.summary());
    kinds.addAll(content.kinds());
    kinds.addAll(name.kinds());
    kinds.addAll(summary.kinds());
    MemoryInput in = new MemoryInput(content.text(), raw.type(), raw.scope(), raw.scopeId(),
        name.text(), summary.text(), raw.tags(), raw.category(), raw.importance(),
        raw.confidence(), raw.metadata(), raw.source(), raw.sessionId(), raw.createdAt(),
        raw.expiresAt(), raw.relations());
    return inferTags ? Tagger.fill(in) : in;
  }

  /**
   * Remembers several memories in one transaction (a bulk import): all are written or none is.
   * Texts are embedded in batches. With {@code dedupeOn}, each input is checked against the stored
   * memories and against the ones before it in the same batch, so the outcome is the one a
   * sequence of single remembers would give. Replies {results: [{id, action}]} in input order.
   */
  Future<JsonObject> rememberBatch(String ns, List<MemoryInput> raws, boolean dedupeOn, WriteOrigin origin) {
    for (int i = 0; i < raws.size(); i++) {
      origin.principal().checkWritableScope("memories[" + i + "].scope_id", raws.get(i).scopeId());
    }
    Set<String> kinds = new LinkedHashSet<>();
    List<MemoryInput> inputs = raws.stream().map(r -> masked(r, kinds)).toList();
    return serial(ns, () -> {
      Future<Void> checked = Future.succeededFuture();
      for (int i = 0; i < inputs.size(); i++) {
        MemoryInput in = inputs.get(i);
        String at = "memories[" + i + "]";
        checked = checked.compose(v -> checkTargets(ns, in, origin.principal()).recover(err -> Future.failedFuture(
            err instanceof MemoryException me ? me.withFieldPrefix(at) : err)));
      }
      return checked.compose(v -> embeddings.passages(inputs.stream().map(MemoryInput::content).toList()))
          .compose(vectors -> {
            BatchPlan plan = new BatchPlan();
            Future<Void> chain = Future.succeededFuture();
            for (int i = 0; i < inputs.size(); i++) {
              MemoryInput in = inputs.get(i);
              float[] vector = vectors.get(i);
              chain = chain.compose(v -> planOne(ns, in, vector, dedupeOn && dedupe, plan, origin));
            }
            return chain.compose(v -> store.writeAll(plan.writes))
                .map(v -> new JsonObject().put("results", new JsonArray(plan.results))
                    .put("masked", new JsonArray(new ArrayList<>(kinds))));
          });
    });
  }

  /** The writes of a batch so far, and the latest planned state of every memory it touches. */
  private static final class BatchPlan {
    final List<MemoryStore.Write> writes = new ArrayList<>();
    final List<JsonObject> results = new ArrayList<>();
    final Map<String, Memory> memories = new LinkedHashMap<>();
    final Map<String, float[]> vectors = new HashMap<>();
  }

  private Future<Void> planOne(String ns, MemoryInput in, float[] vector, boolean dedupeOn, BatchPlan plan,
      WriteOrigin origin) {
    Future<List<Neighbour>> nb = dedupeOn ? neighbours.of(ns, in, vector) : Future.succeededFuture(List.of());
    return nb.compose(stored -> {
      List<Neighbour> all = new ArrayList<>();
      Set<String> seen = new java.util.HashSet<>();
      for (Neighbour n : stored) { // a memory already changed by this batch is judged by its new text
        Memory m = plan.memories.get(n.id());
        all.add(m == null ? n : new Neighbour(n.id(), m.content(), n.dense()));
        seen.add(n.id());
      }
      if (dedupeOn) {
        plan.memories.values().stream()
            .filter(m -> !seen.contains(m.id()) && m.scope().equals(in.scope())
                && DedupeNeighbours.sameScopeId(m.scopeId(), in.scopeId()))
            .forEach(m -> all.add(new Neighbour(m.id(), m.content(), Vectors.dot(vector, plan.vectors.get(m.id())))));
        all.sort((a, b) -> Double.compare(b.dense(), a.dense()));
      }
      Decision d = dedupeOn ? policy.decide(in.content(), all)
          : new Decision(DedupePolicy.Action.CREATE, null, List.of(), 0, 0, "dedupe off");
      if (dedupeOn) {
        StorageMetrics.dedupe(d.action());
      }
      boolean merge = d.action() == DedupePolicy.Action.MERGE || d.action() == DedupePolicy.Action.UPDATE;
      Future<Memory> target = !merge ? Future.succeededFuture(null)
          : plan.memories.containsKey(d.targetId()) ? Future.succeededFuture(plan.memories.get(d.targetId()))
          : store.get(ns, d.targetId());
      return target.map(old -> {
        MemoryStore.Write w = old == null
            ? DedupeWrites.create(ns, in, vector, merge ? new Decision(DedupePolicy.Action.CREATE, null, List.of(), 0, 0,
                "target vanished") : d, origin, ttl, model)
            : DedupeWrites.merge(ns, in, vector, d, origin, old, model);
        plan.writes.add(w);
        plan.memories.put(w.memory().id(), w.memory());
        if (w.vector() != null) {
          plan.vectors.put(w.memory().id(), w.vector());
        }
        plan.results.add(new JsonObject().put("id", w.memory().id()).put("action", action(w, d)));
        return null;
      });
    });
  }

  private static String action(MemoryStore.Write w, Decision d) {
    if (w.create()) {
      return "created";
    }
    return d.action() == DedupePolicy.Action.UPDATE ? "updated" : "merged";
  }

  /** The outcome of an earlier write with the origin's write key, or null when there was none. */
  private Future<JsonObject> replayed(String ns, WriteOrigin origin) {
    if (origin.writeKey() == null) {
      return Future.succeededFuture(null);
    }
    return store.eventByWriteKey(ns, origin.writeKey()).compose(ev -> ev == null
        ? Future.succeededFuture(null)
        : store.get(ns, ev.memoryId()).map(m -> new JsonObject().put("id", ev.memoryId())
            .put("action", outcome(ev)).put("replayed", true)
            .put("memory", m == null ? null : m.toJson())));
  }

  /** created | merged | updated, as the reply of the write that left this event said. */
  static String outcome(MemoryEvent ev) {
    return switch (ev.type()) {
      case MemoryEvent.CREATE -> "created";
      case MemoryEvent.MERGE -> ev.data().getString("action", "merged");
      default -> "updated";
    };
  }

  /** Every relation target must exist and be visible to the writer (one it may not see is missing). */
  private Future<Void> checkTargets(String ns, MemoryInput in, Principal writer) {
    if (in.relations().isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> ids = in.relations().stream().map(MemoryInput.RelationRef::targetId).toList();
    return store.getMany(ns, ids).compose(found -> {
      Set<String> have = new LinkedHashSet<>();
      found.stream().filter(m -> writer.canSee(m.scopeId())).forEach(m -> have.add(m.id()));
      for (int i = 0; i < ids.size(); i++) {
        if (!have.contains(ids.get(i))) {
          return Future.failedFuture(MemoryException.invalidField("relations[" + i + "].target_id",
              "no memory with id " + ids.get(i) + " in this namespace"));
        }
      }
      return Future.succeededFuture();
    });
  }

  private Future<JsonObject> apply(String ns, MemoryInput in, float[] vector, List<Neighbour> nb,
      WriteOrigin origin) {
    Decision d = policy.decide(in.content(), nb);
    StorageMetrics.dedupe(d.action());
    JsonArray similar = new JsonArray();
    for (Neighbour n : nb) {
      similar.add(new JsonObject().put("id", n.id()).put("score", round(n.dense()))
          .put("lexical", round(Lexical.similarity(in.content(), n.content())))
          .put("content", preview(n.content())));
    }
    JsonObject dedupeInfo = new JsonObject().put("decision", d.action().name().toLowerCase())
        .put("reason", d.reason());
    return switch (d.action()) {
      case MERGE, UPDATE -> merge(ns, in, vector, d, origin).map(r -> r.put("similar", similar).put("dedupe", dedupeInfo));
      default -> create(ns, in, vector, d, origin).map(r -> r.put("similar", similar).put("dedupe", dedupeInfo));
    };
  }

  private Future<JsonObject> create(String ns, MemoryInput in, float[] vector, Decision d,
      WriteOrigin origin) {
    MemoryStore.Write w = DedupeWrites.create(ns, in, vector, d, origin, ttl, model);
    return store.create(w.memory(), vector, w.event(), w.relations()).map(v -> new JsonObject()
        .put("id", w.memory().id()).put("action", "created").put("memory", w.memory().toJson())
        .put("relations", new JsonArray(w.relations().stream().map(Relation::toJson).toList())));
  }

  /** Folds the input into an existing memory; its previous state and the input stay in the MERGE event. */
  private Future<JsonObject> merge(String ns, MemoryInput in, float[] vector, Decision d,
      WriteOrigin origin) {
    return store.get(ns, d.targetId()).compose(old -> {
      if (old == null) {
        return create(ns, in, vector, new Decision(DedupePolicy.Action.CREATE, null, List.of(), 0, 0, "target vanished"), origin);
      }
      MemoryStore.Write w = DedupeWrites.merge(ns, in, vector, d, origin, old, model);
      String action = d.action() == DedupePolicy.Action.UPDATE ? "updated" : "merged";
      return store.update(w.memory(), w.vector(), w.event())
          .compose(v -> w.relations().isEmpty() ? Future.succeededFuture(List.<Relation>of()) : store.relate(w.relations()))
          .map(stored -> new JsonObject().put("id", old.id())
              .put("action", action).put("memory", w.memory().toJson())
              .put("relations", new JsonArray(stored.stream().map(Relation::toJson).toList())));
    });
  }

  /** Applies a validated patch; re-masks and re-embeds when the content changes. */
  Future<JsonObject> update(String ns, String id, JsonObject patch, String actor) {
    return update(ns, id, patch, actor, WriteOrigin.NONE);
  }

  Future<JsonObject> update(String ns, String id, JsonObject rawPatch, String actor, WriteOrigin origin) {
    return serial(ns, () -> replayed(ns, origin).compose(earlier -> earlier != null
        ? Future.succeededFuture(earlier.put("changed", false))
        : store.get(ns, id).compose(old -> {
      if (old == null || !origin.principal().canSee(old.scopeId())) {
        return Future.failedFuture(MemoryException.notFound(id));
      }
      JsonObject patch = TagEdits.apply(rawPatch, old.tags());
      if (patch.containsKey("scope_id")) {
        origin.principal().checkWritableScope("patch.scope_id", patch.getString("scope_id"));
      }
      return applyPatch(ns, old, patch, actor, origin.stamp(new JsonObject()));
    })));
  }

  /**
   * Writes {@code patch} over {@code old} (the caller runs in the namespace's write order and has
   * checked access): content, name and summary re-masked, content re-embedded, one UPDATE event with
   * {@code eventData} plus the {from, to} of each field that changed; nothing written when none did.
   * Replies {memory, changed, changes?, masked?, reembedded?}.
   */
  Future<JsonObject> applyPatch(String ns, Memory old, JsonObject patch, String actor, JsonObject eventData) {
    JsonObject before = old.toJson();
    JsonObject after = before.copy();
    JsonArray masked = new JsonArray();
    for (String k : patch.fieldNames()) {
      Object v = patch.getValue(k);
      if (v instanceof String s && (k.equals("content") || k.equals("name") || k.equals("summary"))) {
        SecretMasker.Result r = SecretMasker.mask(s);
        r.kinds().forEach(masked::add);
        v = r.text();
      }
      after.put(k, v);
    }
    JsonObject changes = new JsonObject();
    for (String k : patch.fieldNames()) {
      if (!java.util.Objects.equals(before.getValue(k), after.getValue(k))) {
        changes.put(k, new JsonObject().put("from", before.getValue(k)).put("to", after.getValue(k)));
      }
    }
    if (changes.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("memory", before).put("changed", false));
    }
    long now = System.currentTimeMillis();
    after.put("updated_at", dev.memorymcp.bus.Fields.iso(now));
    Memory updated = Memory.fromJson(after);
    MemoryEvent ev = MemoryEvent.of(old.id(), ns, MemoryEvent.UPDATE, actor, null, eventData.put("changes", changes), now);
    Future<float[]> vector = changes.containsKey("content")
        ? embeddings.passage(updated.content()) : Future.succeededFuture(null);
    return vector.compose(vec -> {
      Memory stored = withModel(updated, vec);
      return store.update(stored, vec, ev).map(stored);
    }).map(stored -> new JsonObject().put("memory", stored.toJson())
        .put("changed", true).put("changes", changes).put("masked", masked)
        .put("reembedded", vector.result() != null));
  }

  /** The memory stamped with the serving model when {@code vec} is a new vector of it. */
  Memory withModel(Memory m, float[] vec) {
    if (vec == null) {
      return m;
    }
    return new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(), m.name(),
        m.content(), m.summary(), m.tags(), m.category(), m.importance(), m.confidence(),
        m.metadata(), m.source(), m.sessionId(), m.createdAt(), m.updatedAt(), m.expiresAt(),
        m.accessCount(), m.lastAccessed(), model);
  }

  Future<List<String>> delete(String ns, List<String> ids, String actor) {
    return serial(ns, () -> store.delete(ns, ids, actor, null));
  }

  Future<List<Relation>> relate(String ns, List<Relation> rels) {
    return serial(ns, () -> store.relate(rels));
  }

  static double round(double d) {
    return Math.round(d * 10000.0) / 10000.0;
  }

  static String preview(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
