package dev.memorymcp.storage.migrate;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.MemoryStore;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import dev.memorymcp.storage.StoreTransfer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * One migration run from a source store to a target store: plans the namespaces and item counts,
 * checks that both hold vectors of the same model and dimension (vectors are copied, never
 * re-embedded), copies batch by batch with a checkpoint (the last id copied per namespace) after
 * each, then verifies counts and a sample of vectors and histories. The source is only read.
 * The state is a JSON object (see {@link MigrationJobs}); a run given a state with checkpoints
 * resumes after them, and since writing an item replaces it, the batch in flight at a crash is
 * simply copied again.
 */
public final class Migration {
  static final int SAMPLE_PER_NAMESPACE = 20;
  /** Qdrant stores cosine vectors normalised; ours are already unit length, so allow rounding only. */
  static final double VECTOR_TOLERANCE = 1e-4;

  private final Store source;
  private final Store target;
  private final JsonObject state;
  private final Function<JsonObject, Future<Void>> checkpoint;
  private final Map<String, List<StoreTransfer.Item>> samples = new LinkedHashMap<>();
  private final Map<String, long[]> seenPerNamespace = new LinkedHashMap<>();
  private final Random random = new Random();

  /** A store with its transfer side. */
  public record Store(MemoryStore store, StoreTransfer transfer) {
    public static <S extends MemoryStore & StoreTransfer> Store of(S s) {
      return new Store(s, s);
    }
  }

  /**
   * {@code checkpoint} persists a copy of the state after every change that matters (planned, each
   * batch, verification, the end); the run goes on once it completes.
   */
  public Migration(Store source, Store target, JsonObject state, Function<JsonObject, Future<Void>> checkpoint) {
    this.source = source;
    this.target = target;
    this.state = state;
    this.checkpoint = checkpoint;
  }

  /** A new job's state. {@code namespace} null means every namespace of the source. */
  public static JsonObject newState(String jobId, String from, String to, String namespace, int batchSize, boolean dryRun) {
    String now = Instant.now().toString();
    return new JsonObject().put("job_id", jobId).put("source", from).put("target", to).put("namespace", namespace)
        .put("batch_size", batchSize).put("dry_run", dryRun).put("status", "running").put("created_at", now)
        .put("updated_at", now).put("total", 0L).put("done", 0L);
  }

  /** Runs to the end; the returned state has status done or failed (with {@code error}). */
  public Future<JsonObject> run() {
    return checkModels()
        .compose(v -> state.getJsonArray("namespaces") == null ? plan() : Future.succeededFuture())
        .compose(v -> state.getBoolean("dry_run") ? Future.succeededFuture() : copyAll().compose(x -> verify()))
        .transform(ar -> {
          state.put("finished_at", Instant.now().toString());
          if (ar.succeeded()) {
            state.put("status", "done");
          } else {
            MemoryException e = MemoryException.from(ar.cause());
            state.put("status", "failed").put("error", new JsonObject().put("code", e.error()).put("message", e.getMessage()));
          }
          return save().transform(x -> Future.succeededFuture(state));
        });
  }

  /** Refuses a dimension or model mismatch; stamps an unstamped target with the source's model. */
  private Future<Void> checkModels() {
    return Future.all(source.store().modelStamp(), target.store().modelStamp()).compose(cf -> {
      ModelStamp from = cf.resultAt(0);
      ModelStamp to = cf.resultAt(1);
      state.put("model", new JsonObject().put("source", stampJson(from)).put("target", stampJson(to)));
      if (from == null || to != null && from.equals(to)) {
        return Future.succeededFuture();
      }
      if (to == null) {
        return state.getBoolean("dry_run") ? Future.succeededFuture() : target.store().stampModel(from);
      }
      if (from.dimension() != to.dimension()) {
        return Future.failedFuture(new MemoryException(ErrorCode.CONFLICT, "DIMENSION_MISMATCH", String.format(
            "the source's vectors have %d dimensions (model %s) but the target holds %d-dimension vectors (model %s); "
                + "migrate into an empty target, or rebuild one side with the other's model first",
            from.dimension(), from.model(), to.dimension(), to.model())));
      }
      return Future.failedFuture(new MemoryException(ErrorCode.CONFLICT, "MODEL_MISMATCH", String.format(
          "the source's vectors come from model %s but the target's from %s (both %d dimensions); mixing them "
              + "would make recall meaningless. Migrate into an empty target, or rebuild one side first",
          from.model(), to.model(), from.dimension())));
    });
  }

  private Future<Void> plan() {
    Future<List<String>> names = state.getString("namespace") != null
        ? Future.succeededFuture(List.of(state.getString("namespace"))) : source.transfer().namespaces();
    return names.compose(list -> {
      JsonArray planned = new JsonArray();
      Future<Void> chain = Future.succeededFuture();
      for (String ns : list) {
        chain = chain.compose(v -> source.transfer().itemCount(ns).map(n -> {
          planned.add(new JsonObject().put("namespace", ns).put("total", n).put("done", 0L).putNull("cursor")
              .put("status", n == 0 ? "done" : "pending"));
          return null;
        }));
      }
      return chain.compose(v -> {
        state.put("namespaces", planned);
        state.put("total", planned.stream().mapToLong(o -> ((JsonObject) o).getLong("total")).sum());
        return save();
      });
    });
  }

