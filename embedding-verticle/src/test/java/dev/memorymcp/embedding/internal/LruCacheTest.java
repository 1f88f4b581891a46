package dev.memorymcp.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LruCache")
class LruCacheTest {

  @Test
  @DisplayName("evicts the least recently used entry and counts hits and misses")
  void evictsLeastRecentlyUsed() {
    LruCache<String, Integer> cache = new LruCache<>(2);
    cache.put("a", 1);
    cache.put("b", 2);
    assertThat(cache.get("a")).isEqualTo(1); // a is now the most recent
    cache.put("c", 3);
    assertThat(cache.get("b")).isNull();
    assertThat(cache.get("a")).isEqualTo(1);
    assertThat(cache.get("c")).isEqualTo(3);
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.hits()).isEqualTo(3);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  @DisplayName("a capacity of 0 stores nothing")
  void zeroCapacityDisabled() {
    LruCache<String, Integer> cache = new LruCache<>(0);
    cache.put("a", 1);
    assertThat(cache.get("a")).isNull();
    assertThat(cache.size()).isZero();
  }
}
