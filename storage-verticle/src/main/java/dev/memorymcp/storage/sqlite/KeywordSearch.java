package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.internal.KeywordTerms;
import dev.memorymcp.storage.internal.CjkGrams;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.storage.MemoryStore.Scored;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Keyword search over the reader pool: one BM25 query per FTS5 table that has terms (short CJK
 * terms through the gram table, Japanese words through the word table), each restricted to the
 * namespace and filters, then fused.
 */
final class KeywordSearch {
  private KeywordSearch() {}

  /** Smallest score kept from bm25 (a term in most rows scores about zero). */
  private static final double MIN_SCORE = 1e-9;

  static Future<List<Scored>> run(Pool db, String namespace, KeywordTerms terms, int k,
      Filters filters, long now) {
    return run(db, namespace, terms, k, filters, now, null);
  }

  /** As above, with the Latin-script list already found (by the Lucene index) when not null. */
  static Future<List<Scored>> run(Pool db, String namespace, KeywordTerms terms, int k,
      Filters filters, long now, List<Scored> latin) {
    FilterSql.Clause where = FilterSql.of(filters, now);
    List<Future<List<Scored>>> parts = new ArrayList<>();
    if (latin != null && !latin.isEmpty()) {
      parts.add(Future.succeededFuture(latin));
    }
    if (!terms.latin().isEmpty()) {
      parts.add(bm25(db, SqlQueries.FTS, terms.latin(), namespace, where, k));
    }
    if (!terms.cjk().isEmpty()) {
      parts.add(bm25(db, SqlQueries.FTS_TRIGRAM, terms.cjk(), namespace, where, k));
    }
    if (!terms.shortCjk().isEmpty()) {
      List<String> grams = terms.shortCjk().stream().map(CjkGrams::token).toList();
      parts.add(bm25(db, SqlQueries.FTS_CJK, grams, namespace, where, k));
    }
    if (!terms.japaneseWords().isEmpty()) {
      parts.add(bm25(db, SqlQueries.FTS_JA, terms.japaneseWords(), namespace, where, k));
    }
    return Future.all(parts).map(all -> {
      List<List<Scored>> lists = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        lists.add(all.resultAt(i));
      }
      return KeywordTerms.fuse(lists, k);
    });
  }

  private static Future<List<Scored>> bm25(Pool db, String table, List<String> terms,
      String namespace, FilterSql.Clause where, int k) {
    return db.preparedQuery(SqlQueries.ftsSearch(table, where.sql()))
        .execute(RowMapper.flat(KeywordTerms.matchExpression(terms), namespace, where.params(), k))
        .map(rows -> {
          List<Scored> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new Scored(r.getString("id"), Math.max(-r.getDouble("rank"), MIN_SCORE)));
          }
          return out;
        });
  }
}
