package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Sparse per-tile category sums of one accumulator: entries keyed by {@code (tileIndex << 20) |
 * categoryId}, sorted, with one double each (a weight sum, or a decayed weight sum anchored at the
 * tile start).
 */
final class CategoryTiles {
  static final int CATEGORY_BITS = 20;
  static final long CATEGORY_MASK = (1L << CATEGORY_BITS) - 1;
  private static final long[] NO_KEYS = new long[0];
  private static final double[] NO_VALUES = new double[0];

  final long tileMs;
  long[] keys = NO_KEYS;
  double[] values = NO_VALUES;
  int size;

  /** The first key (Long.MAX_VALUE when empty), kept here so eviction checks touch no array. */
  long oldestKey = Long.MAX_VALUE;

  CategoryTiles(long tileMs) {
    this.tileMs = tileMs;
  }

  static long key(long tileIndex, int category) {
    return (tileIndex << CATEGORY_BITS) | category;
  }

  int lowerBound(long key) {
    if (size > 0 && keys[size - 1] < key) {
      return size;
    }
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (keys[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  void add(long key, double value) {
    int i = lowerBound(key);
    if (i < size && keys[i] == key) {
      values[i] += value;
      return;
    }
    if (size == keys.length) {
      int cap = Math.max(2, size + (size >> 1) + 1);
      keys = Arrays.copyOf(keys, cap);
      values = Arrays.copyOf(values, cap);
    }
    System.arraycopy(keys, i, keys, i + 1, size - i);
    System.arraycopy(values, i, values, i + 1, size - i);
    keys[i] = key;
    values[i] = value;
    size++;
    if (i == 0) {
      oldestKey = key;
    }
  }

  void evictBefore(long tileIndex) {
    if (oldestKey >= key(tileIndex, 0)) {
      return;
    }
    int n = lowerBound(key(tileIndex, 0));
    if (n == 0) {
      return;
    }
    System.arraycopy(keys, n, keys, 0, size - n);
    System.arraycopy(values, n, values, 0, size - n);
    size -= n;
    oldestKey = size == 0 ? Long.MAX_VALUE : keys[0];
  }

  /** Renumbers categories (dictionary compaction) and restores the key order. */
  void remap(int[] remap) {
    for (int i = 0; i < size; i++) {
      keys[i] = (keys[i] & ~CATEGORY_MASK) | remap[(int) (keys[i] & CATEGORY_MASK)];
    }
    // Renumbering keeps each tile's entries together; only the order inside a tile can change.
    for (int i = 1; i < size; i++) {
      long k = keys[i];
      double v = values[i];
      int j = i - 1;
      while (j >= 0 && keys[j] > k) {
        keys[j + 1] = keys[j];
        values[j + 1] = values[j];
        j--;
      }
      keys[j + 1] = k;
      values[j + 1] = v;
    }
    oldestKey = size == 0 ? Long.MAX_VALUE : keys[0];
  }

  void trim() {
    if (keys.length != size) {
      keys = size == 0 ? NO_KEYS : Arrays.copyOf(keys, size);
      values = size == 0 ? NO_VALUES : Arrays.copyOf(values, size);
    }
  }
}
