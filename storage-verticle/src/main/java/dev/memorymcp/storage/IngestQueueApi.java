package dev.memorymcp.storage;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.storage.ingest.IngestQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The bus handlers of the ingest queue: gateways enqueue and read status, ingest workers claim and report. */
final class IngestQueueApi {
  static final int MAX_CLAIM = 64;
  /** The lease when a caller sends no lease_ms (the ingest worker always sends its ingest.lease_ms). */
  static final long DEFAULT_LEASE_MS = 600_000L;

  private final IngestQueue queue;
  private final IngestRequest.Limits limits;
  private final int maxAttempts;
  private final long backoffMs;

  IngestQueueApi(IngestQueue queue, JsonObject cfg) {
    this.queue = queue;
    this.limits = IngestRequest.Limits.of(cfg);
    this.maxAttempts = Math.max(1, cfg.getInteger("ingest.max_attempts", 5));
    this.backoffMs = Math.max(0, cfg.getInteger("ingest.retry_backoff_ms", 2000));
  }

  Future<JsonObject> enqueue(JsonObject body) {
    String ns = StorageApi.ns(body);
    String key = IngestRequest.checkIdempotencyKey("Idempotency-Key", Fields.optString(body, "idempotency_key", 1000));
    JsonObject request = body.copy();
    request.remove("namespace");
    request.remove("idempotency_key");
    request.remove("principal");
    request.remove("actor");
    IngestRequest parsed = IngestRequest.parse(request, limits);
    Principal p = Principal.of(body);
    p.checkWritableScope("scope_id", parsed.scopeId());
    return queue.enqueue(ns, parsed, key, p.keyId() == null ? null : p.actor());
  }

  /** A job's status; a scope-limited key sees only jobs of its scope ids. */
  Future<JsonObject> get(JsonObject body) {
    String id = Fields.requireString(body, "job_id", 64);
    Principal p = Principal.of(body);
    return queue.get(StorageApi.ns(body), id).compose(job -> job == null || !p.canSee(job.getString("scope_id"))
        ? Future.failedFuture(new MemoryException(ErrorCode.NOT_FOUND, "INGEST_JOB_NOT_FOUND",
            "no ingest job with id " + id + " in this namespace", new JsonObject().put("job_id", id)))
        : Future.succeededFuture(new JsonObject().put("job", job)));
  }

  static final int MAX_LIST = 200;

  /** {namespace, status?, limit?} → {jobs}: newest first, those the principal may see. */
  Future<JsonObject> list(JsonObject body) {
    Integer limit = Fields.optInt(body, "limit", 1, MAX_LIST);
    String status = Fields.optEnum(body, "status", java.util.Set.of("queued", "running", "done", "failed"));
    Principal p = Principal.of(body);
    return queue.recent(StorageApi.ns(body), status, limit == null ? 20 : limit).map(jobs -> new JsonObject()
        .put("jobs", new io.vertx.core.json.JsonArray(jobs.stream().filter(j -> p.canSee(j.getString("scope_id"))).toList())));
  }

  Future<JsonObject> claim(JsonObject body) {
    String worker = Fields.requireString(body, "worker", 200);
    Integer limit = Fields.optInt(body, "limit", 1, MAX_CLAIM);
    long lease = body.getLong("lease_ms", DEFAULT_LEASE_MS);
    return queue.claim(worker, limit == null ? 1 : limit, lease)
        .map(jobs -> new JsonObject().put("jobs", new JsonArray(jobs)));
  }

  Future<JsonObject> checkpoint(JsonObject body) {
    return queue.checkpoint(Fields.requireString(body, "job_id", 64), Fields.requireString(body, "worker", 200),
        body.getJsonObject("extraction", new JsonObject()), body.getLong("lease_ms", DEFAULT_LEASE_MS))
        .map(v -> new JsonObject());
  }

  /** {job_id, worker, lease_ms} → {}: the worker's heartbeat for a job it is still running. */
  Future<JsonObject> renew(JsonObject body) {
    return queue.renew(Fields.requireString(body, "job_id", 64), Fields.requireString(body, "worker", 200),
        body.getLong("lease_ms", DEFAULT_LEASE_MS)).map(v -> new JsonObject());
  }

  Future<JsonObject> complete(JsonObject body) {
    return queue.complete(Fields.requireString(body, "job_id", 64), Fields.requireString(body, "worker", 200),
        body.getJsonObject("result", new JsonObject())).map(v -> new JsonObject().put("status", "done"))
        .onSuccess(r -> StorageMetrics.ingestJob("done"));
  }

  Future<JsonObject> fail(JsonObject body) {
    return queue.fail(Fields.requireString(body, "job_id", 64), Fields.requireString(body, "worker", 200),
        body.getString("error"), maxAttempts, backoffMs)
        .onSuccess(r -> StorageMetrics.ingestJob("failed".equals(r.getString("status")) ? "failed" : "retried"));
  }
}
