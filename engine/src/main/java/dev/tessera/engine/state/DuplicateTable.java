package dev.tessera.engine.state;

import dev.tessera.engine.event.EventIdFingerprint;
import java.util.Arrays;

/**
 * Accepted eventIds of a member within the duplicate horizon, as 61-bit fingerprints with the
 * stream ordinal in the low 3 bits, each with the eventTime of its most recent accepted copy.
 * Whether an entry still blocks is decided by the caller from that time, so a not-yet-dropped entry
 * never blocks wrongly.
 *
 * <p>Layout: a sorted main array (interpolated search) plus a small unsorted buffer of recent
 * inserts that is merged into it when full, so inserts cost O(n / 32) amortised even for members
 * with thousands of ids. The merge, a pass over every entry anyway, also drops the entries that
 * left their stream's horizon ({@code time < watermark - horizon}), so no separate sweep walks the
 * table. A 64-bit signature of the buffered keys lets most lookups skip the buffer. Main-array
 * times are 32-bit offsets from a per-stream base: a stream's live entries lie within one horizon
 * ({@code watermark - horizon <= time <= watermark}), which {@link
 * dev.tessera.engine.definition.FeatureGroup} keeps under 2^31 ms; when a new time no longer fits,
 * the stream is rebased and the entries below the new base, all expired, are dropped.
 */
final class DuplicateTable {
  static final long ABSENT = Long.MIN_VALUE;
  private static final int BUFFER = 32;
  private static final long[] NO_LONGS = new long[0];
  private static final int[] NO_INTS = new int[0];

  private final long horizonMs;

  /** The owning state's per-stream watermarks ({@link #ABSENT}: none yet); read, never written. */
  private final long[] watermarks;

  long[] keys = NO_LONGS;
  int[] offsets = NO_INTS;
  int size;
  private final long[] base = new long[8];

  /** Recent inserts as (key, time) pairs, so an insert writes one cache line. */
  private long[] buffer = NO_LONGS;

  private int buffered;

  /** One bit per buffered key, chosen by its top 6 bits: a clear bit means not buffered. */
  private long bufferSignature;

  /** A lower bound of every main entry's time: the merge skips expiry while none can be expired. */
  private long oldest = Long.MAX_VALUE;

  /**
   * Where {@link #timeOf} found its key: a main index, {@code -(buffer index) - 2}, or -1 for
   * absent.
   */
  private int found = -1;

  DuplicateTable(long horizonMs, long[] watermarks) {
    this.horizonMs = horizonMs;
    this.watermarks = watermarks;
    Arrays.fill(base, ABSENT);
  }

  /** The id's {@link EventIdFingerprint}, with the stream in the low 3 bits. */
  static long key(String eventId, int stream) {
    return (EventIdFingerprint.of(eventId) & ~7L) | stream;
  }

  private static long signatureBit(long key) {
    return 1L << (key >>> 58);
  }

  /** The time of main entry i. */
  long timeAt(int i) {
    return base[(int) (keys[i] & 7)] + offsets[i];
  }

  /**
   * Position of the key in the sorted main array, or {@code -(insertion point) - 1}. Keys are
   * uniform hashes, so an interpolated first guess lands within a few entries of the answer: one or
   * two cache lines instead of a binary search's log2(n).
   */
  int indexOf(long key) {
    int n = size;
    if (n == 0) {
      return -1;
    }
    long unsigned = key ^ Long.MIN_VALUE; // signed order as unsigned
    int i = (int) (((unsigned >>> 32) * n) >>> 32);
    long[] k = keys;
    if (k[i] < key) {
      do {
        i++;
      } while (i < n && k[i] < key);
      return i < n && k[i] == key ? i : -i - 1;
    }
    while (i > 0 && k[i - 1] >= key) {
      i--;
    }
    return k[i] == key ? i : -i - 1;
  }

  /** The time of the entry, or {@link #ABSENT}. */
  long timeOf(long key) {
    if ((bufferSignature & signatureBit(key)) != 0) {
      for (int i = 0; i < buffered; i++) {
        if (buffer[2 * i] == key) {
          found = -i - 2;
          return buffer[2 * i + 1];
        }
      }
    }
    int i = indexOf(key);
    found = i >= 0 ? i : -1;
    return i >= 0 ? timeAt(i) : ABSENT;
  }

  /**
   * Inserts or replaces the entry of the key last passed to {@link #timeOf}, without searching
   * again.
   */
  void putLastLookedUp(long key, long time) {
    if (found >= 0) {
      int s = (int) (key & 7);
      if (!fits(s, time)) {
        rebase(s, time - horizonMs);
        found = indexOf(key);
      }
      if (found >= 0) {
        offsets[found] = (int) (time - base[s]);
        oldest = Math.min(oldest, time);
      } else {
        append(key, time);
      }
    } else if (found < -1) {
      buffer[2 * (-found - 2) + 1] = time;
    } else {
      append(key, time);
    }
    found = -1;
  }

  /** Inserts the entry or replaces its time. */
  void put(long key, long time) {
    timeOf(key);
    putLastLookedUp(key, time);
  }

  private boolean fits(int s, long time) {
    if (base[s] == ABSENT) {
      return false;
    }
    long off = time - base[s];
    return off >= Integer.MIN_VALUE && off <= Integer.MAX_VALUE;
  }

