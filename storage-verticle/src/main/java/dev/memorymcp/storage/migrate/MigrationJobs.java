package dev.memorymcp.storage.migrate;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration jobs of one storage member: each job's state is a JSON file under
 * {@code <data dir>/migrations/}, rewritten (write, then atomic rename) at every checkpoint, so a
 * job interrupted by a crash or a stop is found and resumed at the next start. One job runs at a
 * time. The stores come from a {@link StoreOpener}: the live store when the kind is the configured
 * backend, otherwise one opened for the job and closed after it.
 */
public final class MigrationJobs {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationJobs.class);
  public static final Set<String> KINDS = Set.of("sqlite", "qdrant");
  public static final int DEFAULT_BATCH = 200;
  public static final int MAX_BATCH = 1000;

  /** Opens a store of a kind for a job; {@code close} is a no-op for the live store. */
  public interface StoreOpener {
    Future<Opened> open(String kind);
  }

  /** An opened store and how to give it back. */
  public record Opened(Migration.Store store, java.util.function.Supplier<Future<Void>> close) {}

  private final Vertx vertx;
  private final Path dir;
  private final StoreOpener opener;
  private JsonObject running; // the state of the job in progress, or null
  /** Ids of the left-running jobs still to resume, oldest first: while any is left, starts are refused. */
  private final List<String> toResume = new ArrayList<>();
  /** Completes once the state files were read at start, so no start slips in before a resume. */
  private Future<Void> scanned = Future.succeededFuture();
  private boolean stopping;

  public MigrationJobs(Vertx vertx, Path dir, StoreOpener opener) {
    this.vertx = vertx;
    this.dir = dir;
    this.opener = opener;
  }

  /**
   * Validates {source, target, namespace?, batch_size?, dry_run?} and starts a job; replies at once
   * with its state (status running). 409 MIGRATION_RUNNING while another job runs.
   */
  public Future<JsonObject> start(JsonObject body) {
    return scanned.transform(ar -> startNow(body));
  }

  private Future<JsonObject> startNow(JsonObject body) {
    if (stopping) {
      return Future.failedFuture(new MemoryException(ErrorCode.UNAVAILABLE, "STOPPING", "the storage member is stopping"));
    }
    Fields.rejectUnknown(body, Set.of("source", "target", "namespace", "batch_size", "dry_run", "principal", "actor"));
    String from = Fields.optEnum(body, "source", KINDS);
    String to = Fields.optEnum(body, "target", KINDS);
    if (from == null) {
      throw MemoryException.invalidField("source", "source is required: sqlite or qdrant");
    }
    if (to == null) {
      throw MemoryException.invalidField("target", "target is required: sqlite or qdrant");
    }
    if (from.equals(to)) {
      throw MemoryException.invalidField("target", "target must differ from source (" + from + ")");
    }
    String ns = body.getValue("namespace") == null ? null : Namespaces.check("namespace", body.getString("namespace"));
    Integer batch = Fields.optInt(body, "batch_size", 1, MAX_BATCH);
    Boolean dryRun = Fields.optBool(body, "dry_run");
    if (running != null || !toResume.isEmpty()) {
      String busy = running != null ? running.getString("job_id") : toResume.get(0);
      return Future.failedFuture(new MemoryException(ErrorCode.CONFLICT, "MIGRATION_RUNNING", "migration "
          + busy + " is still running; one migration runs at a time", new JsonObject().put("job_id", busy)));
    }
    JsonObject state = Migration.newState("mig_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16),
        from, to, ns, batch == null ? DEFAULT_BATCH : batch, Boolean.TRUE.equals(dryRun));
    return launch(state);
  }

  /** The job's latest state; 404 MIGRATION_NOT_FOUND for an unknown id. */
  public Future<JsonObject> get(JsonObject body) {
    String id = Fields.requireString(body, "job_id", 64);
    if (running != null && running.getString("job_id").equals(id)) {
      return Future.succeededFuture(running.copy());
    }
    if (!id.matches("mig_[0-9a-f]{16}")) { // checked before the id becomes part of a path (a NUL would throw)
      return Future.failedFuture(new MemoryException(ErrorCode.NOT_FOUND, "MIGRATION_NOT_FOUND", "no migration job " + id));
    }
    return vertx.executeBlocking(() -> {
      Path file = file(id);
      if (!Files.exists(file)) {
        throw new MemoryException(ErrorCode.NOT_FOUND, "MIGRATION_NOT_FOUND", "no migration job " + id);
      }
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    });
  }

  /** Resumes the jobs a crash or stop left running (oldest first), one after the other. */
  public Future<Void> resumeUnfinished() {
    Future<List<JsonObject>> listed = vertx.executeBlocking(() -> {
      List<JsonObject> unfinished = new ArrayList<>();
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
            JsonObject s = new JsonObject(Files.readString(f, StandardCharsets.UTF_8));
            if (!"done".equals(s.getString("status")) && !"failed".equals(s.getString("status"))) {
              unfinished.add(s);
            }
          }
        }
      }
      unfinished.sort((a, b) -> a.getString("created_at").compareTo(b.getString("created_at")));
      return unfinished;
    });
    scanned = listed.<Void>map(list -> {
      list.forEach(s -> toResume.add(s.getString("job_id")));
      return null;
    }).recover(err -> Future.succeededFuture()); // unreadable files: log below, do not block starts
    return listed.compose(list -> {
      Future<Void> chain = Future.succeededFuture();
      for (JsonObject s : list) {
        chain = chain.compose(v -> {
          LOG.info("resuming migration {} ({} → {}) at {}/{}", s.getString("job_id"), s.getString("source"),
              s.getString("target"), s.getLong("done"), s.getLong("total"));
          Future<JsonObject> launched = launch(s.put("status", "running").put("resumed", s.getInteger("resumed", 0) + 1));
          toResume.remove(s.getString("job_id")); // running is set now: it refuses starts from here on
          return launched.compose(started -> finished(started.getString("job_id"))).<Void>mapEmpty();
        });
      }
      return chain;
    }).onComplete(ar -> toResume.clear());
  }

  /** Completes when the job stops running (with its final state). */
  public Future<JsonObject> finished(String jobId) {
    io.vertx.core.Promise<JsonObject> done = io.vertx.core.Promise.promise();
    poll(jobId, done);
    return done.future();
  }

  private void poll(String jobId, io.vertx.core.Promise<JsonObject> done) {
    if (running != null && running.getString("job_id").equals(jobId)) {
      vertx.setTimer(100, t -> poll(jobId, done));
    } else {
      get(new JsonObject().put("job_id", jobId)).onComplete(done);
    }
  }

  /**
   * Stops the running job at its next checkpoint, leaving its state file as it was there (status
   * running), so the next start resumes it; completes when the job has stopped (at most 30 s).
   */
  public Future<Void> stop() {
    stopping = true;
    if (running == null) {
      return Future.succeededFuture();
    }
    String id = running.getString("job_id");
    LOG.info("stopping migration {} at its next checkpoint; it resumes at the next start", id);
    return finished(id).<Void>mapEmpty().timeout(30, java.util.concurrent.TimeUnit.SECONDS)
        .recover(err -> Future.succeededFuture());
  }

  /** Whether a job is running (the stop of the verticle waits for none, the checkpoint makes that safe). */
  public boolean busy() {
    return running != null;
  }

  /**
   * Opens both stores, then runs the job in the background and answers with its first state; a
   * store that will not open (Qdrant unreachable or not configured, a bad model stamp read) fails
   * the call itself, and for a resumed job marks it failed.
   */
  private Future<JsonObject> launch(JsonObject state) {
    running = state.copy();
    Future<MigrationJobs.Opened> src = opener.open(state.getString("source"));
    Future<MigrationJobs.Opened> dst = src.compose(s -> opener.open(state.getString("target"))
        .recover(err -> s.close().get().transform(x -> Future.failedFuture(err))));
    return dst.compose(d -> save(state).map(v -> {
      Opened s = src.result();
      new Migration(s.store(), d.store(), state, st -> {
        if (stopping) { // keep the last checkpoint (status running): the next start resumes from it
          return Future.failedFuture(new MemoryException(ErrorCode.UNAVAILABLE, "STOPPING", "the storage member is stopping"));
        }
        running = st;
        return save(st);
      }).run()
          .eventually(() -> Future.join(s.close().get(), d.close().get()))
          .onComplete(ar -> {
            JsonObject last = ar.succeeded() ? ar.result() : state;
            LOG.info("migration {} {}: {}/{} items{}", last.getString("job_id"), last.getString("status"),
                last.getLong("done"), last.getLong("total"), last.containsKey("error") ? " — " + last.getValue("error") : "");
            running = null;
          });
      return state.copy();
    })).recover(err -> {
      running = null;
      if (state.getInteger("resumed", 0) == 0) {
        return Future.failedFuture(err);
      }
      MemoryException e = MemoryException.from(err);
      JsonObject failed = state.copy().put("status", "failed")
          .put("error", new JsonObject().put("code", e.error()).put("message", e.getMessage()));
      LOG.warn("migration {} could not resume: {}", state.getString("job_id"), e.getMessage());
      return save(failed).map(failed);
    });
  }

  private Path file(String jobId) {
    return dir.resolve(jobId + ".json");
  }

  /**
   * Writes a temporary file, then renames it over the old state, on a worker thread in order: a
   * crash leaves one whole version. A failed write is logged, not fatal: the job then resumes from
   * an earlier checkpoint and copies a few batches again.
   */
  private Future<Void> save(JsonObject state) {
    String text = state.encodePrettily();
    Path target = file(state.getString("job_id"));
    return vertx.<Void>executeBlocking(() -> {
      Files.createDirectories(dir);
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return null;
    }, true).recover(err -> {
      LOG.warn("could not save the checkpoint of migration {}: {}", state.getString("job_id"), err.getMessage());
      return Future.succeededFuture();
    });
  }
}
