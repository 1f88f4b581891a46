package dev.memorymcp.storage.sqlite;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Lucene index's changes in flight: each gets a number when queued; the index thread records
 * the highest applied; a refresh up to a number makes those changes searchable. Until then their
 * ids are "unsearched": vector searches score them exactly, keyword searches wait for them.
 */
final class PendingChanges {
  /** Per namespace: ids changed after the current searcher was opened, with the change's number. */
  private final Map<String, Map<String, Long>> unsearched = new ConcurrentHashMap<>();
  private final AtomicLong queued = new AtomicLong();
  /** Written only on the index thread. */
  private volatile long applied;
  /**
   * While a start's sync runs with the searcher from before it: per namespace, the ids whose vector
   * is on the heap, which that searcher may not hold (or holds with another vector or text). Null
   * otherwise.
   */
  private volatile Map<String, List<String>> notInSearcher;

  /** Numbers a change to {@code id} and lists it as unsearched. */
  long queue(String namespace, String id) {
    long no = queued.incrementAndGet();
    unsearched.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>()).put(id, no);
    return no;
  }

  /** Change {@code no} is in the writer (index thread). */
  void applied(long no) {
    applied = Math.max(applied, no);
  }

  /** The highest change in the writer. */
  long applied() {
    return applied;
  }

  /** The last change queued. */
  long lastQueued() {
    return queued.get();
  }

  /** Changes queued and not applied yet. */
  long backlog() {
    return queued.get() - applied;
  }

  /** Ids of {@code namespace} whose change the searcher may not see yet. */
  Collection<String> unsearched(String namespace) {
    Map<String, Long> m = unsearched.get(namespace);
    Collection<String> changed = m == null ? List.of() : m.keySet();
    Map<String, List<String>> sync = notInSearcher;
    List<String> loaded = sync == null ? List.of() : sync.getOrDefault(namespace, List.of());
    if (loaded.isEmpty()) {
      return changed;
    }
    List<String> both = new ArrayList<>(loaded);
    both.addAll(changed);
    return both;
  }

  /** Sets (or, null, clears) the ids the searcher from before a sync may not hold. */
  void notInSearcher(Map<String, List<String>> ids) {
    notInSearcher = ids;
  }

  /** Whether a sync runs with the searcher from before it serving vector searches. */
  boolean servingDuringSync() {
    return notInSearcher != null;
  }

  /**
   * Forgets the ids whose change is at most {@code upTo} (a refreshed searcher holds them); returns
   * them per namespace when {@code collect}, else null.
   */
  Map<String, List<String>> searchable(long upTo, boolean collect) {
    Map<String, List<String>> now = collect ? new HashMap<>() : null;
    for (Map.Entry<String, Map<String, Long>> ns : unsearched.entrySet()) {
      ns.getValue().entrySet().removeIf(e -> {
        boolean searchable = e.getValue() <= upTo;
        if (searchable && now != null) {
          now.computeIfAbsent(ns.getKey(), n -> new ArrayList<>()).add(e.getKey());
        }
        return searchable;
      });
    }
    return now;
  }
}
