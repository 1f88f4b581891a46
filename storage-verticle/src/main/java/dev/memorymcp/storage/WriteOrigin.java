package dev.memorymcp.storage;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Principal;
import io.vertx.core.json.JsonObject;

/**
 * Who a write is made for: the actor that asked for it ({@code by}: {@code key:<id>} for an API key,
 * absent for anonymous and internal writes) and, for a background write, the ingest job and the
 * write key (job id + fact index) that makes a retried write a no-op. All land in the write's
 * event data; {@code by} on a CREATE event is how "delete only what it created" is checked.
 * {@code principal} bounds which scope ids the write may touch (not stored).
 */
record WriteOrigin(String jobId, String writeKey, String by, Principal principal) {
  static final WriteOrigin NONE = new WriteOrigin(null, null, null, Principal.ANONYMOUS);

  /**
   * From the optional {@code job_id}, {@code write_key}, {@code actor} and {@code principal} of a write's
   * bus body; an ingest worker's write (a job id, no principal) names the job's enqueuer as
   * {@code on_behalf_of}. Bodies from clients never reach here with these fields: the gateway builds
   * them (and replaces principal / actor).
   */
  static WriteOrigin of(JsonObject body) {
    String job = Fields.optString(body, "job_id", 64);
    String key = Fields.optString(body, "write_key", 200);
    String actor = body.getValue("principal") != null ? Fields.optString(body, "actor", 200)
        : job != null ? Fields.optString(body, "on_behalf_of", 200) : null;
    return job == null && key == null && actor == null ? NONE
        : new WriteOrigin(job, key, actor, Principal.of(body));
  }

  /** Adds job_id / write_key / by to an event's data. */
  JsonObject stamp(JsonObject data) {
    if (jobId != null) {
      data.put("job_id", jobId);
    }
    if (writeKey != null) {
      data.put("write_key", writeKey);
    }
    if (by != null) {
      data.put("by", by);
    }
    return data;
  }
}
