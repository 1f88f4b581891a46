package dev.memorymcp.storage.ingest;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import dev.memorymcp.storage.internal.JdbcWriter;
import dev.memorymcp.storage.sqlite.Migrations;
import dev.memorymcp.storage.sqlite.SqliteMemoryStore;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import dev.memorymcp.bus.Fields;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable ingest queue: one SQLite file of its own ({@code ingest.db}, WAL, the store's
 * synchronous mode), so acknowledging a chat message never waits behind memory writes. A job is
 * acknowledged only after its row is committed. Enqueues that arrive while a commit runs are
 * committed together in the next one (group commit): one fsync for many messages. Writes go
 * through one plain JDBC connection on a thread of its own ({@link JdbcWriter}: a transaction is
 * one hop, never queued behind the memory store's); status reads use a read-only pooled connection.
 *
 * <p>Lifecycle: queued → running (claimed, with a lease) → done | queued again with backoff |
 * failed after the last attempt. Jobs left running by a crash are queued again on open, and a
 * running job whose lease ran out can be claimed by another worker. Must be used from one Vert.x
 * context (the storage verticle's).
 */
public final class SqliteIngestQueue implements IngestQueue {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteIngestQueue.class);

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
  private static final String RENEW = "UPDATE ingest_jobs SET lease_until = ?, updated_at = ?" + HELD;
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

  private final Vertx vertx;
  private final Path dbFile;
  private final String synchronous;
  private final int depth;
  private final Supplier<String> ids;
  private final GroupCommit<IngestJobs.Pending> commits = new GroupCommit<>(this::insertBatch);
  private final IngestJobs.Throughput throughput = new IngestJobs.Throughput();
  /** The one writer (see {@link JdbcWriter}). */
  private JdbcWriter writer;
  private Pool reader;
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
  @Override
  public Future<Void> open() {
    Path dir = dbFile.getParent();
    String writerPragmas = "journal_mode=WAL&synchronous=" + synchronous + "&transaction_mode=IMMEDIATE&";
    return vertx.fileSystem().mkdirs(dir.toString()).compose(v -> {
      Pool migrator = JDBCPool.pool(vertx, options(writerPragmas), new PoolOptions().setMaxSize(1));
      return Migrations.apply(vertx, migrator, Migrations.INGEST_SCRIPTS).eventually(migrator::close);
    }).compose(applied -> JdbcWriter.open(vertx, url(writerPragmas), "ingest")).compose(w -> {
      writer = w;
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
  private <T> Future<T> write(JdbcWriter.Tx<T> tx) {
    if (closed && closing != null || writer == null) {
      return Future.failedFuture(unavailable());
    }
    return writer.write(tx);
  }

  @Override
  public String kind() {
    return "sqlite";
  }

  @Override
  public Future<JsonObject> enqueue(String namespace, IngestRequest request, String idempotencyKey, String by) {
    if (closed || writer == null) {
      return Future.failedFuture(unavailable());
    }
    if (outstanding + commits.waiting() >= depth) {
      return Future.failedFuture(IngestJobs.queueFull(outstanding, depth, throughput.retryAfterSeconds(depth)));
    }
    Promise<JsonObject> reply = Promise.promise();
    commits.add(new IngestJobs.Pending(namespace, request, idempotencyKey, by, reply));
    return reply.future();
  }

  /** Commits a batch in one transaction and answers each of its posts. */
  private Future<?> insertBatch(List<IngestJobs.Pending> batch) {
    long now = System.currentTimeMillis();
    return write(c -> insertAll(c, batch, now)).onComplete(ar -> {
      if (ar.succeeded()) {
        List<JsonObject> replies = ar.result();
        long added = replies.stream().filter(r -> !r.getBoolean("duplicate")).count();
        outstanding += added;
        for (int i = 0; i < batch.size(); i++) {
          JsonObject r = replies.get(i);
          if (r.containsKey("conflict")) {
            batch.get(i).reply().fail(IngestJobs.keyReused(r.getString("job_id")));
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
    });
  }

  private List<JsonObject> insertAll(Connection c, List<IngestJobs.Pending> batch, long now) throws SQLException {
    List<JsonObject> replies = new ArrayList<>();
    try (PreparedStatement byKey = c.prepareStatement(BY_KEY); PreparedStatement insert = c.prepareStatement(INSERT)) {
      for (IngestJobs.Pending p : batch) {
        JsonObject stored = p.request().toJson();
        if (p.by() != null) {
          stored.put("by", p.by());
        }
        String request = stored.encode();
        String hash = IngestJobs.sha256(request);
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

  @Override
  public Future<JsonObject> get(String namespace, String id) {
    if (closed || reader == null) {
      return Future.failedFuture(unavailable());
    }
    return reader.preparedQuery(GET).execute(Tuple.of(id, namespace))
        .map(rows -> rows.size() == 0 ? null : IngestJobs.view(rows.iterator().next().toJson()));
  }

  @Override
  public Future<List<JsonObject>> recent(String namespace, String status, int limit) {
    if (closed || reader == null) {
      return Future.failedFuture(unavailable());
    }
    return reader.preparedQuery(RECENT).execute(Tuple.of(namespace, status, status, limit)).map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      rows.forEach(r -> out.add(IngestJobs.view(r.toJson())));
      return out;
    });
  }

  @Override
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
            out.add(IngestJobs.work(JdbcWriter.row(rs)));
          }
        }
      }
      return out;
    });
  }

  @Override
  public Future<Void> checkpoint(String id, String worker, JsonObject extraction, long leaseMs) {
    long now = System.currentTimeMillis();
    return held(CHECKPOINT, id, worker, extraction.encode(), now + leaseMs, now);
  }

  @Override
  public Future<Void> renew(String id, String worker, long leaseMs) {
    long now = System.currentTimeMillis();
    return held(RENEW, id, worker, now + leaseMs, now);
  }

  @Override
  public Future<Void> complete(String id, String worker, JsonObject result) {
    long now = System.currentTimeMillis();
    return held(COMPLETE, id, worker, result.encode(), now, now).onSuccess(v -> finishedOne(now));
  }

  @Override
  public Future<JsonObject> fail(String id, String worker, String error, int maxAttempts, long backoffMs) {
    long now = System.currentTimeMillis();
    String err = IngestJobs.clip(error);
    return write(c -> {
      int attempts;
      try (PreparedStatement ps = c.prepareStatement(ATTEMPTS)) {
        ps.setString(1, id);
        ps.setString(2, worker);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw IngestJobs.notHeld(id);
          }
          attempts = rs.getInt(1);
        }
      }
      if (attempts >= maxAttempts) {
        JdbcWriter.update(c, FAIL, err, now, now, id, worker);
        return new JsonObject().put("status", "failed").put("attempts", attempts);
      }
      long delay = IngestJobs.backoff(backoffMs, attempts);
      JdbcWriter.update(c, RETRY, err, now + delay, now, id, worker);
      return new JsonObject().put("status", "queued").put("attempts", attempts)
          .put("next_attempt_at", Fields.iso(now + delay));
    }).onSuccess(r -> {
      if ("failed".equals(r.getString("status"))) {
        finishedOne(now);
      }
    });
  }

  @Override
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
      if (JdbcWriter.update(c, sql, params) == 0) {
        throw IngestJobs.notHeld(id);
      }
      return null;
    });
  }

  private void finishedOne(long at) {
    outstanding = Math.max(0, outstanding - 1);
    throughput.finishedAt(at);
  }

  /** Closes after the pending group commit; later calls fail with 503. */
  @Override
  public Future<Void> close() {
    closed = true;
    commits.drain().onComplete(ar -> closeResources());
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
    if (writer != null) {
      all.add(writer.close());
    }
    closing = Future.all(all).<Void>mapEmpty().onComplete(closedPromise);
  }

  private static MemoryException unavailable() {
    return IngestJobs.unavailable();
  }
}
