package dev.memorymcp.storage.sqlite;

import java.util.List;

/**
 * Every SQL statement of the SQLite store. Lists of ids travel as one JSON-array parameter read
 * with {@code json_each}, so statement texts stay constant whatever the list length. The few
 * statements that depend on the filters or the number of terms are built here too, from constant
 * parts.
 */
final class SqlQueries {
  private SqlQueries() {}

  /** JSON array parameter expanded to a set of values. */
  /**
   * A JSON array parameter as a list. Beside {@code namespace = ?} write {@code +namespace = ?}: else
   * SQLite may walk the namespace's index over every memory instead of looking each id up.
   */
  static final String IDS = "(SELECT value FROM json_each(?))";

  // ---- migrations and meta ----

  static final String CREATE_MIGRATIONS = "CREATE TABLE IF NOT EXISTS schema_migrations ("
      + "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";
  static final String APPLIED_MIGRATIONS = "SELECT version FROM schema_migrations ORDER BY version";
  static final String INSERT_MIGRATION =
      "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)";

  static final String GET_META = "SELECT key, value FROM meta WHERE key IN ("
      + "'embedding_model', 'embedding_dimension')";
  static final String PUT_META = "INSERT INTO meta(key, value) VALUES (?, ?) "
      + "ON CONFLICT(key) DO UPDATE SET value = excluded.value";

  // ---- memories ----

  /** The columns RowMapper.memory reads, from alias {@code m}. */
  static final String MEMORY_COLUMNS = "m.seq, m.id, m.namespace, m.scope, m.scope_id, m.type, "
      + "m.name, m.content, m.summary, m.tags, m.category, m.importance, m.confidence, m.metadata, "
      + "m.source, m.session_id, m.created_at, m.updated_at, m.expires_at, m.access_count, "
      + "m.last_accessed, m.embedding_model";

  static final String INSERT_MEMORY = "INSERT INTO memories(id, namespace, scope, scope_id, type, "
      + "name, content, summary, tags, category, importance, confidence, metadata, source, "
      + "session_id, created_at, updated_at, expires_at, access_count, last_accessed, "
      + "embedding_model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** Leaves access_count / last_accessed alone: only recordAccess moves them. */
  static final String UPDATE_MEMORY = "UPDATE memories SET scope = ?, scope_id = ?, type = ?, "
      + "name = ?, content = ?, summary = ?, tags = ?, category = ?, importance = ?, "
      + "confidence = ?, metadata = ?, source = ?, session_id = ?, created_at = ?, updated_at = ?, "
      + "expires_at = ?, embedding_model = ? WHERE seq = ?";

  static final String SEQ_OF = "SELECT seq FROM memories WHERE namespace = ? AND id = ?";

  static final String GET_MEMORY =
      "SELECT " + MEMORY_COLUMNS + " FROM memories m WHERE m.namespace = ? AND m.id = ?";
  static final String GET_MEMORIES =
      "SELECT " + MEMORY_COLUMNS + " FROM memories m WHERE +m.namespace = ? AND m.id IN " + IDS;
  static final String GET_MEMORIES_ANY_NAMESPACE =
      "SELECT " + MEMORY_COLUMNS + " FROM memories m WHERE m.id IN " + IDS;
  static final String EXISTING_IDS = "SELECT id FROM memories WHERE +namespace = ? AND id IN " + IDS;
  static final String DELETE_MEMORY = "DELETE FROM memories WHERE seq = ?";

  static final String COUNT_ALL = "SELECT count(*) AS n FROM memories";
  static final String COUNT_NAMESPACE = "SELECT count(*) AS n FROM memories WHERE namespace = ?";

  static final String SCAN =
      "SELECT " + MEMORY_COLUMNS + " FROM memories m WHERE m.id > ? ORDER BY m.id LIMIT ?";

  static final String RECORD_ACCESS = "UPDATE memories SET access_count = access_count + 1, "
      + "last_accessed = max(coalesce(last_accessed, 0), ?) WHERE +namespace = ? AND id IN " + IDS;

  // ---- keyword indexes ----

