package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Bounded exact distinct values of one accumulator: for each value (a dictionary id), the latest
 * eventTime it was seen among sealed events (below the seal point); raw events at or after the seal
 * point wait as pending (time, id) pairs, so neither sealing nor reading touches event objects. A
 * window [lo, t] with t at or after the seal point holds value v exactly when {@code latest(v) >=
 * lo}. At most {@code bound} values are kept; when full, the value seen longest ago makes room,
 * which only happens when at least {@code bound} newer values exist, so {@code min(distinct,
 * bound)} stays exact.
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

  /** Values of raw events (at or after the seal point), in arrival order. */
  long[] pendingTimes = NO_TIMES;

  int[] pendingIds = NO_IDS;
  int pending;

  /** A lower bound of every latest time, so eviction is skipped while nothing can be old enough. */
  private long oldest = Long.MAX_VALUE;

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
    oldest = Math.min(oldest, time);
    int i = indexOf(id);
    if (i >= 0) {
      if (time > latest[i]) {
        latest[i] = time;
      }
      return;
    }
    if (size == bound) {
      int victim = 0;
      for (int j = 1; j < size; j++) {
        if (latest[j] < latest[victim]) {
          victim = j;
        }
      }
      if (latest[victim] < time) {
        positionOf[ids[victim]] = 0;
        ids[victim] = id;
        latest[victim] = time;
        index(id, victim);
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

  void addPending(int id, long time) {
    if (pending == pendingIds.length) {
      int cap = Math.max(4, pending * 2);
      pendingIds = Arrays.copyOf(pendingIds, cap);
      pendingTimes = Arrays.copyOf(pendingTimes, cap);
    }
    pendingIds[pending] = id;
    pendingTimes[pending] = time;
    pending++;
  }

  /** Moves pending values below the new seal point into the table. */
  void seal(long sealPoint) {
    int w = 0;
    for (int i = 0; i < pending; i++) {
      if (pendingTimes[i] < sealPoint) {
        add(pendingIds[i], pendingTimes[i]);
      } else {
        pendingIds[w] = pendingIds[i];
        pendingTimes[w] = pendingTimes[i];
        w++;
      }
    }
    pending = w;
  }

  /**
   * Distinct values in [from, to] over the table and the pending values.
   *
   * @param scratch room for ids, grown as needed (returned through {@code scratch[0]})
   */
  int distinctIn(long from, long to, int[][] scratch) {
    int n = countFrom(from);
    int extra = 0;
    int[] seen = scratch[0];
    for (int i = 0; i < pending; i++) {
      long t = pendingTimes[i];
      if (t < from || t > to) {
        continue;
      }
      int id = pendingIds[i];
      if (seenFrom(id, from)) {
        continue;
      }
      boolean dup = false;
      for (int k = 0; k < extra; k++) {
        if (seen[k] == id) {
          dup = true;
          break;
        }
      }
      if (!dup) {
        if (extra == seen.length) {
          seen = Arrays.copyOf(seen, Math.max(8, extra * 2));
          scratch[0] = seen;
        }
        seen[extra++] = id;
      }
    }
    return n + extra;
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

  /**
   * Drops values last seen before {@code from}, once some were last seen before {@code from -
   * slack}.
   */
  void evictBefore(long from, long slack) {
    if (oldest >= from - slack) {
      return;
    }
    long min = Long.MAX_VALUE;
    int w = 0;
    for (int i = 0; i < size; i++) {
      if (latest[i] >= from) {
        ids[w] = ids[i];
        latest[w] = latest[i];
        positionOf[ids[w]] = w + 1;
        min = Math.min(min, latest[w]);
        w++;
      } else {
        positionOf[ids[i]] = 0;
      }
    }
    size = w;
    oldest = min;
  }

  void trim() {
    if (pendingIds.length != pending) {
      pendingIds = pending == 0 ? NO_IDS : Arrays.copyOf(pendingIds, pending);
      pendingTimes = pending == 0 ? NO_TIMES : Arrays.copyOf(pendingTimes, pending);
    }
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
    for (int i = 0; i < pending; i++) {
      pendingIds[i] = remap[pendingIds[i]];
    }
    positionOf = NO_IDS;
    reindex();
  }

  /** Rebuilds the id index after {@link #ids} were loaded directly. */
  void reindex() {
    Arrays.fill(positionOf, 0);
    oldest = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      index(ids[i], i);
      oldest = Math.min(oldest, latest[i]);
    }
  }
}
