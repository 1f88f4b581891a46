package dev.memorymcp.storage;

import dev.memorymcp.bus.Fields;
import io.vertx.core.json.JsonObject;

/**
 * Who a write is made for, when it is a background write: the ingest job and the write key
 * (job id + fact index) that makes a retried write a no-op. Both land in the write's event data.
 */
record WriteOrigin(String jobId, String writeKey) {
  static final WriteOrigin NONE = new WriteOrigin(null, null);

  /** From the optional {@code job_id} and {@code write_key} of a remember/update bus body. */
  static WriteOrigin of(JsonObject body) {
    String job = Fields.optString(body, "job_id", 64);
    String key = Fields.optString(body, "write_key", 200);
    return job == null && key == null ? NONE : new WriteOrigin(job, key);
  }

  /** Adds job_id / write_key to an event's data. */
  JsonObject stamp(JsonObject data) {
    if (jobId != null) {
      data.put("job_id", jobId);
    }
    if (writeKey != null) {
      data.put("write_key", writeKey);
    }
    return data;
  }
}