  private static final String FTS_ROW = " (rowid, name, content, summary, tags) "
      + "SELECT m.seq, coalesce(m.name, ''), m.content, coalesce(m.summary, ''), "
      + "(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(m.tags)) "
      + "FROM memories m WHERE m.id = ?";
  static final String INSERT_FTS = "INSERT INTO memories_fts" + FTS_ROW;
  static final String INSERT_FTS_TRIGRAM = "INSERT INTO memories_fts_trigram" + FTS_ROW;
  static final String DELETE_FTS = "DELETE FROM memories_fts WHERE rowid = ?";
  static final String DELETE_FTS_TRIGRAM = "DELETE FROM memories_fts_trigram WHERE rowid = ?";
  /** Params: grams, memory id. */
  static final String INSERT_FTS_CJK =
      "INSERT INTO memories_fts_cjk(rowid, grams) SELECT seq, ? FROM memories WHERE id = ?";
  /** Params: seq, grams. */
  static final String INSERT_FTS_CJK_ROW =
      "INSERT INTO memories_fts_cjk(rowid, grams) VALUES (?, ?)";
  static final String DELETE_FTS_CJK = "DELETE FROM memories_fts_cjk WHERE rowid = ?";
  /** Params: after seq, limit. */
  static final String INSERT_FTS_JA =
      "INSERT INTO memories_fts_ja(rowid, words) SELECT seq, ? FROM memories WHERE id = ?";
  static final String INSERT_FTS_JA_ROW = "INSERT INTO memories_fts_ja(rowid, words) VALUES (?, ?)";
  static final String DELETE_FTS_JA = "DELETE FROM memories_fts_ja WHERE rowid = ?";
  /** A memory's rows in the four keyword indexes, by its seq: what an update or delete removes. */
  static final List<String> UNINDEX_TEXT = List.of(DELETE_FTS, DELETE_FTS_TRIGRAM,
      DELETE_FTS_CJK, DELETE_FTS_JA);
  static final String BACKFILL_PAGE = "SELECT seq, name, content, summary, tags "
      + "FROM memories WHERE seq > ? ORDER BY seq LIMIT ?";

  // ---- vectors ----

  static final String UPSERT_VECTOR = "INSERT INTO vectors(memory_seq, memory_id, namespace, dim, "
      + "vector) SELECT seq, id, namespace, ?, ? FROM memories WHERE id = ? "
      + "ON CONFLICT(memory_seq) DO UPDATE SET dim = excluded.dim, vector = excluded.vector";
  static final String DELETE_VECTOR = "DELETE FROM vectors WHERE memory_seq = ?";
  static final String SET_EMBEDDING_MODEL = "UPDATE memories SET embedding_model = ? WHERE id = ?";

  /** One page of the vector index load, by memory_seq. */
  static final String LOAD_VECTORS = "SELECT v.vector AS vector, " + MEMORY_COLUMNS
      + " FROM vectors v JOIN memories m ON m.seq = v.memory_seq"
      + " WHERE v.memory_seq > ? ORDER BY v.memory_seq LIMIT ?";

  static final String COUNT_VECTORS = "SELECT count(*) FROM vectors";

  /** Whether every memory has a vector: equal counts (a vector's primary key is its memory's seq). */
  static final String COUNT_ALL_AND_VECTORS = "SELECT (SELECT count(*) FROM memories) AS memories, "
      + "(SELECT count(*) FROM vectors) AS vectors";

  /** The memories stored without a vector (tests write them; the service always embeds). */
  static final String WITHOUT_VECTORS = "SELECT " + MEMORY_COLUMNS + " FROM memories m"
      + " WHERE NOT EXISTS (SELECT 1 FROM vectors v WHERE v.memory_seq = m.seq)";

  // ---- events ----

  static final String INSERT_EVENT = "INSERT INTO events(memory_id, namespace, type, actor, "
      + "session_id, data, at) VALUES (?, ?, ?, ?, ?, ?, ?)";
  static final String HISTORY = "SELECT seq, memory_id, namespace, type, actor, session_id, data, "
      + "at FROM events WHERE memory_id = ? AND namespace = ? ORDER BY seq";
  /** Uses the partial expression index of V3 (the IS NOT NULL term lets the planner pick it). */
  static final String EVENT_BY_WRITE_KEY = "SELECT seq, memory_id, namespace, type, actor, "
      + "session_id, data, at FROM events WHERE namespace = ? AND json_extract(data, '$.write_key') = ? "
      + "AND json_extract(data, '$.write_key') IS NOT NULL ORDER BY seq LIMIT 1";

  // ---- transfer (migration between backends) ----

