package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Accepted eventIds of a member within the duplicate horizon, as 61-bit fingerprints with the stream ordinal in the
 * low 3 bits, sorted, each with the eventTime of its first accepted copy. Whether an entry still blocks is decided by
 * the caller from that time (so a not-yet-swept entry never blocks wrongly).
 */
final class DuplicateTable {
  private static final long[] EMPTY = new long[0];

  long[] keys = EMPTY;
  long[] times = EMPTY;
  int size;

  /** A 64-bit FNV-1a hash of the id, finalised with SplitMix64, with the stream in the low 3 bits. */
  static long key(String eventId, int stream) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < eventId.length(); i++) {
      h ^= eventId.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return (h & ~7L) | stream;
  }

  int indexOf(long key) {
    return Arrays.binarySearch(keys, 0, size, key);
  }

  void put(long key, long time) {
    int i = indexOf(key);
    if (i >= 0) {
      times[i] = time;
      return;
    }
    i = -i - 1;
    if (size == keys.length) {
      int cap = Math.max(4, size + (size >> 1) + 1);
      keys = Arrays.copyOf(keys, cap);
      times = Arrays.copyOf(times, cap);
    }
    System.arraycopy(keys, i, keys, i + 1, size - i);
    System.arraycopy(times, i, times, i + 1, size - i);
    keys[i] = key;
    times[i] = time;
    size++;
  }

  /** Removes entries whose time is before {@code horizonStart[stream]}. */
  void sweep(long[] horizonStart) {
    int w = 0;
    for (int i = 0; i < size; i++) {
      if (times[i] >= horizonStart[(int) (keys[i] & 7)]) {
        keys[w] = keys[i];
        times[w] = times[i];
        w++;
      }
    }
    size = w;
  }

  void trim() {
    if (keys.length != size) {
      keys = size == 0 ? EMPTY : Arrays.copyOf(keys, size);
      times = size == 0 ? EMPTY : Arrays.copyOf(times, size);
    }
  }
}
