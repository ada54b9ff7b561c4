package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Sparse tiles of one size, sorted by start, each stored contiguously as {@code [start, slot 0, ..., slot width-1]}
 * in one {@code double[]} (starts are whole milliseconds below 2^53, exact as doubles), so finding and updating a
 * tile touches one or two cache lines. Only non-empty tiles exist. Mutable; owned by one {@link MemberFeatureState}.
 */
final class TileLayer {
  private static final double[] EMPTY = new double[0];

  final long tileMs;
  final int width;
  final int stride;
  double[] data = EMPTY;
  int size;
  /** Start of the first tile (Long.MAX_VALUE when empty), kept here so eviction checks touch no array. */
  long oldest = Long.MAX_VALUE;

  TileLayer(long tileMs, int width) {
    this.tileMs = tileMs;
    this.width = width;
    this.stride = width + 1;
  }

  long start(int i) {
    return (long) data[i * stride];
  }

  /** Offset of tile i's first slot in {@link #data}. */
  int slotOffset(int i) {
    return i * stride + 1;
  }

  /** Index of the first tile with start &gt;= start. */
  int lowerBound(long start) {
    // Fast path: reads and in-order writes mostly touch the newest tiles.
    if (size == 0 || start(size - 1) < start) {
      return size;
    }
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (start(mid) < start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Index of the tile starting at {@code start}, or -(insertion point) - 1. */
  int find(long start) {
    if (size > 0 && start(size - 1) == start) {
      return size - 1;
    }
    int i = lowerBound(start);
    return i < size && start(i) == start ? i : -i - 1;
  }

  /** Inserts a tile (slots uninitialised) at {@code pos}; returns its slot offset. */
  int insert(int pos, long start) {
    if ((size + 1) * stride > data.length) {
      int cap = Math.max(2, size + (size >> 1) + 1);
      data = Arrays.copyOf(data, cap * stride);
    }
    if (pos < size) {
      System.arraycopy(data, pos * stride, data, (pos + 1) * stride, (size - pos) * stride);
    }
    data[pos * stride] = start;
    size++;
    if (pos == 0) {
      oldest = start;
    }
    return pos * stride + 1;
  }

  /** Drops tiles starting before {@code start}. */
  void evictBefore(long start) {
    if (oldest >= start) {
      return;
    }
    int n = lowerBound(start);
    System.arraycopy(data, n * stride, data, 0, (size - n) * stride);
    size -= n;
    oldest = size == 0 ? Long.MAX_VALUE : start(0);
    // Capacity is kept (a member's tile count is steady); only a large excess is returned.
    if (data.length > 32 * stride && size * stride < data.length / 4) {
      data = Arrays.copyOf(data, size * 2 * stride);
    }
  }

  /** Replaces the content (binary form): starts and slots of each tile. */
  void load(long[] starts, double[] slots, int n) {
    data = n == 0 ? EMPTY : new double[n * stride];
    for (int i = 0; i < n; i++) {
      data[i * stride] = starts[i];
      System.arraycopy(slots, i * width, data, i * stride + 1, width);
    }
    size = n;
    oldest = n == 0 ? Long.MAX_VALUE : starts[0];
  }

  void trim() {
    if (data.length != size * stride) {
      data = size == 0 ? EMPTY : Arrays.copyOf(data, size * stride);
    }
  }
}