  static final String TRANSFER_NAMESPACES =
      "SELECT namespace FROM memories UNION SELECT namespace FROM events ORDER BY 1";
  /** Params: namespace, after id, namespace, after id, limit. */
  /**
   * The next page of ids with a memory or history, after a cursor (params: namespace, after, limit,
   * namespace, after, limit, limit). Each side reads only its first {@code limit} ids in id order
   * (the id indexes) before the union: a union of everything after the cursor made every page read
   * the whole namespace, minutes per export at 100k.
   */
  static final String TRANSFER_IDS = "SELECT id FROM ("
      + "SELECT * FROM (SELECT DISTINCT memory_id AS id FROM events WHERE namespace = ? AND memory_id > ?"
      + " ORDER BY memory_id LIMIT ?)"
      + " UNION SELECT * FROM (SELECT id FROM memories WHERE +namespace = ? AND id > ? ORDER BY id LIMIT ?)"
      + ") ORDER BY id LIMIT ?";
  static final String TRANSFER_COUNT = "SELECT count(*) AS n FROM (SELECT memory_id FROM events "
      + "WHERE namespace = ? UNION SELECT id FROM memories WHERE namespace = ?)";
  static final String TRANSFER_HISTORIES = "SELECT seq, memory_id, namespace, type, actor, "
      + "session_id, data, at FROM events WHERE namespace = ? AND memory_id IN " + IDS
      + " ORDER BY memory_id, seq";
  static final String TRANSFER_ROWS = "SELECT seq, id, namespace FROM memories WHERE id IN " + IDS;
  static final String TRANSFER_DELETE_EVENTS =
      "DELETE FROM events WHERE namespace = ? AND memory_id IN " + IDS;
  static final String TRANSFER_DELETE_RELATIONS =
      "DELETE FROM relations WHERE namespace = ? AND source_id IN " + IDS;

  // ---- relations ----

  private static final String RELATION_COLUMNS =
      "namespace, source_id, target_id, relation_type, properties, confidence, created_at";
  static final String INSERT_RELATION = "INSERT OR IGNORE INTO relations(" + RELATION_COLUMNS
      + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
  static final String GET_RELATION = "SELECT " + RELATION_COLUMNS + " FROM relations WHERE "
      + "namespace = ? AND source_id = ? AND target_id = ? AND relation_type = ?";
  /**
   * The rowids of the relations from or to some ids (params: namespace, ids, namespace, ids): a
   * union, so each side uses its index; with OR, SQLite scanned every relation of the namespace.
   */
  private static final String RELATION_ROWIDS_OF = "SELECT rowid FROM relations WHERE namespace = ? AND source_id IN "
      + IDS + " UNION SELECT rowid FROM relations WHERE namespace = ? AND target_id IN " + IDS;
  static final String RELATIONS_OF = "SELECT " + RELATION_COLUMNS + " FROM relations WHERE rowid IN ("
      + RELATION_ROWIDS_OF + ") ORDER BY created_at, rowid";
  static final String DELETE_RELATIONS_OF = "DELETE FROM relations WHERE rowid IN (" + RELATION_ROWIDS_OF + ")";

  // ---- statements built from filters ----

  /** A page of a listing: filters, then the keyset bound when {@code afterCursor}, then LIMIT. */
  static String listPage(String filterSql, boolean afterCursor) {
    return "SELECT " + MEMORY_COLUMNS + " FROM memories m WHERE m.namespace = ?" + filterSql
        + (afterCursor ? " AND (m.created_at, m.seq) < (?, ?)" : "")
        + " ORDER BY m.created_at DESC, m.seq DESC LIMIT ?";
  }

  /**
   * BM25 search of one FTS5 table: params MATCH expression, namespace, filter params, limit. The
   * rank is bm25 (lower is better).
   */
  static String ftsSearch(String table, String filterSql) {
    return "SELECT m.id AS id, bm25(" + table + ") AS rank FROM " + table
        + " JOIN memories m ON m.seq = " + table + ".rowid WHERE " + table + " MATCH ?"
        + " AND m.namespace = ?" + filterSql + " ORDER BY rank LIMIT ?";
  }

  /**
   * Session neighbours in one statement: the memories of the targets' sessions passing the filters,
   * numbered by created_at then seq, joined to those at most {@code window} places away. Params:
   * namespace, namespace, target ids (JSON), filter params, window, window, target ids (JSON).
   */
  static String sessionNeighbours(String filterSql) {
    return "WITH s AS (SELECT m.id AS id, m.session_id AS sid, ROW_NUMBER() OVER (PARTITION BY m.session_id"
        + " ORDER BY m.created_at, m.seq) AS rn FROM memories m WHERE m.namespace = ? AND m.session_id IN"
        + " (SELECT session_id FROM memories WHERE +namespace = ? AND session_id IS NOT NULL AND id IN " + IDS + ")"
        + filterSql + ") SELECT a.id AS target, b.id AS neighbour FROM s a JOIN s b ON b.sid = a.sid"
        + " AND b.rn BETWEEN a.rn - ? AND a.rn + ? AND b.id <> a.id WHERE a.id IN " + IDS + " ORDER BY a.id, b.rn";
  }

  static final String FTS = "memories_fts";
  static final String FTS_TRIGRAM = "memories_fts_trigram";
  static final String FTS_CJK = "memories_fts_cjk";
  static final String FTS_JA = "memories_fts_ja";
}
