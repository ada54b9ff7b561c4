package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Bounded exact distinct values of one accumulator: for each value (a dictionary id), the latest eventTime it was
 * seen (sealed events only). A window [lo, t] with t at or after the seal point holds value v exactly when {@code
 * latest(v) >= lo}. At most {@code bound} values are kept; when full, the value seen longest ago makes room, which
 * only happens when at least {@code bound} newer values exist, so {@code min(distinct, bound)} stays exact.
 */
final class DistinctTable {
  private static final int[] NO_IDS = new int[0];
  private static final long[] NO_TIMES = new long[0];

  final int bound;
  int[] ids = NO_IDS;
  long[] latest = NO_TIMES;
  int size;
  /** Dictionary id -&gt; position + 1 (0: absent). Dictionary ids are dense per member. */
  private int[] positionOf = NO_IDS;

  DistinctTable(int bound) {
    this.bound = bound;
  }

  int indexOf(int id) {
    return id < positionOf.length ? positionOf[id] - 1 : -1;
  }

  private void index(int id, int position) {
    if (id >= positionOf.length) {
      positionOf = Arrays.copyOf(positionOf, Math.max(id + 1, positionOf.length * 2));
    }
    positionOf[id] = position + 1;
  }

  void add(int id, long time) {
    int i = indexOf(id);
    if (i >= 0) {
      if (time > latest[i]) {
        latest[i] = time;
      }
      return;
    }
    if (size == bound) {
      int oldest = 0;
      for (int j = 1; j < size; j++) {
        if (latest[j] < latest[oldest]) {
          oldest = j;
        }
      }
      if (latest[oldest] < time) {
        positionOf[ids[oldest]] = 0;
        ids[oldest] = id;
        latest[oldest] = time;
        index(id, oldest);
      }
      return;
    }
    if (size == ids.length) {
      int cap = Math.min(bound, Math.max(4, size * 2));
      ids = Arrays.copyOf(ids, cap);
      latest = Arrays.copyOf(latest, cap);
    }
    ids[size] = id;
    latest[size] = time;
    index(id, size);
    size++;
  }

  /** Number of values seen at or after {@code from}. */
  int countFrom(long from) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (latest[i] >= from) {
        n++;
      }
    }
    return n;
  }

  boolean seenFrom(int id, long from) {
    int i = indexOf(id);
    return i >= 0 && latest[i] >= from;
  }

  void evictBefore(long from) {
    int w = 0;
    for (int i = 0; i < size; i++) {
      if (latest[i] >= from) {
        ids[w] = ids[i];
        latest[w] = latest[i];
        positionOf[ids[w]] = w + 1;
        w++;
      } else {
        positionOf[ids[i]] = 0;
      }
    }
    size = w;
  }

  void trim() {
    if (ids.length != size) {
      ids = size == 0 ? NO_IDS : Arrays.copyOf(ids, size);
      latest = size == 0 ? NO_TIMES : Arrays.copyOf(latest, size);
    }
  }

  /** Renumbers values (dictionary compaction). */
  void remap(int[] remap) {
    for (int i = 0; i < size; i++) {
      ids[i] = remap[ids[i]];
    }
    positionOf = NO_IDS;
    reindex();
  }

  /** Rebuilds the id index after {@link #ids} were loaded directly. */
  void reindex() {
    Arrays.fill(positionOf, 0);
    for (int i = 0; i < size; i++) {
      index(ids[i], i);
    }
  }
}
