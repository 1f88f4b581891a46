package dev.memorymcp.auth;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A request for a new API key: {@code name} (1-100 characters), {@code role}, {@code namespaces}
 * (the personas it may use, or {@code ["*"]}; required for member and viewer, every namespace for
 * admin), optional {@code scope_ids} (the team / project scope ids it may use inside those
 * namespaces; absent or empty = every scope; not for admin, which may do everything) and an optional
 * {@code expires_at} in the future.
 */
public record KeyRequest(String name, Principal.Role role, List<String> namespaces, List<String> scopeIds,
    Long expiresAt) {
  public static final int MAX_NAMESPACES = 100;
  private static final Set<String> FIELDS = Set.of("name", "role", "namespaces", "expires_at", "scope_ids");

  public static KeyRequest parse(JsonObject j, long now) {
    Fields.rejectUnknown(j, FIELDS);
    String name = Fields.requireString(j, "name", 100);
    if (name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
      throw MemoryException.invalidField("name", "must be visible text");
    }
    Principal.Role role = Principal.Role.parse("role", Fields.requireString(j, "role", 16));
    List<String> given = Fields.optStrings(j, "namespaces", MAX_NAMESPACES, Namespaces.MAX_LENGTH * 4);
    List<String> namespaces = new ArrayList<>();
    if (given == null || given.isEmpty()) {
      if (role != Principal.Role.ADMIN) {
        throw MemoryException.invalidField("namespaces", "is required for role " + role.label()
            + ": the personas this key may use, or [\"*\"] for all");
      }
      namespaces.add(Principal.ALL_NAMESPACES);
    } else {
      for (int i = 0; i < given.size(); i++) {
        String ns = given.get(i);
        String checked = Principal.ALL_NAMESPACES.equals(ns) ? ns : Namespaces.check("namespaces[" + i + "]", ns);
        if (!namespaces.contains(checked)) {
          namespaces.add(checked);
        }
      }
    }
    List<String> scopeIds = Fields.optStrings(j, "scope_ids", Filters.MAX_SCOPE_IDS, MemoryInput.MAX_SHORT);
    if (scopeIds != null && !scopeIds.isEmpty() && role == Principal.Role.ADMIN) {
      throw MemoryException.invalidField("scope_ids", "an admin key may do everything; scope ids limit member and "
          + "viewer keys only");
    }
    Long expires = Fields.optInstant(j, "expires_at");
    if (expires != null && expires <= now) {
      throw MemoryException.invalidField("expires_at", "must be in the future");
    }
    return new KeyRequest(name.strip(), role, List.copyOf(namespaces), scopeIds == null ? List.of() : scopeIds,
        expires);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("name", name).put("role", role.label()).put("namespaces", new JsonArray(namespaces))
        .put("scope_ids", new JsonArray(scopeIds));
    if (expiresAt != null) {
      j.put("expires_at", Fields.iso(expiresAt));
    }
    return j;
  }
}