  private Future<Void> copyAll() {
    Future<Void> chain = Future.succeededFuture();
    for (Object o : state.getJsonArray("namespaces")) {
      JsonObject ns = (JsonObject) o;
      chain = chain.compose(v -> copy(ns));
    }
    return chain;
  }

  /** Copies one namespace from its checkpoint on, one batch after another. */
  private Future<Void> copy(JsonObject ns) {
    if ("done".equals(ns.getString("status")) || "copied".equals(ns.getString("status"))) {
      return Future.succeededFuture();
    }
    ns.put("status", "copying");
    String name = ns.getString("namespace");
    return source.transfer().readItems(name, ns.getString("cursor"), state.getInteger("batch_size")).compose(page -> {
      List<StoreTransfer.Item> items = page.items();
      if (items.isEmpty() && page.cursor() == null) {
        ns.put("status", "copied");
        return save();
      }
      return target.transfer().writeItems(name, items).compose(v -> {
        sample(name, items);
        ns.put("cursor", page.cursor()).put("done", ns.getLong("done") + items.size());
        state.put("done", state.getLong("done") + items.size());
        if (page.cursor() == null) {
          ns.put("status", "copied");
          return save();
        }
        return save().compose(x -> copy(ns));
      });
    });
  }

  /** Keeps a uniform sample of the items copied in this run (reservoir), for the vector check. */
  private void sample(String ns, List<StoreTransfer.Item> items) {
    List<StoreTransfer.Item> kept = samples.computeIfAbsent(ns, k -> new ArrayList<>());
    for (StoreTransfer.Item item : items) {
      long seen = ++seenPerNamespace.computeIfAbsent(ns, k -> new long[1])[0];
      if (kept.size() < SAMPLE_PER_NAMESPACE) {
        kept.add(item);
      } else {
        long j = (long) (random.nextDouble() * seen);
        if (j < SAMPLE_PER_NAMESPACE) {
          kept.set((int) j, item);
        }
      }
    }
  }

  /** Compares item and memory counts per namespace, and the sampled items' vectors and histories. */
  private Future<Void> verify() {
    state.put("status", "verifying");
    JsonArray perNamespace = new JsonArray();
    List<String> differences = new ArrayList<>();
    int[] vectorsChecked = {0};
    Future<Void> chain = save();
    for (Object o : state.getJsonArray("namespaces")) {
      String ns = ((JsonObject) o).getString("namespace");
      chain = chain.compose(v -> Future.all(source.transfer().itemCount(ns), target.transfer().itemCount(ns),
          source.store().count(ns), target.store().count(ns)).compose(cf -> {
            long si = cf.resultAt(0), ti = cf.resultAt(1), sm = cf.resultAt(2), tm = cf.resultAt(3);
            perNamespace.add(new JsonObject().put("namespace", ns).put("source_items", si).put("target_items", ti)
                .put("source_memories", sm).put("target_memories", tm));
            if (si != ti) {
              differences.add(ns + ": the source has " + si + " items (memories and histories), the target " + ti
                  + (ti > si ? " (the target held other data, or the source changed during the copy)" : ""));
            }
            if (sm != tm) {
              differences.add(ns + ": the source has " + sm + " memories, the target " + tm);
            }
            return checkSample(ns, differences, vectorsChecked);
          }));
    }
    return chain.map(v -> {
      state.put("verify", new JsonObject().put("ok", differences.isEmpty()).put("namespaces", perNamespace)
          .put("vectors_checked", vectorsChecked[0]).put("differences", new JsonArray(differences)));
      return null;
    });
  }

  private Future<Void> checkSample(String ns, List<String> differences, int[] vectorsChecked) {
    List<StoreTransfer.Item> kept = samples.getOrDefault(ns, List.of());
    List<String> ids = kept.stream().map(StoreTransfer.Item::id).toList();
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.all(target.store().vectors(ns, ids), Future.all(ids.stream().map(id -> target.store().history(ns, id)).toList()))
        .map(cf -> {
          Map<String, float[]> copied = cf.resultAt(0);
          io.vertx.core.CompositeFuture histories = cf.resultAt(1);
          for (int i = 0; i < kept.size(); i++) {
            StoreTransfer.Item item = kept.get(i);
            if (item.vector() != null && item.memory() != null) {
              vectorsChecked[0]++;
              float[] got = copied.get(item.id());
              if (got == null) {
                differences.add(ns + ": memory " + item.id() + " has no vector in the target");
              } else if (!close(item.vector(), got)) {
                differences.add(ns + ": the vector of memory " + item.id() + " differs in the target");
              }
            }
            List<?> history = histories.resultAt(i);
            if (history.size() != item.history().size()) {
              differences.add(ns + ": memory " + item.id() + " has " + item.history().size() + " events in the source, "
                  + history.size() + " in the target");
            }
          }
          return null;
        });
  }

  public static boolean close(float[] a, float[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > VECTOR_TOLERANCE) {
        return false;
      }
    }
    return true;
  }

  private Future<Void> save() {
    state.put("updated_at", Instant.now().toString());
    return checkpoint.apply(state.copy());
  }

  private static JsonObject stampJson(ModelStamp s) {
    return s == null ? null : new JsonObject().put("model", s.model()).put("dimension", s.dimension());
  }
}
