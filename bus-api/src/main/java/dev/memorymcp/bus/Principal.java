package dev.memorymcp.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * Who a request speaks for: resolved once per request by the gateway from its API key and sent
 * on the bus with the request, so every verticle can check grants and name the actor. With auth
 * off (a loopback server for one person) every request is {@link #ANONYMOUS}, an admin.
 *
 * @param keyId the API key's id (null for the anonymous and bootstrap principals)
 * @param name the key's name, as the audit log shows it
 * @param role what the key may do
 * @param namespaces the namespaces it may use; {@code "*"} is every namespace
 * @param scopeIds the scope ids (team / project) it may use inside those namespaces; empty is
 *     every scope. A memory outside them is as invisible as one in another namespace.
 */
public record Principal(String keyId, String name, Role role, List<String> namespaces, List<String> scopeIds) {

  /** What a key may do; each role includes the one below it. */
  public enum Role {
    /** Read in its namespaces. */
    VIEWER,
    /** Read and write in its namespaces; delete only what it created. */
    MEMBER,
    /** Everything: every namespace, keys, audit log, migrations, cleanup, export and import. */
    ADMIN;

    /** "member" → MEMBER; anything else is a 400 naming {@code field}. */
    public static Role parse(String field, String v) {
      if (v != null) {
        for (Role r : values()) {
          if (r.name().equalsIgnoreCase(v.strip())) {
            return r;
          }
        }
      }
      throw MemoryException.invalidField(field, "must be one of admin, member, viewer");
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this role includes {@code other}'s rights. */
    public boolean atLeast(Role other) {
      return ordinal() >= other.ordinal();
    }
  }

  public static final String ALL_NAMESPACES = "*";

  /** Every request when auth is off: an admin for every namespace. */
  public static final Principal ANONYMOUS = new Principal(null, "anonymous", Role.ADMIN, List.of(ALL_NAMESPACES));

  public Principal {
    namespaces = List.copyOf(namespaces);
    scopeIds = List.copyOf(scopeIds);
  }

  /** A principal for every scope of its namespaces. */
  public Principal(String keyId, String name, Role role, List<String> namespaces) {
    this(keyId, name, role, namespaces, List.of());
  }

  /** The actor recorded in events and the audit log: {@code key:<id>}, or the name without a key. */
  public String actor() {
    return keyId == null ? name : "key:" + keyId;
  }

  /** Whether the principal may use {@code namespace} at all (a namespace it may not is invisible). */
  public boolean canUse(String namespace) {
    return namespaces.contains(ALL_NAMESPACES) || namespaces.contains(namespace);
  }

  /** Whether the principal is limited to some scope ids. */
  public boolean scopeLimited() {
    return !scopeIds.isEmpty();
  }

  /** Whether a memory with this scope id is visible to the principal (a null scope id is not, when limited). */
  public boolean canSee(String scopeId) {
    return scopeIds.isEmpty() || scopeId != null && scopeIds.contains(scopeId);
  }

  /**
   * The filters narrowed to what the principal may see: unchanged when it is not limited;
   * otherwise {@code scope_ids} becomes the grants (intersected with any asked for), and a
   * {@code scope_id} outside the grants matches nothing.
   */
  public Filters restrict(Filters f) {
    if (scopeIds.isEmpty()) {
      return f;
    }
    List<String> allowed = f.scopeIds() == null ? scopeIds
        : f.scopeIds().stream().filter(scopeIds::contains).toList();
    if (f.scopeId() != null && !allowed.contains(f.scopeId())) {
      allowed = List.of();
    }
    return f.withScopeIds(allowed);
  }

  /** 403 SCOPE_FORBIDDEN naming {@code field} unless a write to {@code scopeId} is allowed. */
  public void checkWritableScope(String field, String scopeId) {
    if (!canSee(scopeId)) {
      throw new MemoryException(ErrorCode.FORBIDDEN, "SCOPE_FORBIDDEN", field + ": this API key may write only in "
          + "scope ids " + scopeIds + (scopeId == null ? "; set scope_id" : ", not '" + scopeId + "'"),
          new JsonObject().put("field", field));
    }
  }

  public boolean allows(Role needed) {
    return role.atLeast(needed);
  }

  public JsonObject toJson() {
    return new JsonObject().put("key_id", keyId).put("name", name).put("role", role.label())
        .put("namespaces", new JsonArray(namespaces)).put("scope_ids", new JsonArray(scopeIds));
  }

  /** The principal a bus body carries under {@code principal}, or {@link #ANONYMOUS} when it has none. */
  public static Principal of(JsonObject body) {
    JsonObject p = body == null ? null : body.getJsonObject("principal");
    if (p == null) {
      return ANONYMOUS;
    }
    JsonArray ns = p.getJsonArray("namespaces", new JsonArray());
    JsonArray scopes = p.getJsonArray("scope_ids", new JsonArray());
    return new Principal(p.getString("key_id"), p.getString("name", "?"), Role.parse("principal.role", p.getString("role")),
        ns.stream().map(String::valueOf).toList(), scopes.stream().map(String::valueOf).toList());
  }
}
