package dev.memorymcp.storage;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switching models while the service runs: every memory is re-embedded with the configured model
 * into a side table while the vectors of the model the store was filled with keep answering recall
 * (queries and new writes are embedded with that model meanwhile). When no memory is left without
 * an up-to-date new vector, writes pause for one transaction that swaps the vectors in and
 * re-stamps the store, and from then on everything uses the configured model. Progress is
 * published on {@link Addresses#STORE_REBUILD_PROGRESS} and answered by {@link #status}. Survives a
 * restart: the vectors already made are kept and the run resumes.
 */
final class OnlineRebuild {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineRebuild.class);
  static final int DEFAULT_BATCH = 32;

  private final Vertx vertx;
  private final MemoryStore store;
  private final EmbeddingClient embeddings;
  private final MemoryService service;
  private final ModelStamp configured;
  private final long pauseMs;
  private final Runnable onSwitched;
  private volatile ModelStamp serving;
  private volatile JsonObject state;

  /**
   * @param serving the model whose vectors the store holds (answering recall until a run finishes)
   * @param pauseMs wait between batches, to leave the machine to the users on a busy server
   * @param onSwitched runs in the swapping step, before writes resume: everything else that embeds
   *     turns to the configured model
   */
  OnlineRebuild(Vertx vertx, MemoryStore store, EmbeddingClient embeddings, MemoryService service,
      ModelStamp configured, ModelStamp serving, long pauseMs, Runnable onSwitched) {
    this.vertx = vertx;
    this.store = store;
    this.embeddings = embeddings;
    this.service = service;
    this.configured = configured;
    this.serving = serving;
    this.pauseMs = pauseMs;
    this.onSwitched = onSwitched;
    this.state = new JsonObject().put("status", "idle");
  }

  /** The model whose vectors answer recall now. */
  ModelStamp serving() {
    return serving;
  }

  boolean running() {
    return "running".equals(state.getString("status"));
  }

  /** {status: idle|running|done|failed, from, to, done, total, serving_model, started_at, finished_at, swap_ms, error}. */
  JsonObject status() {
    return state.copy().put("serving_model", serving.model());
  }

  /** Refuses {@code what} while a run is going on (CONFLICT REBUILD_RUNNING). */
  Future<Void> refuseWhileRunning(String what) {
    return running() ? Future.failedFuture(new MemoryException(ErrorCode.CONFLICT, "REBUILD_RUNNING",
        what + " waits until the running rebuild to " + state.getString("to") + " has finished (GET /api/v1/admin/rebuild)"))
        : Future.succeededFuture();
  }

  /**
   * Starts a run towards the configured model ({batch_size?}); answers at once with the status.
   * CONFLICT when one runs already or the backend re-embeds only offline.
   */
  Future<JsonObject> start(JsonObject body) {
    Integer batch = Fields.optInt(body, "batch_size", 1, 256);
    if (running()) {
      return Future.failedFuture(new MemoryException(ErrorCode.CONFLICT, "REBUILD_RUNNING",
          "a rebuild to " + state.getString("to") + " is already running", status()));
    }
    if (!store.rebuildsOnline()) {
      return store.beginRebuild(configured).map(status()); // fails with ONLINE_REBUILD_UNSUPPORTED
    }
    state = new JsonObject().put("status", "running").put("from", serving.model()).put("to", configured.model())
        .put("done", 0L).put("total", (Long) null).put("started_at", Fields.iso(System.currentTimeMillis()));
    int size = batch == null ? DEFAULT_BATCH : batch;
    // nothing written with the old model is in flight when the run starts (an import checks first)
    service.exclusive(() -> store.beginRebuild(configured))
        .compose(v -> store.rebuildPendingCount())
        .onSuccess(total -> {
          LOG.info("rebuild: re-embedding {} memories with {} while {} keeps serving", total, configured.model(),
              serving.model());
          state.put("total", total);
          pass(null, size, 0);
        })
        .onFailure(this::failed);
    return Future.succeededFuture(status());
  }

  /**
   * One pass over the pending memories by id; {@code embedded} counts this pass's memories. A pass
   * that found more than one batch is followed by another (for what was written meanwhile), so the
   * step with writes paused has at most about one batch left to do.
   */
  private void pass(String afterId, int size, long embedded) {
    store.rebuildPending(afterId, size).onSuccess(batch -> {
      if (batch.isEmpty()) {
        if (embedded > size) {
          pass(null, size, 0);
        } else {
          finish(size);
        }
        return;
      }
      reembed(batch).onSuccess(v -> {
        String last = batch.get(batch.size() - 1).id();
        if (pauseMs > 0) {
          vertx.setTimer(pauseMs, t -> pass(last, size, embedded + batch.size()));
        } else {
          pass(last, size, embedded + batch.size());
        }
      }).onFailure(this::failed);
    }).onFailure(this::failed);
  }

  /** Embeds a batch with the configured model into the side table, counting and publishing progress. */
  private Future<Void> reembed(List<Memory> batch) {
    return embeddings.passages(batch.stream().map(Memory::content).toList(), configured.model(), true)
        .compose(vectors -> store.putRebuildVectors(batch, vectors))
        .onSuccess(v -> {
          long done = state.getLong("done") + batch.size();
          state.put("done", done).put("total", Math.max(done, state.getLong("total", 0L)));
          vertx.eventBus().publish(Addresses.STORE_REBUILD_PROGRESS, new JsonObject()
              .put("done", done).put("total", state.getLong("total")).put("model", configured.model()));
        });
  }

  /**
   * Writes pause while the last memories written since the final pass are embedded and the vectors
   * swap, so a steady stream of writes cannot keep the run from ending.
   */
  private void finish(int size) {
    long[] paused = new long[1];
    service.exclusive(() -> {
      paused[0] = System.nanoTime();
      return catchUp(null, size).compose(v -> store.finishRebuild(configured)).onSuccess(done -> {
        if (done) {
          serving = configured;
          onSwitched.run();
          state.put("swap_ms", (System.nanoTime() - paused[0]) / 1_000_000); // how long writes waited
        }
      });
    }).onSuccess(done -> {
      if (!done) { // cannot happen with writes paused; if it did, nothing changed and the run goes on
        pass(null, size, 0);
        return;
      }
      state.put("status", "done").put("finished_at", Fields.iso(System.currentTimeMillis()));
      vertx.eventBus().publish(Addresses.STORE_MODEL_SWITCHED,
          new JsonObject().put("from", state.getString("from")).put("to", configured.model()));
      LOG.info("rebuild done: {} memories re-embedded, {} now serves", state.getLong("done"), configured.model());
      vertx.eventBus().publish(Addresses.STORE_REBUILD_PROGRESS, status());
    }).onFailure(this::failed);
  }

  /** Embeds what is still pending, batch by batch (nothing is written meanwhile). */
  private Future<Void> catchUp(String afterId, int size) {
    return store.rebuildPending(afterId, size).compose(batch -> batch.isEmpty() ? Future.succeededFuture()
        : reembed(batch).compose(v -> catchUp(batch.get(batch.size() - 1).id(), size)));
  }

  private void failed(Throwable err) {
    LOG.error("rebuild to {} failed; {} keeps serving: {}", configured.model(), serving.model(), err.getMessage());
    state.put("status", "failed").put("error", err.getMessage()).put("finished_at", Fields.iso(System.currentTimeMillis()));
  }
}
