package dev.memorymcp.storage.internal;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable ingest queue: one SQLite file of its own ({@code ingest.db}, WAL, the store's
 * synchronous mode), so acknowledging a chat message never waits behind memory writes. A job is
 * acknowledged only after its row is committed. Enqueues that arrive while a commit runs are
 * committed together in the next one (group commit): one fsync for many messages.
 *
 * <p>Lifecycle: queued → running (claimed, with a lease) → done | queued again with backoff |
 * failed after the last attempt. Jobs left running by a crash are queued again on open, and a
 * running job whose lease ran out can be claimed by another worker. Must be used from one Vert.x
 * context (the storage verticle's).
 */
public final class SqliteIngestQueue {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteIngestQueue.class);
  /** Retry-After when no job finished recently (no throughput to estimate from). */
  static final int DEFAULT_RETRY_AFTER_S = 30;
  static final long MAX_BACKOFF_MS = 10 * 60_000L;

  private static final String COLUMNS = "id, namespace, session_id, request, message_count, status, "
      + "attempts, error, extraction, result, worker, lease_until, next_attempt_at, created_at, "
      + "updated_at, finished_at";
  private static final String INSERT = "INSERT INTO ingest_jobs(id, namespace, session_id, "
      + "idempotency_key, request_hash, request, message_count, status, attempts, next_attempt_at, "
      + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)";
  private static final String BY_KEY = "SELECT id, request_hash, status FROM ingest_jobs "
      + "WHERE namespace = ? AND idempotency_key = ?";
  private static final String GET = "SELECT " + COLUMNS + " FROM ingest_jobs WHERE id = ? AND namespace = ?";
  private static final String DUE = "SELECT id FROM ingest_jobs WHERE (status = 'queued' AND "
      + "next_attempt_at <= ?) OR (status = 'running' AND lease_until < ?) ORDER BY seq LIMIT ?";
  private static final String TAKE = "UPDATE ingest_jobs SET status = 'running', attempts = attempts + 1, "
      + "worker = ?, lease_until = ?, updated_at = ? WHERE id = ?";
  private static final String CLAIMED = "SELECT " + COLUMNS + " FROM ingest_jobs WHERE id = ?";
  private static final String HELD = " WHERE id = ? AND status = 'running' AND worker = ?";
  private static final String CHECKPOINT = "UPDATE ingest_jobs SET extraction = ?, lease_until = ?, "
      + "updated_at = ?" + HELD;
  private static final String COMPLETE = "UPDATE ingest_jobs SET status = 'done', result = ?, error = NULL, "
      + "lease_until = NULL, updated_at = ?, finished_at = ?" + HELD;
  private static final String ATTEMPTS = "SELECT attempts FROM ingest_jobs" + HELD;
  private static final String RETRY = "UPDATE ingest_jobs SET status = 'queued', error = ?, "
      + "lease_until = NULL, next_attempt_at = ?, updated_at = ?" + HELD;
  private static final String FAIL = "UPDATE ingest_jobs SET status = 'failed', error = ?, "
      + "lease_until = NULL, updated_at = ?, finished_at = ?" + HELD;
  private static final String REQUEUE_RUNNING = "UPDATE ingest_jobs SET status = 'queued', "
      + "lease_until = NULL, updated_at = ? WHERE status = 'running'";
  private static final String OUTSTANDING = "SELECT count(*) AS n FROM ingest_jobs WHERE status IN ('queued', 'running')";
  private static final String COUNTS = "SELECT status, count(*) AS n FROM ingest_jobs GROUP BY status";

  /** A job waiting for the next group commit. */
  private record Pending(String namespace, IngestRequest request, String idempotencyKey,
      Promise<JsonObject> reply) {}

  private final Vertx vertx;
  private final Path dbFile;
  private final String synchronous;
  private final int depth;
  private final Supplier<String> ids;
  private final List<Pending> pending = new ArrayList<>();
  /** Finish times of recent jobs, to estimate Retry-After from throughput. */
  private final ArrayDeque<Long> finished = new ArrayDeque<>();
  private Pool writer;
  private Pool reader;
  private boolean flushing;
  private boolean closed;
  private long outstanding;
  private Future<Void> closing;
  private final Promise<Void> closedPromise = Promise.promise();

  /** {@code depth}: queued + running jobs accepted before enqueue answers 429. */
  public SqliteIngestQueue(Vertx vertx, Path dbFile, String synchronous, int depth, Supplier<String> ids) {
    if (depth < 1) {
      throw new IllegalArgumentException("ingest.queue_depth must be at least 1, got " + depth);
    }
    this.vertx = vertx;
    this.dbFile = dbFile.toAbsolutePath();
    this.synchronous = synchronous;
    this.depth = depth;
    this.ids = ids;
  }

  /** Creates or migrates the file, queues again every job a crash left running, counts the backlog. */
  public Future<Void> open() {
    Path dir = dbFile.getParent();
    return vertx.fileSystem().mkdirs(dir.toString()).compose(v -> {
      writer = JDBCPool.pool(vertx, options("journal_mode=WAL&synchronous=" + synchronous
          + "&transaction_mode=IMMEDIATE&"), new PoolOptions().setMaxSize(1));
      return Migrations.apply(vertx, writer, Migrations.INGEST_SCRIPTS);
    }).compose(applied -> {
      reader = JDBCPool.pool(vertx, options("open_mode=1&"), new PoolOptions().setMaxSize(1));
      return writer.withTransaction(conn -> conn.preparedQuery(REQUEUE_RUNNING)
          .execute(Tuple.of(System.currentTimeMillis())));
    }).compose(requeued -> {
      if (requeued.rowCount() > 0) {
        LOG.warn("{} ingest job(s) were running when the service stopped; queued again", requeued.rowCount());
      }
      return writer.query(OUTSTANDING).execute();
    }).map(rows -> {
      outstanding = rows.iterator().next().getLong("n");
      LOG.info("opened ingest queue {} ({} job(s) waiting)", dbFile, outstanding);
      return null;
    });
  }

  private JDBCConnectOptions options(String pragmas) {
    return new JDBCConnectOptions().setJdbcUrl("jdbc:sqlite:" + dbFile + "?" + pragmas
        + "busy_timeout=" + SqliteMemoryStore.BUSY_TIMEOUT_MS);
  }

  /**
   * Writes the job and completes with {job_id, status, duplicate} once it is durable. With an
   * idempotency key already used in the namespace: the earlier job ({@code duplicate: true}), or
   * 409 when the earlier request differed. Past the queue depth: 429 with {@code retry_after_s}.
   */
  public Future<JsonObject> enqueue(String namespace, IngestRequest request, String idempotencyKey) {
    if (closed || writer == null) {
      return Future.failedFuture(unavailable());
    }
    if (outstanding + pending.size() >= depth) {
      int retryAfter = retryAfterSeconds();
      return Future.failedFuture(new MemoryException(ErrorCode.LIMITED, "INGEST_QUEUE_FULL",
          "the ingest queue holds " + outstanding + " unfinished jobs (limit ingest.queue_depth = "
              + depth + "); retry after " + retryAfter + " s",
          new JsonObject().put("retry_after_s", retryAfter).put("queue_depth", depth)));
    }
    Promise<JsonObject> reply = Promise.promise();
    pending.add(new Pending(namespace, request, idempotencyKey, reply));
    if (!flushing) {
      flush();
    }
    return reply.future();
  }

  /** Commits everything pending in one transaction; what arrives meanwhile goes in the next. */
  private void flush() {
    if (pending.isEmpty()) {
      flushing = false;
      if (closed && closing == null) {
        closePools();
      }
      return;
    }
    flushing = true;
    List<Pending> batch = new ArrayList<>(pending);
    pending.clear();
    long now = System.currentTimeMillis();
    List<JsonObject> replies = new ArrayList<>();
    writer.withTransaction(conn -> insertAll(conn, batch, now, replies)).onComplete(ar -> {
      if (ar.succeeded()) {
        long added = replies.stream().filter(r -> !r.getBoolean("duplicate")).count();
        outstanding += added;
        for (int i = 0; i < batch.size(); i++) {
          JsonObject r = replies.get(i);
          if (r.containsKey("conflict")) {
            batch.get(i).reply().fail(new MemoryException(ErrorCode.CONFLICT, "IDEMPOTENCY_KEY_REUSED",
                "Idempotency-Key was already used for a different request (job " + r.getString("job_id") + ")",
                new JsonObject().put("field", "Idempotency-Key").put("job_id", r.getString("job_id"))));
          } else {
            batch.get(i).reply().complete(r);
          }
        }
        if (added > 0) {
          vertx.eventBus().publish(dev.memorymcp.bus.Addresses.INGEST_AVAILABLE, new JsonObject());
        }
      } else {
        LOG.error("could not write {} ingest job(s)", batch.size(), ar.cause());
        MemoryException err = new MemoryException(ErrorCode.UNAVAILABLE, "INGEST_WRITE_FAILED",
            "the ingest job could not be written: " + ar.cause().getMessage());
        batch.forEach(p -> p.reply().fail(err));
      }
      flush();
    });
  }

  private Future<Void> insertAll(SqlConnection conn, List<Pending> batch, long now, List<JsonObject> replies) {
    Future<Void> chain = Future.succeededFuture();
    for (Pending p : batch) {
      chain = chain.compose(v -> insert(conn, p, now).map(r -> {
        replies.add(r);
        return null;
      }));
    }
    return chain;
  }

  private Future<JsonObject> insert(SqlConnection conn, Pending p, long now) {
    String request = p.request().toJson().encode();
    String hash = sha256(request);
    Future<JsonObject> earlier = p.idempotencyKey() == null ? Future.succeededFuture(null)
        : conn.preparedQuery(BY_KEY).execute(Tuple.of(p.namespace(), p.idempotencyKey())).map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          JsonObject out = new JsonObject().put("job_id", r.getString("id"))
              .put("status", r.getString("status")).put("duplicate", true);
          return hash.equals(r.getString("request_hash")) ? out : out.put("conflict", true);
        });
    return earlier.compose(found -> {
      if (found != null) {
        return Future.succeededFuture(found);
      }
      String id = ids.get();
      return conn.preparedQuery(INSERT).execute(Tuple.from(new Object[] {id, p.namespace(),
              p.request().sessionId(), p.idempotencyKey(), hash, request, p.request().messages().size(),
              now, now, now}))
          .map(v -> new JsonObject().put("job_id", id).put("status", "queued").put("duplicate", false));
    });
  }

  /** The public view of a job, or null when there is none with that id in the namespace. */
  public Future<JsonObject> get(String namespace, String id) {
    if (closed || reader == null) {
      return Future.failedFuture(unavailable());
    }
    return reader.preparedQuery(GET).execute(Tuple.of(id, namespace))
        .map(rows -> rows.size() == 0 ? null : view(rows.iterator().next()));
  }

  /**
   * Takes up to {@code limit} due jobs (queued and due, or running with an expired lease) for
   * {@code worker}: running, attempts + 1, leased for {@code leaseMs}. Each comes with its
   * messages and, when an earlier attempt saved one, its extraction.
   */
  public Future<List<JsonObject>> claim(String worker, int limit, long leaseMs) {
    if (closed || writer == null) {
      return Future.failedFuture(unavailable());
    }
    long now = System.currentTimeMillis();
    return writer.withTransaction(conn -> conn.preparedQuery(DUE).execute(Tuple.of(now, now, limit))
        .compose(rows -> {
          List<String> due = new ArrayList<>();
          rows.forEach(r -> due.add(r.getString("id")));
          List<JsonObject> out = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (String id : due) {
            chain = chain.compose(v -> conn.preparedQuery(TAKE).execute(Tuple.of(worker, now + leaseMs, now, id)))
                .compose(v -> conn.preparedQuery(CLAIMED).execute(Tuple.of(id)))
                .map(claimed -> {
                  out.add(work(claimed.iterator().next()));
                  return null;
                });
          }
          return chain.map(v -> out);
        }));
  }

  /** Saves the job's extraction (so a retry applies the same facts) and renews the lease. */
  public Future<Void> checkpoint(String id, String worker, JsonObject extraction, long leaseMs) {
    long now = System.currentTimeMillis();
    return held(CHECKPOINT, id, worker, Tuple.of(extraction.encode(), now + leaseMs, now, id, worker));
  }

  public Future<Void> complete(String id, String worker, JsonObject result) {
    long now = System.currentTimeMillis();
    return held(COMPLETE, id, worker, Tuple.of(result.encode(), now, now, id, worker)).onSuccess(v -> finishedOne(now));
  }

  /**
   * Records a failed attempt: queued again after {@code backoffMs × 2^(attempts-1)} (at most ten
   * minutes), or kept as failed once {@code maxAttempts} attempts were made. Never deletes the job.
   */
  public Future<JsonObject> fail(String id, String worker, String error, int maxAttempts, long backoffMs) {
    if (closed || writer == null) {
      return Future.failedFuture(unavailable());
    }
    long now = System.currentTimeMillis();
    String err = error == null ? "unknown error" : error.length() > 2000 ? error.substring(0, 2000) : error;
    return writer.withTransaction(conn -> conn.preparedQuery(ATTEMPTS).execute(Tuple.of(id, worker))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(notHeld(id));
          }
          int attempts = rows.iterator().next().getInteger("attempts");
          if (attempts >= maxAttempts) {
            return conn.preparedQuery(FAIL).execute(Tuple.of(err, now, now, id, worker))
                .map(v -> new JsonObject().put("status", "failed").put("attempts", attempts));
          }
          long delay = Math.min(MAX_BACKOFF_MS, backoffMs << Math.min(20, attempts - 1));
          return conn.preparedQuery(RETRY).execute(Tuple.of(err, now + delay, now, id, worker))
              .map(v -> new JsonObject().put("status", "queued").put("attempts", attempts)
                  .put("next_attempt_at", Fields.iso(now + delay)));
        })).onSuccess(r -> {
          if ("failed".equals(r.getString("status"))) {
            finishedOne(now);
          }
        });
  }

  /** Counts by status, for /health and the stats. */
  public Future<JsonObject> counts() {
    if (closed || reader == null) {
      return Future.failedFuture(unavailable());
    }
    return reader.query(COUNTS).execute().map(rows -> {
      JsonObject out = new JsonObject().put("queued", 0L).put("running", 0L).put("done", 0L).put("failed", 0L);
      rows.forEach(r -> out.put(r.getString("status"), r.getLong("n")));
      return out;
    });
  }

  private Future<Void> held(String sql, String id, String worker, Tuple params) {
    if (closed || writer == null) {
      return Future.failedFuture(unavailable());
    }
    return writer.withTransaction(conn -> conn.preparedQuery(sql).execute(params)).compose(rows ->
        rows.rowCount() == 0 ? Future.failedFuture(notHeld(id)) : Future.succeededFuture());
  }

  private void finishedOne(long at) {
    outstanding = Math.max(0, outstanding - 1);
    finished.addLast(at);
    while (finished.size() > 200) {
      finished.removeFirst();
    }
  }

  /** Seconds until about a tenth of the queue has drained at the recent rate, 1..300. */
  int retryAfterSeconds() {
    long now = System.currentTimeMillis();
    while (!finished.isEmpty() && finished.peekFirst() < now - 60_000) {
      finished.removeFirst();
    }
    if (finished.size() < 2) {
      return DEFAULT_RETRY_AFTER_S;
    }
    double perSecond = finished.size() / Math.max(1.0, (now - finished.peekFirst()) / 1000.0);
    return (int) Math.max(1, Math.min(300, Math.ceil(Math.max(1, depth / 10.0) / perSecond)));
  }

  /** Closes after the pending group commit; later calls fail with 503. */
  public Future<Void> close() {
    closed = true;
    if (!flushing) {
      closePools();
    }
    return closedPromise.future();
  }

  private void closePools() {
    if (closing != null) {
      return;
    }
    List<Future<Void>> pools = new ArrayList<>();
    if (reader != null) {
      pools.add(reader.close());
    }
    if (writer != null) {
      pools.add(writer.close());
    }
    closing = Future.all(pools).<Void>mapEmpty().onComplete(closedPromise);
  }

  private static JsonObject work(Row r) {
    JsonObject request = new JsonObject(r.getString("request"));
    String extraction = r.getString("extraction");
    return new JsonObject().put("id", r.getString("id")).put("namespace", r.getString("namespace"))
        .put("session_id", r.getString("session_id")).put("attempts", r.getInteger("attempts"))
        .put("messages", request.getJsonArray("messages")).put("metadata", request.getJsonObject("metadata"))
        .put("extraction", extraction == null ? null : new JsonObject(extraction));
  }

  /** What GET /api/v1/ingest/{id} shows: status, attempts, error and the worker's result. */
  private static JsonObject view(Row r) {
    JsonObject j = new JsonObject().put("job_id", r.getString("id"))
        .put("namespace", r.getString("namespace")).put("session_id", r.getString("session_id"))
        .put("status", r.getString("status")).put("attempts", r.getInteger("attempts"))
        .put("error", r.getString("error")).put("messages", r.getInteger("message_count"))
        .put("created_at", Fields.iso(r.getLong("created_at")))
        .put("updated_at", Fields.iso(r.getLong("updated_at")))
        .put("finished_at", Fields.iso(r.getLong("finished_at")));
    if ("queued".equals(r.getString("status")) && r.getInteger("attempts") > 0) {
      j.put("next_attempt_at", Fields.iso(r.getLong("next_attempt_at")));
    }
    String extraction = r.getString("extraction");
    if (extraction != null) {
      JsonObject e = new JsonObject(extraction);
      j.put("extractor", e.getString("extractor")).put("facts", e.getJsonArray("facts").size());
    }
    String result = r.getString("result");
    if (result != null) {
      j.mergeIn(new JsonObject(result));
    }
    return j;
  }

  private static MemoryException notHeld(String id) {
    return new MemoryException(ErrorCode.CONFLICT, "INGEST_JOB_NOT_HELD",
        "ingest job " + id + " is not running under this worker (its lease ran out or it was requeued)",
        new JsonObject().put("job_id", id));
  }

  private static MemoryException unavailable() {
    return new MemoryException(ErrorCode.UNAVAILABLE, "INGEST_QUEUE_UNAVAILABLE", "the ingest queue is not open");
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
