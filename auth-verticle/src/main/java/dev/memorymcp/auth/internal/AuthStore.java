package dev.memorymcp.auth.internal;

import dev.memorymcp.auth.ApiKeys;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * API keys and the audit log in their own SQLite file, {@code auth.db} in the data directory, on
 * one JDBC connection. Blocking and synchronized: the verticle calls it from ordered worker tasks,
 * the {@code keys} CLI directly. The audit table refuses UPDATE and DELETE (triggers), so the log
 * is append-only even for someone holding the file through this code.
 */
public final class AuthStore implements AutoCloseable {
  public static final String FILE = "auth.db";
  static final String SECRET_FILE = "auth.secret";
  public static final int MAX_KEY_NAME = 100;
  public static final int MAX_AUDIT_PAGE = 500;

  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, "
          + "namespaces TEXT NOT NULL, scope_ids TEXT NOT NULL DEFAULT '[]', hash BLOB NOT NULL, created_at INTEGER NOT NULL, created_by TEXT, "
          + "last_used_at INTEGER, expires_at INTEGER, revoked_at INTEGER)",
      "CREATE TABLE IF NOT EXISTS audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, "
          + "actor TEXT NOT NULL, actor_name TEXT, role TEXT, action TEXT NOT NULL, resource TEXT, namespace TEXT, "
          + "ids TEXT, client TEXT, outcome TEXT NOT NULL, detail TEXT)",
      "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at)",
      "CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log(actor, seq)",
      "CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log(action, seq)",
      "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
          + "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
      "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
          + "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
      "PRAGMA user_version = 1"};

  private final Connection conn;
  private final byte[] serverSecret;
  /** last_used_at updates, written in batches (a request must not wait for a write). */
  private final Map<String, Long> lastUsed = new HashMap<>();

  private AuthStore(Connection conn, byte[] serverSecret) {
    this.conn = conn;
    this.serverSecret = serverSecret;
  }

  /** Opens (creating when absent) auth.db and the server secret in {@code dataDir}. */
  public static AuthStore open(Path dataDir, String synchronous) throws IOException, SQLException {
    Files.createDirectories(dataDir);
    byte[] secret = serverSecret(dataDir.resolve(SECRET_FILE));
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(FILE).toAbsolutePath()
        + "?journal_mode=WAL&synchronous=" + synchronous + "&busy_timeout=5000");
    try (Statement st = c.createStatement()) {
      for (String sql : SCHEMA) {
        st.execute(sql);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return new AuthStore(c, secret);
  }

  /** The HMAC secret: 32 random bytes made once, readable by the owner only. */
  private static byte[] serverSecret(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] s = new byte[32];
      new SecureRandom().nextBytes(s);
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
      Files.write(tmp, s, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      try {
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) { // another process made it first: use theirs
        Files.deleteIfExists(tmp);
      }
    }
    byte[] s = Files.readAllBytes(file);
    if (s.length < 32) {
      throw new IOException(file + " is damaged (" + s.length + " bytes, expected 32): without it no stored "
          + "API key can be checked; restore it from a backup, or delete it and auth.db's api_keys to start over");
    }
    return s;
  }

  /** A key just made: the key text (shown once) and its description. */
  public record Created(String key, JsonObject info) {}

  /**
   * Makes a key. {@code namespaces}: the grants ({@code *} = all); {@code scopeIds}: the scope ids
   * inside them (empty = all); {@code expiresAt} may be null.
   */
  public synchronized Created create(String name, Principal.Role role, List<String> namespaces, List<String> scopeIds,
      Long expiresAt, String createdBy, long now) throws SQLException {
    ApiKeys.NewKey k = ApiKeys.generate();
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO api_keys(id, name, role, namespaces, scope_ids, "
        + "hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, k.id());
      ps.setString(2, name);
      ps.setString(3, role.label());
      ps.setString(4, new JsonArray(namespaces).encode());
      ps.setString(5, new JsonArray(scopeIds).encode());
      ps.setBytes(6, ApiKeys.hash(serverSecret, k.key()));
      ps.setLong(7, now);
      ps.setString(8, createdBy);
      if (expiresAt == null) {
        ps.setNull(9, java.sql.Types.INTEGER);
      } else {
        ps.setLong(9, expiresAt);
      }
      ps.executeUpdate();
    }
    return new Created(k.key(), info(k.id()));
  }

  /** The principal of a valid, unrevoked, unexpired key, else null. Records the use. */
  public synchronized Principal resolve(String key, long now) throws SQLException {
    String id = ApiKeys.idOf(key);
    if (id == null) {
      return null;
    }
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT name, role, namespaces, scope_ids, hash, expires_at, revoked_at FROM api_keys WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || !MessageDigest.isEqual(rs.getBytes("hash"), ApiKeys.hash(serverSecret, key))) {
          return null;
        }
        long expires = rs.getLong("expires_at");
        boolean expired = !rs.wasNull() && expires <= now;
        rs.getLong("revoked_at");
        boolean revoked = !rs.wasNull();
        if (expired || revoked) {
          return null;
        }
        lastUsed.put(id, now);
        return new Principal(id, rs.getString("name"), Principal.Role.parse("role", rs.getString("role")),
            new JsonArray(rs.getString("namespaces")).stream().map(String::valueOf).toList(),
            new JsonArray(rs.getString("scope_ids")).stream().map(String::valueOf).toList());
      }
    }
  }

  /** When a key that exists but cannot be used stops being usable: "revoked" / "expired" / null. */
  public synchronized String whyUnusable(String key, long now) throws SQLException {
    String id = ApiKeys.idOf(key);
    if (id == null) {
      return null;
    }
    JsonObject info = info(id);
    if (info == null) {
      return null;
    }
    return info.getValue("revoked_at") != null ? "revoked"
        : info.getValue("expires_at") != null && Fields.parseInstant("expires_at", info.getString("expires_at")) <= now
            ? "expired" : null;
  }

  /** Writes the recorded last_used_at times. */
  public synchronized void flushLastUsed() throws SQLException {
    if (lastUsed.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
      for (Map.Entry<String, Long> e : lastUsed.entrySet()) {
        ps.setLong(1, e.getValue());
        ps.setString(2, e.getKey());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    lastUsed.clear();
  }

  /** Every key's description, newest first; revoked ones only when asked. */
  public synchronized List<JsonObject> list(boolean includeRevoked) throws SQLException {
    flushLastUsed();
    List<JsonObject> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM api_keys"
        + (includeRevoked ? "" : " WHERE revoked_at IS NULL") + " ORDER BY created_at DESC, id");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(info(rs));
      }
    }
    return out;
  }

  /** Revokes a key (kept, marked); 404 KEY_NOT_FOUND for an unknown id. Revoking twice keeps the first time. */
  public synchronized JsonObject revoke(String id, long now) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(
        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
      ps.setLong(1, now);
      ps.setString(2, id);
      ps.executeUpdate();
    }
    JsonObject info = info(id);
    if (info == null) {
      throw new MemoryException(ErrorCode.NOT_FOUND, "KEY_NOT_FOUND", "no API key with id " + id,
          new JsonObject().put("id", id));
    }
    return info;
  }

  private JsonObject info(String id) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM api_keys WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? info(rs) : null;
      }
    }
  }

  private static JsonObject info(ResultSet rs) throws SQLException {
    JsonObject j = new JsonObject().put("id", rs.getString("id")).put("name", rs.getString("name"))
        .put("role", rs.getString("role")).put("namespaces", new JsonArray(rs.getString("namespaces")))
        .put("scope_ids", new JsonArray(rs.getString("scope_ids")))
        .put("created_at", Fields.iso(rs.getLong("created_at"))).put("created_by", rs.getString("created_by"));
    for (String col : new String[] {"last_used_at", "expires_at", "revoked_at"}) {
      long v = rs.getLong(col);
      j.put(col, rs.wasNull() ? null : Fields.iso(v));
    }
    return j;
  }

  // ---- audit log ----

  /** Appends lines (each: at, actor, action, outcome and the optional fields) in one transaction. */
  public synchronized void append(List<JsonObject> lines) throws SQLException {
    if (lines.isEmpty()) {
      return;
    }
    conn.setAutoCommit(false);
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO audit_log(at, actor, actor_name, role, "
        + "action, resource, namespace, ids, client, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (JsonObject l : lines) {
        ps.setLong(1, l.getLong("at"));
        ps.setString(2, l.getString("actor", "?"));
        ps.setString(3, l.getString("actor_name"));
        ps.setString(4, l.getString("role"));
        ps.setString(5, l.getString("action", "?"));
        ps.setString(6, l.getString("resource"));
        ps.setString(7, l.getString("namespace"));
        JsonArray ids = l.getJsonArray("ids");
        ps.setString(8, ids == null || ids.isEmpty() ? null : ids.encode());
        ps.setString(9, l.getString("client"));
        ps.setString(10, l.getString("outcome", "ok"));
        JsonObject detail = l.getJsonObject("detail");
        ps.setString(11, detail == null || detail.isEmpty() ? null : detail.encode());
        ps.addBatch();
      }
      ps.executeBatch();
      conn.commit();
    } catch (SQLException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(true);
    }
  }

  /** The audit query's filters; null fields do not filter. {@code beforeSeq} is the cursor. */
  public record AuditQuery(Long since, Long until, String actor, String action, String namespace, int limit,
      Long beforeSeq) {}

  /** Matching lines newest first, and the cursor of the next page (null on the last). */
  public synchronized JsonObject query(AuditQuery q) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    if (q.since() != null) {
      sql.append(" AND at >= ?");
      params.add(q.since());
    }
    if (q.until() != null) {
      sql.append(" AND at <= ?");
      params.add(q.until());
    }
    if (q.actor() != null) { // the key id form (key:…) or the key's name
      sql.append(" AND (actor = ? OR actor_name = ? OR actor = 'key:' || ?)");
      params.add(q.actor());
      params.add(q.actor());
      params.add(q.actor());
    }
    if (q.action() != null) { // "memory.*" matches every memory action
      if (q.action().endsWith(".*")) {
        sql.append(" AND action LIKE ? ESCAPE '\\'");
        params.add(q.action().substring(0, q.action().length() - 1).replace("\\", "\\\\").replace("%", "\\%")
            .replace("_", "\\_") + "%");
      } else {
        sql.append(" AND action = ?");
        params.add(q.action());
      }
    }
    if (q.namespace() != null) {
      sql.append(" AND namespace = ?");
      params.add(q.namespace());
    }
    if (q.beforeSeq() != null) {
      sql.append(" AND seq < ?");
      params.add(q.beforeSeq());
    }
    sql.append(" ORDER BY seq DESC LIMIT ?");
    params.add(q.limit() + 1);
    JsonArray entries = new JsonArray();
    boolean more = false;
    try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (entries.size() == q.limit()) {
            more = true;
            break;
          }
          entries.add(entry(rs));
        }
      }
    }
    String next = more ? String.valueOf(entries.getJsonObject(entries.size() - 1).getLong("seq")) : null;
    return new JsonObject().put("entries", entries).put("next_cursor", next);
  }

  private static JsonObject entry(ResultSet rs) throws SQLException {
    JsonObject j = new JsonObject().put("seq", rs.getLong("seq")).put("at", Fields.iso(rs.getLong("at")))
        .put("actor", rs.getString("actor")).put("actor_name", rs.getString("actor_name"))
        .put("role", rs.getString("role")).put("action", rs.getString("action"))
        .put("resource", rs.getString("resource")).put("namespace", rs.getString("namespace"))
        .put("ids", rs.getString("ids") == null ? new JsonArray() : new JsonArray(rs.getString("ids")))
        .put("client", rs.getString("client")).put("outcome", rs.getString("outcome"));
    if (rs.getString("detail") != null) {
      j.put("detail", new JsonObject(rs.getString("detail")));
    }
    return j;
  }

  @Override
  public synchronized void close() throws SQLException {
    try {
      flushLastUsed();
    } finally {
      conn.close();
    }
  }
}
