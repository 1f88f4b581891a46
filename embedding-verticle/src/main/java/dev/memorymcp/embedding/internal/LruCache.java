package dev.memorymcp.embedding.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded least-recently-used map. Not thread-safe: use it from one context. The hit and miss
 * counters may be read from any thread. A capacity of 0 disables it.
 */
public final class LruCache<K, V> {
  private final int capacity;
  private final Map<K, V> map;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  /** A cache holding at most {@code capacity} entries. */
  public LruCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > LruCache.this.capacity;
      }
    };
  }

  /** The value for key, or null; counts a hit or a miss and marks the entry recently used. */
  public V get(K key) {
    V v = capacity == 0 ? null : map.get(key);
    (v == null ? misses : hits).incrementAndGet();
    return v;
  }

  /** Stores a value, evicting the least recently used entry when full. */
  public void put(K key, V value) {
    if (capacity > 0) {
      map.put(key, value);
    }
  }

  /** Current number of entries. */
  public int size() {
    return map.size();
  }

  /** Lookups that found a value. */
  public long hits() {
    return hits.get();
  }

  /** Lookups that found nothing. */
  public long misses() {
    return misses.get();
  }
}
