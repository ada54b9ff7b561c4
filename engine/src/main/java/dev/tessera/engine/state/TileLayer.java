package dev.tessera.engine.state;


/**
 * Sparse tiles of one size, sorted by start, each stored contiguously as {@code [start, slot 0,
 * ..., slot width-1]} in one {@code double[]} (starts are whole milliseconds below 2^53, exact as
 * doubles), so finding and updating a tile touches one or two cache lines. The array is a ring:
 * evicting the oldest tiles only moves the head, so a member's day of tiles is never shifted as
 * time passes. Only non-empty tiles exist. Mutable; owned by one {@link MemberFeatureState}. Tile
 * indices below are logical (0 = oldest); offsets into {@link #data} are physical.
 */
final class TileLayer {
  private static final double[] EMPTY = new double[0];

  final long tileMs;
  final int width;
  final int stride;
  double[] data = EMPTY;

  /** Capacity in tiles. */
  private int capacity;

  /** Physical index of the oldest tile. */
  private int head;

  int size;

  /**
   * Start of the first tile (Long.MAX_VALUE when empty), kept here so eviction checks touch no
   * array.
   */
  long oldest = Long.MAX_VALUE;

  TileLayer(long tileMs, int width) {
    this.tileMs = tileMs;
    this.width = width;
    this.stride = width + 1;
  }

  private int physical(int i) {
    int p = head + i;
    return p >= capacity ? p - capacity : p;
  }

  long start(int i) {
    return (long) data[physical(i) * stride];
  }

  /** Offset of tile i's first slot in {@link #data}. */
  int slotOffset(int i) {
    return physical(i) * stride + 1;
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

  /** Inserts a tile (slots uninitialised) at logical index {@code pos}; returns its slot offset. */
  int insert(int pos, long start) {
    if (size == capacity) {
      grow(Math.max(2, size + (size >> 1) + 1));
    }
    // shift tiles pos..size-1 one place towards the tail (rare: tiles mostly arrive in order)
    for (int i = size; i > pos; i--) {
      System.arraycopy(data, physical(i - 1) * stride, data, physical(i) * stride, stride);
    }
    size++;
    int p = physical(pos) * stride;
    data[p] = start;
    if (pos == 0) {
      oldest = start;
    }
    return p + 1;
  }

  private void grow(int newCapacity) {
    double[] next = new double[newCapacity * stride];
    for (int i = 0; i < size; i++) {
      System.arraycopy(data, physical(i) * stride, next, i * stride, stride);
    }
    data = next;
    capacity = newCapacity;
    head = 0;
  }

  /** Drops tiles starting before {@code start}: moves the head, copies nothing. */
  void evictBefore(long start) {
    if (oldest >= start) {
      return;
    }
    int n = lowerBound(start);
    head = n == size ? 0 : physical(n);
    size -= n;
    oldest = size == 0 ? Long.MAX_VALUE : start(0);
  }

  /** Replaces the content (binary form): starts and slots of each tile. */
  void load(long[] starts, double[] slots, int n) {
    data = n == 0 ? EMPTY : new double[n * stride];
    for (int i = 0; i < n; i++) {
      data[i * stride] = starts[i];
      System.arraycopy(slots, i * width, data, i * stride + 1, width);
    }
    capacity = n;
    head = 0;
    size = n;
    oldest = n == 0 ? Long.MAX_VALUE : starts[0];
  }

  void trim() {
    if (capacity != size) {
      if (size == 0) {
        data = EMPTY;
        capacity = 0;
        head = 0;
      } else {
        grow(size);
      }
    }
  }
}
