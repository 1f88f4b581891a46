package dev.memorymcp.gateway.auth;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.bus.Principal.Role;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Who may send what: every bus address the gateway calls on a caller's behalf has the least role
 * it needs and, when the call changes something, the action name the audit log records. REST
 * routes and MCP tools both reach the service only through these addresses, so one table decides
 * for both transports; an address missing here is refused (fail closed).
 */
public final class AccessPolicy {
  private AccessPolicy() {}

  /** The least role and the audit action (null: a read, not audited). */
  record Rule(Role role, String action) {}

  private static final Map<String, Rule> RULES = Map.ofEntries(
      Map.entry(Addresses.STORE_GET, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_GET_MANY, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_LIST, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_HISTORY, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_RELATIONS, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.SEARCH, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_CATALOGUE, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_DUPLICATES, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_GRAPH, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_RESTORE, new Rule(Role.MEMBER, "memory.restore")),
      Map.entry(Addresses.STORE_MERGE, new Rule(Role.ADMIN, "memory.merge")),
      Map.entry(Addresses.STORE_CLEAN, new Rule(Role.ADMIN, "memory.clean")),
      Map.entry(Addresses.INGEST_GET, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.INGEST_LIST, new Rule(Role.VIEWER, null)),
      Map.entry(Addresses.STORE_REMEMBER, new Rule(Role.MEMBER, "memory.remember")),
      Map.entry(Addresses.STORE_REMEMBER_BATCH, new Rule(Role.MEMBER, "memory.remember_batch")),
      Map.entry(Addresses.STORE_UPDATE, new Rule(Role.MEMBER, "memory.update")),
      Map.entry(Addresses.STORE_DELETE, new Rule(Role.MEMBER, "memory.delete")),
      Map.entry(Addresses.STORE_FORGET, new Rule(Role.MEMBER, "memory.forget")),
      Map.entry(Addresses.STORE_RELATE, new Rule(Role.MEMBER, "relation.create")),
      Map.entry(Addresses.INGEST_ENQUEUE, new Rule(Role.MEMBER, "ingest.enqueue")),
      Map.entry(Addresses.STORE_MIGRATE_START, new Rule(Role.ADMIN, "migration.start")),
      Map.entry(Addresses.STORE_MIGRATE_GET, new Rule(Role.ADMIN, null)),
      Map.entry(Addresses.AUTH_KEY_CREATE, new Rule(Role.ADMIN, "key.create")),
      Map.entry(Addresses.AUTH_KEY_LIST, new Rule(Role.ADMIN, null)),
      Map.entry(Addresses.AUTH_KEY_REVOKE, new Rule(Role.ADMIN, "key.revoke")),
      Map.entry(Addresses.AUDIT_QUERY, new Rule(Role.ADMIN, null)),
      Map.entry(Addresses.STORE_CLEANUP, new Rule(Role.ADMIN, "memory.cleanup")),
      Map.entry(Addresses.STORE_REBUILD_START, new Rule(Role.ADMIN, "embedding.rebuild")),
      Map.entry(Addresses.STORE_REBUILD_STATUS, new Rule(Role.ADMIN, null)),
      Map.entry(Addresses.STORE_EXPORT_PAGE, new Rule(Role.ADMIN, null)), // audited once per export
      Map.entry(Addresses.STORE_IMPORT_PAGE, new Rule(Role.ADMIN, "import.page")),
      Map.entry(Addresses.STORE_NAMESPACES, new Rule(Role.ADMIN, null)));

  /**
   * Throws 403 FORBIDDEN unless the principal's role reaches the address's, and when the body
   * names a namespace, unless the principal may use it.
   */
  static Rule check(Principal p, String address, JsonObject body) {
    Rule rule = RULES.get(address);
    if (rule == null) {
      throw forbidden("FORBIDDEN", "no caller may send " + address + " through the gateway");
    }
    if (!p.allows(rule.role())) {
      throw forbidden("FORBIDDEN", "this API key's role (" + p.role().label() + ") may not do this; it needs "
          + rule.role().label());
    }
    if (body.getValue("namespace") instanceof String ns && !p.canUse(ns)) {
      throw namespaceForbidden(ns);
    }
    return rule;
  }

  /** Whether only an admin may send to the address (operator work: migrations, keys, audit …). */
  public static boolean adminOnly(String address) {
    Rule rule = RULES.get(address);
    return rule == null || rule.role() == Role.ADMIN;
  }

  /** Whether the principal may call the address at all (MCP tools are listed and checked by this). */
  public static boolean allowed(Principal p, String address) {
    Rule rule = RULES.get(address);
    return rule != null && p.allows(rule.role());
  }

  public static MemoryException namespaceForbidden(String ns) {
    return new MemoryException(ErrorCode.FORBIDDEN, "NAMESPACE_FORBIDDEN",
        "this API key may not use persona '" + ns + "'", new JsonObject().put("field", "X-Persona"));
  }

  static MemoryException forbidden(String code, String message) {
    return new MemoryException(ErrorCode.FORBIDDEN, code, message);
  }
}
