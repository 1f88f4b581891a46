package dev.memorymcp.storage.internal;

import static dev.memorymcp.storage.internal.Fixtures.memory;

import dev.memorymcp.bus.Memory;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TmpLoadTimingTest extends StoreTestBase {
  @Test
  void timing() {
    Random rnd = new Random(2);
    for (int batch = 0; batch < 10000; batch += 1000) {
      List<Future<Void>> writes = new ArrayList<>();
      for (int i = batch; i < batch + 1000; i++) {
        Memory m = memory("bench", "m" + i, "content " + i).tags("a", "b").build();
        writes.add(store.create(m, Fixtures.random(rnd, 384), Fixtures.createEvent(m), List.of()));
      }
      Future.all(writes).await();
    }
    for (int rep = 0; rep < 3; rep++) {
      store.close().await();
      long t0 = System.nanoTime();
      store = new SqliteMemoryStore(vertx, dbFile(), "NORMAL");
      store.open().await();
      long t1 = System.nanoTime();
      var rows = store.readerPool().preparedQuery(SqlQueries.LOAD_VECTORS).execute(Tuple.of(0L, 10000)).await();
      long t2 = System.nanoTime();
      int n = 0;
      for (var r : rows) { RowMapper.memory(r); RowMapper.vector(r, "vector"); n++; }
      long t3 = System.nanoTime();
      var rows2 = store.readerPool().preparedQuery("SELECT v.vector FROM vectors v WHERE v.memory_seq > ? LIMIT ?").execute(Tuple.of(0L, 10000)).await();
      long t4 = System.nanoTime();
      var rows3 = store.readerPool().preparedQuery("SELECT " + SqlQueries.FILTER_COLUMNS + " FROM memories m WHERE m.seq > ? LIMIT ?").execute(Tuple.of(0L, 10000)).await();
      long t5 = System.nanoTime();
      System.out.printf("open %.0f ms; one query 10k %.0f ms; map %.0f ms; vectors only %.0f ms; columns only %.0f ms%n",
          (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t5 - t4) / 1e6);
    }
  }
}
