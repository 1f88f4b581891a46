package dev.memorymcp.bus;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A validated partial update: only the keys present change. Returns the normalised patch as JSON
 * (so it travels on the bus as it is); {@code expires_at: null} clears the expiry; {@code add_tags} /
 * {@code remove_tags} edit the tags in place (applied to the stored ones by the store).
 */
public final class MemoryPatch {
  private MemoryPatch() {}

  public static final Set<String> FIELDS = Set.of("content", "type", "scope", "scope_id", "name",
      "summary", "tags", "add_tags", "remove_tags", "category", "importance", "confidence", "metadata", "expires_at");

  public static JsonObject parse(JsonObject j) {
    if (j == null) {
      throw MemoryException.invalidField("body", "must be a JSON object");
    }
    Fields.rejectUnknown(j, FIELDS);
    if (j.isEmpty()) {
      throw MemoryException.invalidField("body", "names no field to update; expected some of " + FIELDS);
    }
    JsonObject p = new JsonObject();
    if (j.containsKey("content")) {
      p.put("content", Fields.requireString(j, "content", MemoryInput.MAX_CONTENT).strip());
    }
    copy(j, p, "type", Fields.optEnum(j, "type", Memory.TYPES));
    copy(j, p, "scope", Fields.optEnum(j, "scope", Memory.SCOPES));
    copy(j, p, "scope_id", Fields.optString(j, "scope_id", MemoryInput.MAX_SHORT));
    copy(j, p, "name", Fields.optString(j, "name", MemoryInput.MAX_SHORT));
    copy(j, p, "summary", Fields.optString(j, "summary", MemoryInput.MAX_SUMMARY));
    copy(j, p, "category", Fields.optString(j, "category", 64));
    copy(j, p, "importance", Fields.optUnit(j, "importance"));
    copy(j, p, "confidence", Fields.optUnit(j, "confidence"));
    if (j.containsKey("tags")) {
      var tags = Fields.optStrings(j, "tags", MemoryInput.MAX_TAGS, 64);
      p.put("tags", new io.vertx.core.json.JsonArray(tags == null ? java.util.List.of() : tags));
    }
    for (String edit : new String[] {"add_tags", "remove_tags"}) {
      if (j.containsKey(edit)) {
        if (j.containsKey("tags")) {
          throw MemoryException.invalidField(edit, "cannot be combined with tags (which replaces them all)");
        }
        var tags = Fields.optStrings(j, edit, MemoryInput.MAX_TAGS, 64);
        p.put(edit, new io.vertx.core.json.JsonArray(tags == null ? java.util.List.of() : tags));
      }
    }
    if (j.containsKey("metadata")) {
      JsonObject m = Fields.optObject(j, "metadata");
      if (m != null && m.encode().length() > MemoryInput.MAX_METADATA_BYTES) {
        throw MemoryException.invalidField("metadata", "larger than " + MemoryInput.MAX_METADATA_BYTES + " bytes");
      }
      p.put("metadata", m == null ? new JsonObject() : m);
    }
    if (j.containsKey("expires_at")) {
      Long t = Fields.optInstant(j, "expires_at");
      p.put("expires_at", Fields.iso(t));
    }
    // fields every memory has: null cannot clear them (found by the fuzz suite: a null importance was a 500)
    for (String required : new String[] {"type", "scope", "importance", "confidence"}) {
      if (p.containsKey(required) && p.getValue(required) == null) {
        throw MemoryException.invalidField(required, "cannot be null");
      }
    }
    return p;
  }

  private static void copy(JsonObject in, JsonObject out, String key, Object value) {
    if (in.containsKey(key)) {
      out.put(key, value);
    }
  }
}
