package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Sparse tiles of one size: sorted tile starts and, per tile, {@code width} slots of the layer's scalar
 * accumulators. Only non-empty tiles exist. Mutable; owned by one {@link MemberFeatureState}.
 */
final class TileLayer {
  private static final long[] NO_STARTS = new long[0];
  private static final double[] NO_SLOTS = new double[0];

  final long tileMs;
  final int width;
  long[] starts = NO_STARTS;
  double[] slots = NO_SLOTS;
  int size;

  TileLayer(long tileMs, int width) {
    this.tileMs = tileMs;
    this.width = width;
  }

  /** Index of the first tile with start &gt;= start. */
  int lowerBound(long start) {
    int lo = 0;
    int hi = size;
    // Fast path: reads and in-order writes mostly touch the newest tiles.
    if (size > 0 && starts[size - 1] < start) {
      return size;
    }
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] < start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Index of the tile starting at {@code start}, or -(insertion point) - 1. */
  int find(long start) {
    if (size > 0 && starts[size - 1] == start) {
      return size - 1;
    }
    int i = lowerBound(start);
    return i < size && starts[i] == start ? i : -i - 1;
  }

  /** Inserts an uninitialised tile at {@code pos}; returns its slot offset. */
  int insert(int pos, long start) {
    if (size == starts.length) {
      int cap = Math.max(2, size + (size >> 1) + 1);
      starts = Arrays.copyOf(starts, cap);
      slots = Arrays.copyOf(slots, cap * width);
    }
    if (pos < size) {
      System.arraycopy(starts, pos, starts, pos + 1, size - pos);
      System.arraycopy(slots, pos * width, slots, (pos + 1) * width, (size - pos) * width);
    }
    starts[pos] = start;
    size++;
    return pos * width;
  }

  /** Drops tiles starting before {@code start}. */
  void evictBefore(long start) {
    int n = lowerBound(start);
    if (n == 0) {
      return;
    }
    System.arraycopy(starts, n, starts, 0, size - n);
    System.arraycopy(slots, n * width, slots, 0, (size - n) * width);
    size -= n;
    // Capacity is kept (a member's tile count is steady); only a large excess is returned.
    if (starts.length > 32 && size < starts.length / 4) {
      starts = Arrays.copyOf(starts, size * 2);
      slots = Arrays.copyOf(slots, size * 2 * width);
    }
  }

  void trim() {
    if (starts.length != size) {
      starts = size == 0 ? NO_STARTS : Arrays.copyOf(starts, size);
      slots = size == 0 ? NO_SLOTS : Arrays.copyOf(slots, size * width);
    }
  }
}
