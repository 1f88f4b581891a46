package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;
import dev.memorymcp.storage.MemoryStoreContract;

import static dev.memorymcp.storage.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Filters;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("list on SQLite: the page query uses the index")
class ListTest extends StoreTestBase {

  @Test
  @DisplayName("a page is read in index order, without sorting the namespace")
  void listUsesTheIndexOrder() {
    long now = System.currentTimeMillis();
    FilterSql.Clause where = FilterSql.of(Filters.NONE, now);
    StringBuilder plan = new StringBuilder();
    store.readerPool().preparedQuery("EXPLAIN QUERY PLAN " + SqlQueries.listPage(where.sql(), true))
        .execute(Tuple.of("ns1", now, T0, 5L, 10)).await()
        .forEach(r -> plan.append(r.getString("detail")).append('\n'));
    assertThat(plan.toString()).contains("idx_memories_ns_created").doesNotContain("TEMP B-TREE");
  }

  // pagination, exactly full pages, foreign cursors and the filters are checked in
  // MemoryStoreContract, on SQLite and Qdrant alike
}
