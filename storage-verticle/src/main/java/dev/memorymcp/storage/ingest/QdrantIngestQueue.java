package dev.memorymcp.storage.ingest;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.range;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.qdrant.QdrantCalls;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest queue shared by every storage member of a cluster: one Qdrant collection
 * ({@code <prefix>_ingest}, payload only), so a job enqueued through one member is claimed through
 * another and its status is answered by all of them. Qdrant has no transactions; every change of
 * a job is a compare-and-set instead: the point carries a {@code version}, and a change is an
 * {@code update_only} upsert conditioned on the version read (Qdrant 1.17+ {@code update_filter}),
 * read back to see whose write won (Qdrant does not report it). A job is acknowledged after its
 * upsert with {@code wait=true} returned, i.e. once Qdrant has it in its write-ahead log.
 *
 * <p>With an Idempotency-Key the job id is derived from (namespace, key), and the job is written
 * {@code insert_only}: two members given the same retried request write one job. Jobs a dead
 * worker held are not requeued at start (other members' workers may be running them); their lease
 * runs out and another worker claims them. Enqueues that arrive while a write runs go together in
 * the next one (one upsert for many messages). Must be used from one Vert.x context.
 */
public final class QdrantIngestQueue implements IngestQueue {
  private static final Logger LOG = LoggerFactory.getLogger(QdrantIngestQueue.class);
  /** How often the member recounts the unfinished jobs of all members, for the depth limit. */
  static final long RECOUNT_MS = 1000;
  /** Claim rounds when another member took some of the candidates first. */
  private static final int CLAIM_ROUNDS = 3;
  private static final Map<String, FieldType> INDEXES = Map.of("namespace", FieldType.FieldTypeKeyword,
      "status", FieldType.FieldTypeKeyword, "created_at", FieldType.FieldTypeInteger,
      "next_attempt_at", FieldType.FieldTypeInteger, "lease_until", FieldType.FieldTypeInteger,
      "version", FieldType.FieldTypeInteger);

  private final Vertx vertx;
  private final QdrantCalls calls;
  private final String collection;
  private final QdrantJobPoints jobs;
  private final int depth;
  private final Supplier<String> ids;
  private final IngestJobs.Throughput throughput = new IngestJobs.Throughput();
  private final GroupCommit<IngestJobs.Pending> commits = new GroupCommit<>(this::insertBatch);
  private boolean opened;
  private boolean closed;
  /** Unfinished jobs of every member at the last recount, plus those this member added since. */
  private long outstanding;
  private long recountTimer = -1;
  private Future<Void> closing;

  /** A queue in {@code <prefix>_ingest}; it owns {@code calls} and closes them. */
  public QdrantIngestQueue(Vertx vertx, QdrantCalls calls, String prefix, int depth, Supplier<String> ids) {
    if (depth < 1) {
      throw new IllegalArgumentException("ingest.queue_depth must be at least 1, got " + depth);
    }
    this.vertx = vertx;
    this.calls = calls;
    this.collection = prefix + "_ingest";
    this.jobs = new QdrantJobPoints(calls, collection);
    this.depth = depth;
    this.ids = ids;
  }

  @Override
  public String kind() {
    return "qdrant";
  }

  @Override
  public Future<Void> open() {
    return calls.ensure(CreateCollection.newBuilder().setCollectionName(collection).build(), INDEXES)
        .compose(v -> recount())
        .compose(v -> calls.count(collection, Filter.newBuilder().addMust(matchKeyword("status", "running")).build()))
        .map(running -> {
          opened = true;
          recountTimer = vertx.setPeriodic(RECOUNT_MS, t -> recount());
          LOG.info("opened the shared ingest queue in Qdrant collection {} ({} job(s) waiting, {} running; "
              + "a running job whose worker died is claimed again when its lease ends)", collection,
              outstanding - running, running);
          return null;
        });
  }

  private Future<Void> recount() {
    return calls.count(collection, Filter.newBuilder()
            .addMust(matchKeywords("status", List.of("queued", "running"))).build())
        .onSuccess(n -> outstanding = n)
        .onFailure(err -> LOG.debug("recounting ingest jobs failed: {}", err.getMessage()))
        .mapEmpty();
  }

  // ---- enqueue ----

  @Override
  public Future<JsonObject> enqueue(String namespace, IngestRequest request, String idempotencyKey, String by) {
    if (closed || !opened) {
      return Future.failedFuture(IngestJobs.unavailable());
    }
    if (outstanding + commits.waiting() >= depth) {
      return Future.failedFuture(IngestJobs.queueFull(outstanding, depth, throughput.retryAfterSeconds(depth)));
    }
    Promise<JsonObject> reply = Promise.promise();
    commits.add(new IngestJobs.Pending(namespace, request, idempotencyKey, by, reply));
    return reply.future();
  }

  /** Writes a batch in one insert_only upsert, reads it back, answers each post. */
  private Future<?> insertBatch(List<IngestJobs.Pending> batch) {
    long now = System.currentTimeMillis();
    List<JsonObject> rows = new ArrayList<>();
    List<PointStruct> points = new ArrayList<>();
    for (IngestJobs.Pending p : batch) {
      JsonObject stored = p.request().toJson();
      if (p.by() != null) {
        stored.put("by", p.by());
      }
      String request = stored.encode();
      String id = p.idempotencyKey() == null ? ids.get() : IngestJobs.keyedId(p.namespace(), p.idempotencyKey());
      JsonObject row = new JsonObject().put("id", id).put("namespace", p.namespace())
          .put("session_id", p.request().sessionId()).put("idempotency_key", p.idempotencyKey())
          .put("request_hash", IngestJobs.sha256(request)).put("request", request)
          .put("message_count", p.request().messages().size()).put("status", "queued").put("attempts", 0)
          .put("next_attempt_at", now).put("created_at", now).put("updated_at", now)
          .put("version", 1L).put("nonce", UUID.randomUUID().toString());
      rows.add(row);
      points.add(QdrantJobPoints.point(row));
    }
    return calls.upsert(collection, points, UpdateMode.InsertOnly, null)
        .compose(v -> jobs.read(rows.stream().map(r -> r.getString("id")).distinct().toList()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            answer(batch, rows, ar.result());
          } else {
            LOG.error("could not write {} ingest job(s) to Qdrant", batch.size(), ar.cause());
            MemoryException err = new MemoryException(ErrorCode.UNAVAILABLE, "INGEST_WRITE_FAILED",
                "the ingest job could not be written: " + MemoryException.from(ar.cause()).getMessage());
            batch.forEach(p -> p.reply().fail(err));
          }
        });
  }

  private void answer(List<IngestJobs.Pending> batch, List<JsonObject> rows, Map<String, JsonObject> stored) {
    int added = 0;
    for (int i = 0; i < batch.size(); i++) {
      JsonObject mine = rows.get(i);
      JsonObject there = stored.get(mine.getString("id"));
      Promise<JsonObject> reply = batch.get(i).reply();
      if (there == null) { // written with wait=true, so it is there unless deleted by hand meanwhile
        reply.fail(new MemoryException(ErrorCode.UNAVAILABLE, "INGEST_WRITE_FAILED",
            "the ingest job " + mine.getString("id") + " was not found after it was written"));
      } else if (there.getString("nonce").equals(mine.getString("nonce"))) {
        added++;
        reply.complete(new JsonObject().put("job_id", mine.getString("id")).put("status", "queued")
            .put("duplicate", false));
      } else if (!there.getString("request_hash").equals(mine.getString("request_hash"))) {
        reply.fail(IngestJobs.keyReused(there.getString("id")));
      } else {
        reply.complete(new JsonObject().put("job_id", there.getString("id"))
            .put("status", there.getString("status")).put("duplicate", true));
      }
    }
    if (added > 0) {
      outstanding += added;
      vertx.eventBus().publish(Addresses.INGEST_AVAILABLE, new JsonObject());
    }
  }

  // ---- status ----

  @Override
  public Future<JsonObject> get(String namespace, String id) {
    if (closed || !opened) {
      return Future.failedFuture(IngestJobs.unavailable());
    }
    return jobs.read(List.of(id)).map(found -> {
      JsonObject row = found.get(id);
      return row == null || !namespace.equals(row.getString("namespace")) ? null : IngestJobs.view(row);
    });
  }

  @Override
  public Future<List<JsonObject>> recent(String namespace, String status, int limit) {
    if (closed || !opened) {
      return Future.failedFuture(IngestJobs.unavailable());
    }
    Filter.Builder f = Filter.newBuilder().addMust(matchKeyword("namespace", namespace));
    if (status != null) {
      f.addMust(matchKeyword("status", status));
    }
    return calls.ordered(collection, f.build(), "created_at", Direction.Desc, limit).map(payloads -> payloads
        .stream().map(QdrantJobPoints::row)
        .sorted(Comparator.comparingLong((JsonObject r) -> r.getLong("created_at")).reversed()
            .thenComparing(r -> r.getString("id"), Comparator.reverseOrder()))
        .limit(limit).map(IngestJobs::view).toList());
  }

  @Override
  public Future<JsonObject> counts() {
    if (closed || !opened) {
      return Future.failedFuture(IngestJobs.unavailable());
    }
    List<String> states = List.of("queued", "running", "done", "failed");
    List<Future<Long>> counts = states.stream().map(s -> calls.count(collection,
        Filter.newBuilder().addMust(matchKeyword("status", s)).build())).toList();
    return Future.all(counts).map(all -> {
      JsonObject out = new JsonObject();
      for (int i = 0; i < states.size(); i++) {
        out.put(states.get(i), counts.get(i).result());
      }
      return out;
    });
  }

  // ---- workers ----

  @Override
  public Future<List<JsonObject>> claim(String worker, int limit, long leaseMs) {
    if (closed || !opened) {
      return Future.failedFuture(IngestJobs.unavailable());
    }
    List<JsonObject> won = new ArrayList<>();
    return claimRound(worker, limit, leaseMs, won, 1).map(v -> won);
  }

  /** Reads the due jobs, sets each to running in one conditional upsert, keeps those it won. */
  private Future<Void> claimRound(String worker, int limit, long leaseMs, List<JsonObject> won, int round) {
    long now = System.currentTimeMillis();
    Filter due = Filter.newBuilder()
        .addShould(filter(Filter.newBuilder().addMust(matchKeyword("status", "queued"))
            .addMust(range("next_attempt_at", Range.newBuilder().setLte(now).build())).build()))
        .addShould(filter(Filter.newBuilder().addMust(matchKeyword("status", "running"))
            .addMust(range("lease_until", Range.newBuilder().setLt(now).build())).build()))
        .build();
    int wanted = limit - won.size();
    return calls.ordered(collection, due, "created_at", Direction.Asc, wanted).compose(payloads -> {
      List<JsonObject> candidates = payloads.stream().map(QdrantJobPoints::row)
          .sorted(Comparator.comparingLong((JsonObject r) -> r.getLong("created_at")).thenComparing(r -> r.getString("id")))
          .limit(wanted).toList();
      if (candidates.isEmpty()) {
        return Future.succeededFuture();
      }
      List<JsonObject> changed = new ArrayList<>();
      for (JsonObject c : candidates) {
        changed.add(c.copy().put("status", "running").put("attempts", c.getInteger("attempts") + 1)
            .put("worker", worker).put("lease_until", now + leaseMs).put("updated_at", now));
      }
      return jobs.compareAndSet(candidates, changed).compose(mine -> {
        mine.forEach(r -> won.add(IngestJobs.work(r)));
        boolean lostSome = mine.size() < candidates.size();
        return lostSome && won.size() < limit && round < CLAIM_ROUNDS
            ? claimRound(worker, limit, leaseMs, won, round + 1) : Future.succeededFuture();
      });
    });
  }

  @Override
  public Future<Void> checkpoint(String id, String worker, JsonObject extraction, long leaseMs) {
    long now = System.currentTimeMillis();
    return held(id, worker, r -> r.put("extraction", extraction.encode()).put("lease_until", now + leaseMs)
        .put("updated_at", now)).mapEmpty();
  }

  @Override
  public Future<Void> renew(String id, String worker, long leaseMs) {
    long now = System.currentTimeMillis();
    return held(id, worker, r -> r.put("lease_until", now + leaseMs).put("updated_at", now)).mapEmpty();
  }

  @Override
  public Future<Void> complete(String id, String worker, JsonObject result) {
    long now = System.currentTimeMillis();
    return held(id, worker, r -> finished(r, "done", now).put("result", result.encode()).putNull("error"))
        .onSuccess(r -> finishedOne(now)).mapEmpty();
  }

  @Override
  public Future<JsonObject> fail(String id, String worker, String error, int maxAttempts, long backoffMs) {
    long now = System.currentTimeMillis();
    String err = IngestJobs.clip(error);
    return held(id, worker, r -> {
      r.put("error", err);
      if (r.getInteger("attempts") >= maxAttempts) {
        return finished(r, "failed", now);
      }
      return r.put("status", "queued").putNull("lease_until").put("updated_at", now)
          .put("next_attempt_at", now + IngestJobs.backoff(backoffMs, r.getInteger("attempts")));
    }).map(r -> {
      JsonObject out = new JsonObject().put("status", r.getString("status")).put("attempts", r.getInteger("attempts"));
      if ("failed".equals(r.getString("status"))) {
        finishedOne(now);
      } else {
        out.put("next_attempt_at", Fields.iso(r.getLong("next_attempt_at")));
      }
      return out;
    });
  }

  private static JsonObject finished(JsonObject r, String status, long now) {
    return r.put("status", status).putNull("lease_until").put("updated_at", now).put("finished_at", now);
  }

  /** A change of a job this worker holds (running, same worker), compare-and-set; 409 otherwise. */
  private Future<JsonObject> held(String id, String worker, java.util.function.UnaryOperator<JsonObject> change) {
    if (closed || !opened) {
      return Future.failedFuture(IngestJobs.unavailable());
    }
    return jobs.read(List.of(id)).compose(found -> {
      JsonObject row = found.get(id);
      if (row == null || !"running".equals(row.getString("status")) || !worker.equals(row.getString("worker"))) {
        return Future.failedFuture(IngestJobs.notHeld(id));
      }
      JsonObject next = change.apply(row.copy());
      return jobs.compareAndSet(List.of(row), List.of(next)).compose(mine -> mine.isEmpty()
          ? Future.failedFuture(IngestJobs.notHeld(id)) : Future.succeededFuture(mine.get(0)));
    });
  }

  private void finishedOne(long at) {
    outstanding = Math.max(0, outstanding - 1);
    throughput.finishedAt(at);
  }

  /** Closes after the write under way; later calls fail with 503. */
  @Override
  public Future<Void> close() {
    if (closing == null) {
      closed = true;
      if (recountTimer >= 0) {
        vertx.cancelTimer(recountTimer);
      }
      closing = commits.drain().onComplete(ar -> calls.close());
    }
    return closing;
  }
}
