package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The entries of one namespace of the {@link VectorIndex}: an immutable snapshot (array + count)
 * that searches read without locking, while writers serialise on the shard. Appends write past the
 * published count, replacing an entry is one reference write, and a removal copies the array, so a
 * running scan never sees an entry twice.
 */
final class VectorShard {
  /** The entries and how many are published; searches read it without locking. */
  record Snapshot(VectorIndex.Entry[] entries, int count) {}

  volatile Snapshot snapshot = new Snapshot(new VectorIndex.Entry[16], 0);
  /** id to slot; guarded by this. */
  private final Map<String, Integer> slots = new HashMap<>();
  /** Entries whose vector is on the heap (the others are offloaded); written under this. */
  volatile int heapVectors;

  synchronized VectorIndex.Entry get(String id) {
    Integer slot = slots.get(id);
    return slot == null ? null : snapshot.entries[slot];
  }

  synchronized void put(VectorIndex.Entry e) {
    Snapshot s = snapshot;
    Integer slot = slots.get(e.id());
    if (slot != null) {
      replace(slot, e.withMemory(IndexedMemory.withAccess(e.memory(), s.entries[slot].memory())));
      return;
    }
    heapVectors += e.vector() == null ? 0 : 1;
    VectorIndex.Entry[] entries = s.entries;
    if (s.count == entries.length) {
      entries = Arrays.copyOf(entries, entries.length * 2);
    }
    entries[s.count] = e;
    slots.put(e.id(), s.count);
    snapshot = new Snapshot(entries, s.count + 1);
  }

  synchronized void update(String id, UnaryOperator<Memory> change) {
    Integer slot = slots.get(id);
    if (slot != null) {
      VectorIndex.Entry old = snapshot.entries[slot];
      replace(slot, old.withMemory(change.apply(old.memory())));
    }
  }

  /** Drops the heap copy of the vector when it is the one with {@code indexedHash}; true when it did. */
  synchronized boolean offload(String id, long indexedHash) {
    Integer slot = slots.get(id);
    if (slot == null) {
      return false;
    }
    VectorIndex.Entry e = snapshot.entries[slot];
    if (e.vector() == null || e.vectorHash() != indexedHash) {
      return false;
    }
    replace(slot, new VectorIndex.Entry(id, null, e.dimension(), e.vectorHash(), e.memory()));
    return true;
  }

  /** Puts back the heap copy of an offloaded vector when {@code vector} is the one it had; true when it did. */
  synchronized boolean restore(String id, float[] vector) {
    Integer slot = slots.get(id);
    if (slot == null) {
      return false;
    }
    VectorIndex.Entry e = snapshot.entries[slot];
    if (e.vector() != null || e.dimension() != vector.length || LuceneDocuments.vectorHash(vector) != e.vectorHash()) {
      return false;
    }
    replace(slot, new VectorIndex.Entry(id, vector, e.memory()));
    return true;
  }

  /** Puts {@code next} in {@code slot} (one reference write), counts heap vectors, publishes; under this. */
  private void replace(int slot, VectorIndex.Entry next) {
    Snapshot s = snapshot;
    heapVectors += (next.vector() == null ? 0 : 1) - (s.entries[slot].vector() == null ? 0 : 1);
    s.entries[slot] = next;
    snapshot = new Snapshot(s.entries, s.count);
  }

  synchronized void remove(String id) {
    Integer slot = slots.remove(id);
    if (slot == null) {
      return;
    }
    Snapshot s = snapshot;
    heapVectors -= s.entries[slot].vector() == null ? 0 : 1;
    VectorIndex.Entry[] entries = Arrays.copyOf(s.entries, s.entries.length);
    int last = s.count - 1;
    if (slot != last) {
      entries[slot] = entries[last];
      slots.put(entries[slot].id(), slot);
    }
    entries[last] = null;
    snapshot = new Snapshot(entries, last);
  }
}
