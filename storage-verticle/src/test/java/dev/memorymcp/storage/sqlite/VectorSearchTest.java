package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;

import static dev.memorymcp.storage.Fixtures.T0;
import static dev.memorymcp.storage.Fixtures.memory;
import static dev.memorymcp.storage.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.storage.MemoryStore.Scored;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vectorSearch: exact cosine order, filters, namespaces")
class VectorSearchTest extends StoreTestBase {

  private static final float[] Q = unit(1, 0, 0);

  @BeforeEach
  void fill() {
    long now = System.currentTimeMillis();
    create(memory("ns1", "same", "a").type("fact").tags("x", "y").importance(0.9).build(),
        unit(1, 0, 0));
    create(memory("ns1", "near", "b").type("note").tags("x").importance(0.4).build(),
        unit(1, 1, 0));
    create(memory("ns1", "orth", "c").type("fact").createdAt(T0 + 5000).build(), unit(0, 1, 0));
    create(memory("ns1", "opp", "d").type("note").build(), unit(-1, 0, 0));
    create(memory("ns1", "gone", "e").expiresAt(now - 1).build(), unit(1, 0.1f, 0));
    create(memory("ns1", "novec", "f").build());
    create(memory("ns2", "foreign", "g").build(), unit(1, 0, 0));
  }

  private List<String> ids(int k, Filters f) {
    return store.vectorSearch("ns1", Q, k, f).await().stream().map(Scored::id).toList();
  }

  private static Filters f(List<String> types, List<String> tags, Long since, Double minImp,
      boolean includeExpired) {
    return new Filters(types, null, null, tags, null, since, null, minImp, null, null,
        includeExpired);
  }

  @Test
  @DisplayName("returns the best k by cosine, best first, with the cosine as score")
  void ordersByCosine() {
    List<Scored> all = store.vectorSearch("ns1", Q, 10, Filters.NONE).await();
    assertThat(all).extracting(Scored::id).containsExactly("same", "near", "orth", "opp");
    assertThat(all.get(0).score()).isCloseTo(1.0, within(1e-6));
    assertThat(all.get(1).score()).isCloseTo(Math.sqrt(0.5), within(1e-6));
    assertThat(all.get(3).score()).isCloseTo(-1.0, within(1e-6));
    assertThat(ids(2, Filters.NONE)).containsExactly("same", "near");
    assertThat(ids(0, Filters.NONE)).isEmpty();
  }

  @Test
  @DisplayName("applies the filters during the scan")
  void appliesFilters() {
    assertThat(ids(2, f(List.of("note"), List.of(), null, null, false)))
        .containsExactly("near", "opp");
    assertThat(ids(10, f(List.of(), List.of("x", "y"), null, null, false))).containsExactly("same");
    assertThat(ids(10, f(List.of(), List.of(), T0 + 1000, null, false))).containsExactly("orth");
    assertThat(ids(10, f(List.of(), List.of(), null, 0.6, false))).containsExactly("same");
    assertThat(ids(2, f(List.of(), List.of(), null, null, true))).containsExactly("same", "gone");
  }

  @Test
  @DisplayName("never returns another namespace's vector")
  void namespaceIsolation() {
    assertThat(ids(10, Filters.NONE)).doesNotContain("foreign");
    assertThat(store.vectorSearch("ns2", Q, 10, Filters.NONE).await()).extracting(Scored::id)
        .containsExactly("foreign");
    assertThat(store.vectorSearch("ns3", Q, 10, Filters.NONE).await()).isEmpty();
    assertThat(store.vectors("ns1", List.of("foreign")).await()).isEmpty();
  }

  @Test
  @DisplayName("a query of another dimension matches nothing")
  void otherDimension() {
    assertThat(store.vectorSearch("ns1", unit(1, 0), 10, Filters.NONE).await()).isEmpty();
  }
}
