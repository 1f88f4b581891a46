package dev.memorymcp.storage.ingest;

import dev.memorymcp.bus.IngestRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The durable queue of chat ingest jobs. Gateways enqueue and read status through the storage
 * members; ingest workers claim jobs with a lease and report back. Lifecycle: queued → running
 * (claimed by one worker, leased) → done | queued again with backoff | failed after the last
 * attempt. A running job whose lease ran out may be claimed by another worker; every update of a
 * running job must come from the worker that holds it (409 {@code INGEST_JOB_NOT_HELD} otherwise).
 * Two implementations: {@link SqliteIngestQueue} (one member's own file) and
 * {@link QdrantIngestQueue} (one collection shared by every storage member of a cluster).
 */
public interface IngestQueue {
  Future<Void> open();

  /**
   * Writes the job on behalf of {@code by} (an API key's actor, or null) and completes with {job_id,
   * status, duplicate} once it is durable. An idempotency key already used in the namespace gives
   * the earlier job ({@code duplicate: true}), or 409 when the earlier request differed. Past the
   * queue depth: 429 with {@code retry_after_s}.
   */
  Future<JsonObject> enqueue(String namespace, IngestRequest request, String idempotencyKey, String by);

  default Future<JsonObject> enqueue(String namespace, IngestRequest request, String idempotencyKey) {
    return enqueue(namespace, request, idempotencyKey, null);
  }

  /** The public view of a job, or null when there is none with that id in the namespace. */
  Future<JsonObject> get(String namespace, String id);

  /** The namespace's newest jobs first, optionally of one status. */
  Future<List<JsonObject>> recent(String namespace, String status, int limit);

  /**
   * Takes up to {@code limit} due jobs (queued and due, or running with an expired lease) for
   * {@code worker}: running, attempts + 1, leased for {@code leaseMs}. Each comes with its messages
   * and, when an earlier attempt saved one, its extraction.
   */
  Future<List<JsonObject>> claim(String worker, int limit, long leaseMs);

  /** Saves the job's extraction (so a retry applies the same facts) and renews the lease. */
  Future<Void> checkpoint(String id, String worker, JsonObject extraction, long leaseMs);

  /** Renews the lease of a job the worker is still running (its heartbeat). */
  Future<Void> renew(String id, String worker, long leaseMs);

  Future<Void> complete(String id, String worker, JsonObject result);

  /**
   * Records a failed attempt: queued again after {@code backoffMs × 2^(attempts-1)} (at most ten
   * minutes), or kept as failed once {@code maxAttempts} attempts were made. Never deletes the job.
   */
  Future<JsonObject> fail(String id, String worker, String error, int maxAttempts, long backoffMs);

  /** Counts by status ({queued, running, done, failed}), for /health and the stats. */
  Future<JsonObject> counts();

  /** Where the jobs are, for logs and /health: {@code sqlite} or {@code qdrant}. */
  String kind();

  /** Closes after writes already accepted; later calls fail with 503. */
  Future<Void> close();
}
