package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.internal.CjkGrams;

import dev.memorymcp.storage.internal.CjkGrams;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/** Writes {@link CjkGrams}' tokens into the SQLite table {@code memories_fts_cjk}. */
final class CjkGramIndex {
  private CjkGramIndex() {}

  /** Writes the gram row of memory {@code id} (none when its text has no CJK). */
  static Future<Void> index(SqlConnection conn, String id, String name, String content,
      String summary, List<String> tags) {
    String grams = CjkGrams.of(name, content, summary, tags);
    if (grams.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(SqlQueries.INSERT_FTS_CJK).execute(Tuple.of(grams, id)).mapEmpty();
  }

  /** The Java step of migration V2: gram rows for every existing memory, page by page. */
  static Future<Void> backfill(SqlConnection conn) {
    return IndexBackfill.run(conn, SqlQueries.INSERT_FTS_CJK_ROW, r -> CjkGrams.of(r.getString("name"),
        r.getString("content"), r.getString("summary"), IndexBackfill.tags(r)));
  }
}