  /**
   * Moves stream s's base, dropping its main entries below it (they are expired: older than a
   * horizon).
   */
  private void rebase(int s, long newBase) {
    long old = base[s];
    base[s] = newBase;
    if (old == ABSENT) {
      return;
    }
    int w = 0;
    for (int i = 0; i < size; i++) {
      long k = keys[i];
      long off = offsets[i];
      if ((int) (k & 7) == s) {
        long real = old + off;
        if (real < newBase) {
          continue;
        }
        off = real - newBase;
      }
      keys[w] = k;
      offsets[w] = (int) off;
      w++;
    }
    size = w;
  }

  private void append(long key, long time) {
    if (2 * buffered == buffer.length) {
      if (buffered == BUFFER) {
        merge();
      } else {
        int cap = Math.min(BUFFER, Math.max(4, buffered * 2));
        buffer = Arrays.copyOf(buffer, 2 * cap);
      }
    }
    buffer[2 * buffered] = key;
    buffer[2 * buffered + 1] = time;
    bufferSignature |= signatureBit(key);
    buffered++;
  }

  private boolean expired(int stream, long time) {
    long wm = watermarks[stream];
    return wm != ABSENT && time < wm - horizonMs;
  }

  /**
   * Merges the buffer into the sorted main array and drops the entries that left their stream's
   * horizon; afterwards the main array holds exactly the live entries.
   */
  void merge() {
    int live = 0;
    for (int i = 0; i < buffered; i++) {
      long key = buffer[2 * i];
      long t = buffer[2 * i + 1];
      int s = (int) (key & 7);
      if (expired(s, t)) {
        continue;
      }
      if (!fits(s, t)) {
        rebase(s, t - horizonMs);
      }
      buffer[2 * live] = key;
      buffer[2 * live + 1] = t;
      live++;
    }
    dropExpired();
    // sort the buffer (insertion sort: at most 32 entries)
    for (int i = 1; i < live; i++) {
      long k = buffer[2 * i];
      long t = buffer[2 * i + 1];
      int j = i - 1;
      while (j >= 0 && buffer[2 * j] > k) {
        buffer[2 * j + 2] = buffer[2 * j];
        buffer[2 * j + 3] = buffer[2 * j + 1];
        j--;
      }
      buffer[2 * j + 2] = k;
      buffer[2 * j + 3] = t;
    }
    int n = size + live;
    long[] k = keys.length >= n ? keys : new long[Math.max(n, size + (size >> 1) + BUFFER)];
    int[] o = keys.length >= n ? offsets : new int[k.length];
    // merge from the back so the main arrays can be reused in place
    int a = size - 1;
    int b = live - 1;
    for (int w = n - 1; w >= 0; w--) {
      if (b < 0 || (a >= 0 && keys[a] > buffer[2 * b])) {
        k[w] = keys[a];
        o[w] = offsets[a];
        a--;
      } else {
        long t = buffer[2 * b + 1];
        k[w] = buffer[2 * b];
        o[w] = (int) (t - base[(int) (k[w] & 7)]);
        oldest = Math.min(oldest, t);
        b--;
      }
    }
    keys = k;
    offsets = o;
    size = n;
    buffered = 0;
    bufferSignature = 0;
  }

  /** Removes main entries whose time is before their stream's {@code watermark - horizonMs}. */
  private void dropExpired() {
    long latest = ABSENT;
    for (long wm : watermarks) {
      latest = Math.max(latest, wm);
    }
    if (latest == ABSENT || oldest >= latest - horizonMs) {
      return;
    }
    int w = 0;
    long min = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      long real = timeAt(i);
      if (!expired((int) (keys[i] & 7), real)) {
        keys[w] = keys[i];
        offsets[w] = offsets[i];
        min = Math.min(min, real);
        w++;
      }
    }
    size = w;
    oldest = min;
  }

  int size() {
    return size + buffered;
  }

  /**
   * Merges (dropping expired entries) and releases spare capacity; afterwards the main arrays hold
   * every live entry, sorted.
   */
  void trim() {
    merge();
    buffer = NO_LONGS;
    if (keys.length != size) {
      keys = size == 0 ? NO_LONGS : Arrays.copyOf(keys, size);
      offsets = size == 0 ? NO_INTS : Arrays.copyOf(offsets, size);
    }
  }

  /** Restores sorted entries (binary form). */
  void load(long[] sortedKeys, long[] entryTimes) {
    Arrays.fill(base, ABSENT);
    long min = Long.MAX_VALUE;
    for (int i = 0; i < sortedKeys.length; i++) {
      int s = (int) (sortedKeys[i] & 7);
      base[s] = base[s] == ABSENT ? entryTimes[i] : Math.min(base[s], entryTimes[i]);
      min = Math.min(min, entryTimes[i]);
    }
    keys = sortedKeys;
    offsets = new int[sortedKeys.length];
    for (int i = 0; i < sortedKeys.length; i++) {
      offsets[i] = (int) (entryTimes[i] - base[(int) (sortedKeys[i] & 7)]);
    }
    size = sortedKeys.length;
    buffered = 0;
    bufferSignature = 0;
    oldest = min;
  }
}
