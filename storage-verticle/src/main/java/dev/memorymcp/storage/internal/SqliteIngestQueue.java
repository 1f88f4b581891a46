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
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * committed together in the next one (group commit): one fsync for many messages. Writes go
 * through one plain JDBC connection in ordered blocking tasks (a transaction is one worker-thread
 * hop); status reads use a read-only pooled connection.
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
  private static final String RECENT = "SELECT " + COLUMNS + " FROM ingest_jobs WHERE namespace = ? "
      + "AND (? IS NULL OR status = ?) ORDER BY seq DESC LIMIT ?";
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
  private record Pending(String namespace, IngestRequest request, String idempotencyKey, String by,
      Promise<JsonObject> reply) {}

  /** A unit of work on the writer connection, run inside one transaction. */
  private interface WriterTx<T> {
    T run(Connection conn) throws SQLException;
  }

  private final Vertx vertx;
  private final Path dbFile;
  private final String synchronous;
  private final int depth;
  private final Supplier<String> ids;
  private final List<Pending> pending = new ArrayList<>();
  /** Finish times of recent jobs, to estimate Retry-After from throughput. */
  private final ArrayDeque<Long> finished = new ArrayDeque<>();
  /**
   * The one writer: a plain JDBC connection used only from ordered blocking tasks of the owning
   * context, so a whole transaction is one hop to a worker thread (through the pooled client it
   * was one hop per statement, which under CPU load was most of the acknowledgement time).
   */
  private Connection writer;
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
    String writerPragmas = "journal_mode=WAL&synchronous=" + synchronous + "&transaction_mode=IMMEDIATE&";
    return vertx.fileSystem().mkdirs(dir.toString()).compose(v -> {
      Pool migrator = JDBCPool.pool(vertx, options(writerPragmas), new PoolOptions().setMaxSize(1));
      return Migrations.apply(vertx, migrator, Migrations.INGEST_SCRIPTS).eventually(migrator::close);
    }).compose(applied -> vertx.executeBlocking(() -> {
      Connection c = DriverManager.getConnection(url(writerPragmas));
      c.setAutoCommit(false);
      return c;
    }, true)).compose(conn -> {
      writer = conn;
      reader = JDBCPool.pool(vertx, options("open_mode=1&"), new PoolOptions().setMaxSize(1));
      return write(c -> {
        int requeued;
        try (PreparedStatement ps = c.prepareStatement(REQUEUE_RUNNING)) {
          ps.setLong(1, System.currentTimeMillis());
          requeued = ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(OUTSTANDING); ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new long[] {requeued, rs.getLong(1)};
        }
      });
    }).map(counts -> {
      if (counts[0] > 0) {
        LOG.warn("{} ingest job(s) were running when the service stopped; queued again", counts[0]);
      }
      outstanding = counts[1];
      LOG.info("opened ingest queue {} ({} job(s) waiting)", dbFile, outstanding);
      return null;
    });
  }

  private String url(String pragmas) {
    return "jdbc:sqlite:" + dbFile + "?" + pragmas + "busy_timeout=" + SqliteMemoryStore.BUSY_TIMEOUT_MS;
  }

  private JDBCConnectOptions options(String pragmas) {
    return new JDBCConnectOptions().setJdbcUrl(url(pragmas));
  }

  /** Runs {@code tx} in one transaction on the writer, after every earlier one; commits or rolls back. */
  private <T> Future<T> write(WriterTx<T> tx) {
    if (closed && closing != null || writer == null) {
      return Future.failedFuture(unavailable());
    }
    Connection c = writer;
    return vertx.executeBlocking(() -> {
      try {
        T result = tx.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailed) {
          e.addSuppressed(rollbackFailed);
        }
        throw e;
      }
    }, true);
  }

  /**
   * Writes the job and completes with {job_id, status, duplicate} once it is durable. With an
   * idempotency key already used in the namespace: the earlier job ({@code duplicate: true}), or
   * 409 when the earlier request differed. Past the queue depth: 429 with {@code retry_after_s}.
   */
  public Future<JsonObject> enqueue(String namespace, IngestRequest request, String idempotencyKey) {
    return enqueue(namespace, request, idempotencyKey, null);
  }

  /**
   * The same, on behalf of {@code by} (the API key's actor, {@code key:<id>}, or null): the memories the
   * job creates carry it as their creator, so a member may later delete what it taught.
   */
  public Future<JsonObject> enqueue(String namespace, IngestRequest request, String idempotencyKey, String by) {
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
    pending.add(new Pending(namespace, request, idempotencyKey, by, reply));
    if (!flushing) {
      flush();
    }
    return reply.future();
  }

  /** Commits everything pending in one transaction; what arrives meanwhile goes in the next. */
  private void flush() {
    if (pending.isEmpty()) {
      flushing = false;
      if (closed) {
        closeResources();
      }
      return;
    }
    flushing = true;
    List<Pending> batch = new ArrayList<>(pending);
    pending.clear();
    long now = System.currentTimeMillis();
    write(c -> insertAll(c, batch, now)).onComplete(ar -> {
      if (ar.succeeded()) {
        List<JsonObject> replies = ar.result();
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

  private List<JsonObject> insertAll(Connection c, List<Pending> batch, long now) throws SQLException {
    List<JsonObject> replies = new ArrayList<>();
    try (PreparedStatement byKey = c.prepareStatement(BY_KEY); PreparedStatement insert = c.prepareStatement(INSERT)) {
      for (Pending p : batch) {
        JsonObject stored = p.request().toJson();
        if (p.by() != null) {
          stored.put("by", p.by());
        }
        String request = stored.encode();
        String hash = sha256(request);
        JsonObject earlier = null;
        if (p.idempotencyKey() != null) {
          byKey.setString(1, p.namespace());
          byKey.setString(2, p.idempotencyKey());
          try (ResultSet rs = byKey.executeQuery()) {
            if (rs.next()) {
              earlier = new JsonObject().put("job_id", rs.getString("id")).put("status", rs.getString("status"))
                  .put("duplicate", true);
              if (!hash.equals(rs.getString("request_hash"))) {
                earlier.put("conflict", true);
              }
            }
          }
        }
        if (earlier != null) {
          replies.add(earlier);
          continue;
        }
        String id = ids.get();
        Object[] params = {id, p.namespace(), p.request().sessionId(), p.idempotencyKey(), hash, request,
            p.request().messages().size(), now, now, now};
        for (int i = 0; i < params.length; i++) {
          insert.setObject(i + 1, params[i]);
        }
        insert.executeUpdate();
        replies.add(new JsonObject().put("job_id", id).put("status", "queued").put("duplicate", false));
      }
    }
    return replies;
  }

  /** The public view of a job, or null when there is none with that id in the namespace. */
  public Future<JsonObject> get(String namespace, String id) {
    if (closed || reader == null) {
      return Future.failedFuture(unavailable());
    }
    return reader.preparedQuery(GET).execute(Tuple.of(id, namespace))
        .map(rows -> rows.size() == 0 ? null : view(rows.iterator().next()));
  }

  /** The namespace's newest jobs first, optionally of one status. */
  public Future<List<JsonObject>> recent(String namespace, String status, int limit) {
    if (closed || reader == null) {
      return Future.failedFuture(unavailable());
    }
    return reader.preparedQuery(RECENT).execute(Tuple.of(namespace, status, status, limit)).map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      rows.forEach(r -> out.add(view(r)));
      return out;
    });
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
    return write(c -> {
      List<String> due = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(DUE)) {
        ps.setLong(1, now);
        ps.setLong(2, now);
        ps.setInt(3, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            due.add(rs.getString(1));
          }
        }
      }
      List<JsonObject> out = new ArrayList<>();
      try (PreparedStatement take = c.prepareStatement(TAKE); PreparedStatement read = c.prepareStatement(CLAIMED)) {
        for (String id : due) {
          take.setString(1, worker);
          take.setLong(2, now + leaseMs);
          take.setLong(3, now);
          take.setString(4, id);
          take.executeUpdate();
          read.setString(1, id);
          try (ResultSet rs = read.executeQuery()) {
            rs.next();
            out.add(work(rs));
          }
        }
      }
      return out;
    });
  }

  /** Saves the job's extraction (so a retry applies the same facts) and renews the lease. */
  public Future<Void> checkpoint(String id, String worker, JsonObject extraction, long leaseMs) {
    long now = System.currentTimeMillis();
    return held(CHECKPOINT, id, worker, extraction.encode(), now + leaseMs, now);
  }

  public Future<Void> complete(String id, String worker, JsonObject result) {
    long now = System.currentTimeMillis();
    return held(COMPLETE, id, worker, result.encode(), now, now).onSuccess(v -> finishedOne(now));
  }

  /**
   * Records a failed attempt: queued again after {@code backoffMs × 2^(attempts-1)} (at most ten
   * minutes), or kept as failed once {@code maxAttempts} attempts were made. Never deletes the job.
   */
  public Future<JsonObject> fail(String id, String worker, String error, int maxAttempts, long backoffMs) {
    long now = System.currentTimeMillis();
    String err = error == null ? "unknown error" : error.length() > 2000 ? error.substring(0, 2000) : error;
    return write(c -> {
      int attempts;
      try (PreparedStatement ps = c.prepareStatement(ATTEMPTS)) {
        ps.setString(1, id);
        ps.setString(2, worker);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw notHeld(id);
          }
          attempts = rs.getInt(1);
        }
      }
      if (attempts >= maxAttempts) {
        update(c, FAIL, err, now, now, id, worker);
        return new JsonObject().put("status", "failed").put("attempts", attempts);
      }
      long delay = Math.min(MAX_BACKOFF_MS, backoffMs << Math.min(20, attempts - 1));
      update(c, RETRY, err, now + delay, now, id, worker);
      return new JsonObject().put("status", "queued").put("attempts", attempts)
          .put("next_attempt_at", Fields.iso(now + delay));
    }).onSuccess(r -> {
      if ("failed".equals(r.getString("status"))) {
        finishedOne(now);
      }
    });
  }

  private static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    }
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

  /** An update of a job this worker holds (running, same worker); 409 otherwise. */
  private Future<Void> held(String sql, String id, String worker, Object... leading) {
    Object[] params = java.util.Arrays.copyOf(leading, leading.length + 2);
    params[leading.length] = id;
    params[leading.length + 1] = worker;
    return write(c -> {
      if (update(c, sql, params) == 0) {
        throw notHeld(id);
      }
      return null;
    });
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
      closeResources();
    }
    return closedPromise.future();
  }

  private void closeResources() {
    if (closing != null) {
      return;
    }
    List<Future<Void>> all = new ArrayList<>();
    if (reader != null) {
      all.add(reader.close());
    }
    Connection c = writer;
    if (c != null) { // ordered: runs after every write already submitted
      all.add(vertx.executeBlocking(() -> {
        c.close();
        return null;
      }, true));
    }
    closing = Future.all(all).<Void>mapEmpty().onComplete(closedPromise);
  }

  private static JsonObject work(ResultSet r) throws SQLException {
    JsonObject request = new JsonObject(r.getString("request"));
    String extraction = r.getString("extraction");
    return new JsonObject().put("id", r.getString("id")).put("namespace", r.getString("namespace"))
        .put("session_id", r.getString("session_id")).put("attempts", r.getInt("attempts"))
        .put("messages", request.getJsonArray("messages")).put("metadata", request.getJsonObject("metadata"))
        .put("scope", request.getString("scope")).put("scope_id", request.getString("scope_id"))
        .put("by", request.getString("by"))
        .put("extraction", extraction == null ? null : new JsonObject(extraction));
  }

  /** What GET /api/v1/ingest/{id} shows: status, attempts, error and the worker's result. */
  private static JsonObject view(Row r) {
    JsonObject j = new JsonObject().put("job_id", r.getString("id"))
        .put("namespace", r.getString("namespace")).put("session_id", r.getString("session_id"))
        .put("scope_id", new JsonObject(r.getString("request")).getString("scope_id"))
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

  /** Thrown inside a writer task (rolls the transaction back) and delivered as a 409. */
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
