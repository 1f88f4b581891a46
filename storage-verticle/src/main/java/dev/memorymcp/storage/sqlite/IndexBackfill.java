package dev.memorymcp.storage.sqlite;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Fills a keyword table derived in Java (CJK grams, Japanese words) for the memories of an older schema. */
final class IndexBackfill {
  private IndexBackfill() {}

  /** Rows read per page. */
  static final int PAGE = 500;

  /**
   * Writes {@code insertRow} (params: rowid, text) for every memory, page by page in seq order;
   * memories whose text is empty get no row.
   */
  static Future<Void> run(SqlConnection conn, String insertRow, Function<Row, String> textOf) {
    return run(conn, insertRow, textOf, 0L);
  }

  private static Future<Void> run(SqlConnection conn, String insertRow, Function<Row, String> textOf, long afterSeq) {
    return conn.preparedQuery(SqlQueries.BACKFILL_PAGE)
        .execute(Tuple.of(afterSeq, PAGE))
        .compose(rows -> {
          List<Tuple> inserts = new ArrayList<>();
          long last = afterSeq;
          for (Row r : rows) {
            last = r.getLong("seq");
            String text = textOf.apply(r);
            if (!text.isEmpty()) {
              inserts.add(Tuple.of(last, text));
            }
          }
          Future<Void> written = inserts.isEmpty() ? Future.succeededFuture()
              : conn.preparedQuery(insertRow).executeBatch(inserts).mapEmpty();
          long next = last;
          return rows.size() < PAGE ? written : written.compose(v -> run(conn, insertRow, textOf, next));
        });
  }

  /** The tags column (a JSON array) of a memories row. */
  static List<String> tags(Row r) {
    List<String> tags = new ArrayList<>();
    String json = r.getString("tags");
    if (json != null && !json.isBlank()) {
      new JsonArray(json).forEach(t -> tags.add(String.valueOf(t)));
    }
    return tags;
  }
}
