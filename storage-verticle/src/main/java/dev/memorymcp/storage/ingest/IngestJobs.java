package dev.memorymcp.storage.ingest;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.IngestRequest;
import dev.memorymcp.bus.MemoryException;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;

/**
 * What both queues share: a job row (the columns of {@code ingest_jobs} as JSON keys, whichever
 * backend holds it) shaped into a worker's job or the status view, the backoff, the Retry-After
 * estimate, and the errors.
 */
final class IngestJobs {
  /** Retry-After when no job finished recently (no throughput to estimate from). */
  static final int DEFAULT_RETRY_AFTER_S = 30;
  static final long MAX_BACKOFF_MS = 10 * 60_000L;
  static final int MAX_ERROR_CHARS = 2000;

  private IngestJobs() {}

  /** A chat post waiting for the next group commit, and where its acknowledgement goes. */
  record Pending(String namespace, IngestRequest request, String idempotencyKey, String by,
      Promise<JsonObject> reply) {}

  /** What a worker gets when it claims the job: its messages and any saved extraction. */
  static JsonObject work(JsonObject row) {
    JsonObject request = new JsonObject(row.getString("request"));
    String extraction = row.getString("extraction");
    return new JsonObject().put("id", row.getString("id")).put("namespace", row.getString("namespace"))
        .put("session_id", row.getString("session_id")).put("attempts", row.getInteger("attempts"))
        .put("messages", request.getJsonArray("messages")).put("metadata", request.getJsonObject("metadata"))
        .put("scope", request.getString("scope")).put("scope_id", request.getString("scope_id"))
        .put("by", request.getString("by"))
        .put("extraction", extraction == null ? null : new JsonObject(extraction));
  }

  /** What GET /api/v1/ingest/{id} shows: status, attempts, error and the worker's result. */
  static JsonObject view(JsonObject row) {
    JsonObject j = new JsonObject().put("job_id", row.getString("id"))
        .put("namespace", row.getString("namespace")).put("session_id", row.getString("session_id"))
        .put("scope_id", new JsonObject(row.getString("request")).getString("scope_id"))
        .put("status", row.getString("status")).put("attempts", row.getInteger("attempts"))
        .put("error", row.getString("error")).put("messages", row.getInteger("message_count"))
        .put("created_at", Fields.iso(row.getLong("created_at")))
        .put("updated_at", Fields.iso(row.getLong("updated_at")))
        .put("finished_at", Fields.iso(row.getLong("finished_at")));
    if ("queued".equals(row.getString("status")) && row.getInteger("attempts") > 0) {
      j.put("next_attempt_at", Fields.iso(row.getLong("next_attempt_at")));
    }
    String extraction = row.getString("extraction");
    if (extraction != null) {
      JsonObject e = new JsonObject(extraction);
      j.put("extractor", e.getString("extractor")).put("facts", e.getJsonArray("facts").size());
    }
    String result = row.getString("result");
    if (result != null) {
      j.mergeIn(new JsonObject(result));
    }
    return j;
  }

  /** The delay before attempt {@code attempts + 1}: doubling from {@code backoffMs}, at most ten minutes. */
  static long backoff(long backoffMs, int attempts) {
    return Math.min(MAX_BACKOFF_MS, backoffMs << Math.min(20, Math.max(0, attempts - 1)));
  }

  static String clip(String error) {
    String err = error == null ? "unknown error" : error;
    return err.length() > MAX_ERROR_CHARS ? err.substring(0, MAX_ERROR_CHARS) : err;
  }

  static MemoryException queueFull(long outstanding, int depth, int retryAfter) {
    return new MemoryException(ErrorCode.LIMITED, "INGEST_QUEUE_FULL",
        "the ingest queue holds " + outstanding + " unfinished jobs (limit ingest.queue_depth = "
            + depth + "); retry after " + retryAfter + " s",
        new JsonObject().put("retry_after_s", retryAfter).put("queue_depth", depth));
  }

  static MemoryException keyReused(String jobId) {
    return new MemoryException(ErrorCode.CONFLICT, "IDEMPOTENCY_KEY_REUSED",
        "Idempotency-Key was already used for a different request (job " + jobId + ")",
        new JsonObject().put("field", "Idempotency-Key").put("job_id", jobId));
  }

  /** A job this worker does not hold; delivered as a 409. */
  static MemoryException notHeld(String id) {
    return new MemoryException(ErrorCode.CONFLICT, "INGEST_JOB_NOT_HELD",
        "ingest job " + id + " is not running under this worker (its lease ran out or it was requeued)",
        new JsonObject().put("job_id", id));
  }

  static MemoryException unavailable() {
    return new MemoryException(ErrorCode.UNAVAILABLE, "INGEST_QUEUE_UNAVAILABLE", "the ingest queue is not open");
  }

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  /**
   * The id of the job sent with an Idempotency-Key: 14 base62 characters (the shape of a random
   * job id) of a hash of (namespace, key), so every member derives the same id for a retry.
   */
  static String keyedId(String namespace, String key) {
    byte[] h = HexFormat.of().parseHex(sha256(namespace + "\u0000" + key));
    java.math.BigInteger n = new java.math.BigInteger(1, h);
    char[] c = new char[14];
    java.math.BigInteger base = java.math.BigInteger.valueOf(BASE62.length);
    for (int i = 0; i < c.length; i++) {
      java.math.BigInteger[] qr = n.divideAndRemainder(base);
      c[i] = BASE62[qr[1].intValue()];
      n = qr[0];
    }
    return new String(c);
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Finish times of recent jobs on this member, to estimate Retry-After from throughput. */
  static final class Throughput {
    private final ArrayDeque<Long> finished = new ArrayDeque<>();

    void finishedAt(long at) {
      finished.addLast(at);
      while (finished.size() > 200) {
        finished.removeFirst();
      }
    }

    /** Seconds until about a tenth of a queue of {@code depth} has drained at the recent rate, 1..300. */
    int retryAfterSeconds(int depth) {
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
  }
}
