package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.text.JapaneseWords;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * The Japanese word index {@code memories_fts_ja}: a memory's name, content, summary and tags as
 * Kuromoji words ({@link JapaneseWords}), space-separated, so FTS5's BM25 ranks by whole words
 * (食べる matches 食べた and 食べます; 京都 no longer matches 東京都). Written beside the n-gram
 * indexes on every write; rows exist only for memories with CJK text.
 */
final class JapaneseWordIndex {
  private JapaneseWordIndex() {}

  /** The words of a memory's text fields, or "" when none holds a CJK character. */
  static String of(String name, String content, String summary, List<String> tags) {
    List<String> texts = new ArrayList<>();
    texts.add(name);
    texts.add(content);
    texts.add(summary);
    if (tags != null) {
      texts.addAll(tags);
    }
    return JapaneseWords.joined(texts);
  }

  /** The Java step of migration V4: word rows for every existing memory, page by page. */
  static Future<Void> backfill(SqlConnection conn) {
    return IndexBackfill.run(conn, SqlQueries.INSERT_FTS_JA_ROW,
        r -> of(r.getString("name"), r.getString("content"), r.getString("summary"), IndexBackfill.tags(r)));
  }
}
