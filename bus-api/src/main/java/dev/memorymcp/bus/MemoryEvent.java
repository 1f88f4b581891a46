package dev.memorymcp.bus;

import io.vertx.core.json.JsonObject;

/**
 * One append-only history entry of a memory: CREATE, UPDATE, DELETE, MERGE or ACCESS, with who did
 * it, in which session, and the data that changed (old and new values).
 */
public record MemoryEvent(long seq, String memoryId, String namespace, String type, String actor,
    String sessionId, JsonObject data, long at) {

  public static final String CREATE = "CREATE";
  public static final String UPDATE = "UPDATE";
  public static final String DELETE = "DELETE";
  public static final String MERGE = "MERGE";
  public static final String ACCESS = "ACCESS";

  public static MemoryEvent of(String memoryId, String namespace, String type, String actor,
      String sessionId, JsonObject data, long at) {
    return new MemoryEvent(0, memoryId, namespace, type, actor, sessionId, data, at);
  }

  public JsonObject toJson() {
    return new JsonObject().put("seq", seq).put("memory_id", memoryId).put("namespace", namespace)
        .put("type", type).put("actor", actor).put("session_id", sessionId)
        .put("data", data == null ? new JsonObject() : data).put("at", Fields.iso(at));
  }
}
