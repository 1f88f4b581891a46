package dev.memorymcp.storage.internal;

import static dev.memorymcp.storage.internal.Fixtures.T0;
import static dev.memorymcp.storage.internal.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.MemoryStore.Page;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("list: newest first, keyset cursor, SQL filters equal to Filters.test")
class ListTest extends StoreTestBase {

  private List<Page> allPages(String ns, Filters f, int limit) {
    return Fixtures.allPages(store, ns, f, limit);
  }

  @Test
  @DisplayName("25 memories in pages of 10: 10, 10, 5, each exactly once, newest first")
  void paginatesWithCursor() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      // pairs share created_at so that the seq tie-break matters
      create(memory("ns1", "m" + i, "memory " + i).createdAt(T0 + (i / 2) * 1000L).build());
      expected.add(0, "m" + i);
    }
    create(memory("ns2", "other", "not mine").createdAt(T0 + 999_999).build());

    List<Page> pages = allPages("ns1", Filters.NONE, 10);

    assertThat(pages).extracting(p -> p.memories().size()).containsExactly(10, 10, 5);
    assertThat(pages.get(2).nextCursor()).isNull();
    assertThat(pages.stream().flatMap(p -> p.memories().stream()).map(Memory::id).toList())
        .containsExactlyElementsOf(expected);
    assertThat(pages.get(0).nextCursor()).matches("[A-Za-z0-9_-]+");
  }

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

  @Test
  @DisplayName("an exactly full last page has no next cursor")
  void exactPageHasNoCursor() {
    for (int i = 0; i < 10; i++) {
      create(memory("ns1", "m" + i, "x").createdAt(T0 + i).build());
    }
    Page p = store.list("ns1", Filters.NONE, 10, null).await();
    assertThat(p.memories()).hasSize(10);
    assertThat(p.nextCursor()).isNull();
    assertThat(store.list("ns9", Filters.NONE, 10, null).await().memories()).isEmpty();
  }

  @Test
  @DisplayName("a cursor that was not issued by list is a 400 naming the cursor field")
  void invalidCursor() {
    for (String bad : List.of("not base64!!", "bm9jb2xvbg", "YTpi")) { // "nocolon", "a:b"
      Throwable err = catchThrowable(() -> store.list("ns1", Filters.NONE, 10, bad).await());
      assertThat(err).isInstanceOf(MemoryException.class);
      MemoryException me = (MemoryException) err;
      assertThat(me.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(me.details().getString("field")).isEqualTo("cursor");
    }
  }

  // the property test of list's filters against Filters.test is in MemoryStoreContract (run on SQLite too)
}
