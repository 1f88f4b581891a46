package dev.memorymcp.storage;

import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A patch's {@code add_tags} / {@code remove_tags}, resolved against the stored tags. */
final class TagEdits {
  private TagEdits() {}

  /** The patch with add_tags / remove_tags turned into the tags they give the stored ones (order kept). */
  static JsonObject apply(JsonObject patch, List<String> stored) {
    if (!patch.containsKey("add_tags") && !patch.containsKey("remove_tags")) {
      return patch;
    }
    JsonObject out = patch.copy();
    Set<String> tags = new LinkedHashSet<>(stored);
    out.getJsonArray("add_tags", new JsonArray()).forEach(t -> tags.add((String) t));
    out.getJsonArray("remove_tags", new JsonArray()).forEach(tags::remove);
    if (tags.size() > MemoryInput.MAX_TAGS) {
      throw MemoryException.invalidField("add_tags", "would give the memory " + tags.size() + " tags; at most "
          + MemoryInput.MAX_TAGS);
    }
    out.remove("add_tags");
    out.remove("remove_tags");
    return out.put("tags", new JsonArray(new ArrayList<>(tags)));
  }
}
