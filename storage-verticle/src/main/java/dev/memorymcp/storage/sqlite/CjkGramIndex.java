package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.internal.CjkGrams;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Backfills {@link CjkGrams}' tokens into the SQLite table {@code memories_fts_cjk}; a write adds
 * its memory's row in {@link JdbcTransactions#indexText}.
 */
final class CjkGramIndex {
  private CjkGramIndex() {}

  /** The Java step of migration V2: gram rows for every existing memory, page by page. */
  static Future<Void> backfill(SqlConnection conn) {
    return IndexBackfill.run(conn, SqlQueries.INSERT_FTS_CJK_ROW, r -> CjkGrams.of(r.getString("name"),
        r.getString("content"), r.getString("summary"), IndexBackfill.tags(r)));
  }
}
