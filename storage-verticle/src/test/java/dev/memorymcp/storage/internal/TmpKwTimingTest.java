package dev.memorymcp.storage.internal;

import static dev.memorymcp.storage.internal.Fixtures.memory;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TmpKwTimingTest extends StoreTestBase {
  void time(String label, Supplier<Future<?>> f) {
    for (int i = 0; i < 20; i++) f.get().await();
    long t0 = System.nanoTime();
    for (int i = 0; i < 50; i++) f.get().await();
    System.out.printf("%s: %.2f ms%n", label, (System.nanoTime() - t0) / 1e6 / 50);
  }
  @Test
  void timing() {
    Random rnd = new Random(2);
    for (int batch = 0; batch < 10000; batch += 1000) {
      List<Future<Void>> writes = new ArrayList<>();
      for (int i = batch; i < batch + 1000; i++) {
        Memory m = memory("bench", "m" + i, "Memory number " + i + ": we decided to deploy service "
        + rnd.nextInt(1000) + " on day " + rnd.nextInt(30) + ". 東京の会議で決めました。").tags("t" + (i % 10)).build();
        writes.add(store.create(m, null, Fixtures.createEvent(m), List.of()));
      }
      Future.all(writes).await();
    }
    var db = store.readerPool();
    FilterSql.Clause c = FilterSql.of(Filters.NONE, System.currentTimeMillis());
    time("noop query", () -> db.query("SELECT 1").execute());
    time("fts common (deploy OR service)", () -> db.preparedQuery(SqlQueries.ftsSearch(SqlQueries.FTS, c.sql())).execute(RowMapper.flat("\"deploy\" OR \"service\"", "bench", c.params(), 50)));
    time("fts rare (\"417\")", () -> db.preparedQuery(SqlQueries.ftsSearch(SqlQueries.FTS, c.sql())).execute(RowMapper.flat("\"417\"", "bench", c.params(), 50)));
    time("fts common alone no join", () -> db.preparedQuery("SELECT rowid, rank FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rank LIMIT 50").execute(Tuple.of("\"deploy\" OR \"service\"")));
    time("substring 東京", () -> db.preparedQuery(SqlQueries.substringSearch(1, c.sql())).execute(RowMapper.flat(List.of("東京"), "bench", c.params(), 50)));
    time("substring rare 大阪", () -> db.preparedQuery(SqlQueries.substringSearch(1, c.sql())).execute(RowMapper.flat(List.of("大阪"), "bench", c.params(), 50)));
    time("trigram 会議で", () -> db.preparedQuery(SqlQueries.ftsSearch(SqlQueries.FTS_TRIGRAM, c.sql())).execute(RowMapper.flat("\"会議で\"", "bench", c.params(), 50)));
    time("instr content only", () -> db.preparedQuery("SELECT m.id FROM memories m WHERE m.namespace = ? AND instr(m.content, ?) > 0 LIMIT 50").execute(Tuple.of("bench", "大阪")));
    time("count(*) namespace", () -> db.preparedQuery("SELECT count(*) FROM memories m WHERE m.namespace = ?").execute(Tuple.of("bench")));
    time("sum(length(content))", () -> db.preparedQuery("SELECT sum(length(m.content)) FROM memories m WHERE m.namespace = ?").execute(Tuple.of("bench")));
    time("sum(length(content)) no ns", () -> db.query("SELECT sum(length(m.content)) FROM memories m").execute());
    time("like content", () -> db.preparedQuery("SELECT m.id FROM memories m WHERE m.namespace = ? AND m.content LIKE ? LIMIT 50").execute(Tuple.of("bench", "%大阪%")));
    time("trigram table instr content", () -> db.preparedQuery("SELECT rowid FROM memories_fts_trigram WHERE instr(content, ?) > 0 LIMIT 50").execute(Tuple.of("大阪")));
    time("store kw rare", () -> store.keywordSearch("bench", List.of("417", "大阪"), 50, Filters.NONE));
  }
}
