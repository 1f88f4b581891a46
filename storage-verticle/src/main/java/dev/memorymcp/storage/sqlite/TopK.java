package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.MemoryStore.Scored;
import java.util.ArrayList;
import java.util.List;

/** Bounded min-heap of (score, entry): the root is the worst of the best k seen. */
final class TopK {
  private final float[] scores;
  private final VectorIndex.Entry[] entries;
  private int size;

  TopK(int k) {
    scores = new float[k];
    entries = new VectorIndex.Entry[k];
  }

  boolean accepts(float score) {
    return size < scores.length || score > scores[0];
  }

  void offer(float score, VectorIndex.Entry e) {
    if (size < scores.length) {
      int i = size++;
      scores[i] = score;
      entries[i] = e;
      siftUp(i);
    } else {
      scores[0] = score;
      entries[0] = e;
      siftDown(0);
    }
  }

  int size() {
    return size;
  }

  /** Offers every entry of {@code other} (a scan of another part of the same shard). */
  void addAll(TopK other) {
    for (int i = 0; i < other.size; i++) {
      if (accepts(other.scores[i])) {
        offer(other.scores[i], other.entries[i]);
      }
    }
  }

  List<Scored> sorted() {
    List<Scored> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new Scored(entries[i].id(), scores[i]));
    }
    out.sort((a, b) -> Double.compare(b.score(), a.score()));
    return out;
  }

  private void siftUp(int i) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (scores[p] <= scores[i]) {
        return;
      }
      swap(i, p);
      i = p;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int min = i;
      if (l < size && scores[l] < scores[min]) {
        min = l;
      }
      if (r < size && scores[r] < scores[min]) {
        min = r;
      }
      if (min == i) {
        return;
      }
      swap(i, min);
      i = min;
    }
  }

  private void swap(int a, int b) {
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    VectorIndex.Entry e = entries[a];
    entries[a] = entries[b];
    entries[b] = e;
  }
}
