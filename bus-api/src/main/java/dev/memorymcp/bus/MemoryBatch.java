package dev.memorymcp.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /api/v1/memories:batch} body: {memories: [objects as for
 * {@code POST /api/v1/memories}], dedupe?: true|false}. A bad item names its place
 * ({@code memories[3].content}); one bad item rejects the whole batch.
 */
public record MemoryBatch(List<MemoryInput> memories, boolean dedupe) {
  /** Most memories in one batch request (also bounded by the request body limit). */
  public static final int MAX_BATCH = 256;
  public static final Set<String> FIELDS = Set.of("memories", "dedupe");

  public static MemoryBatch parse(JsonObject j) {
    if (j == null) {
      throw MemoryException.invalidField("body", "must be a JSON object");
    }
    Fields.rejectUnknown(j, FIELDS);
    JsonArray a = Fields.optArray(j, "memories");
    if (a == null || a.isEmpty()) {
      throw MemoryException.invalidField("memories", "is required: a non-empty array of memory objects");
    }
    if (a.size() > MAX_BATCH) {
      throw new MemoryException(ErrorCode.TOO_LARGE, "BATCH_TOO_LARGE", "memories: at most " + MAX_BATCH
          + " per batch, got " + a.size() + " (send several batches)",
          new JsonObject().put("field", "memories").put("limit", MAX_BATCH));
    }
    List<MemoryInput> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      String at = "memories[" + i + "]";
      if (!(a.getValue(i) instanceof JsonObject m)) {
        throw MemoryException.invalidField(at, "must be a memory object {content, ...}");
      }
      try {
        out.add(MemoryInput.parse(m));
      } catch (MemoryException e) {
        throw e.withFieldPrefix(at);
      }
    }
    Boolean dedupe = Fields.optBool(j, "dedupe");
    return new MemoryBatch(out, dedupe == null || dedupe);
  }
}
