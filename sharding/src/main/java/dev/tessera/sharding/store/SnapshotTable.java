package dev.tessera.sharding.store;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest {@link StoredSnapshot} per {@code (memberId, group)}, readable from any thread.
 *
 * <p><b>Reads</b> ({@link #get}) are lock-free and allocate nothing for a present key: two {@code
 * ConcurrentHashMap} lookups (group, then member, so no composite key is built) and one volatile
 * read of a pre-built {@link Lookup.Present}. Only an expired key allocates its {@link
 * Lookup.Expired}.
 *
 * <p><b>Writes</b> ({@link #put}, {@link #evictExpired}) come from any thread, one at a time (the
 * table's lock): the member entities publish straight into the table, which costs them a short
 * uncontended lock instead of a message to the {@link OnlineStore} actor per snapshot, and the
 * actor sweeps. A key's snapshot is replaced by a single volatile write, so a reader sees either
 * the previous or the new snapshot, and since writers only ever install larger {@code
 * snapshotVersion}s, successive reads of a key never see its version decrease.
 *
 * <p><b>Memory bound</b>: at most {@code maxEntries} keys and {@code maxBytes} of them by the
 * table's own estimate ({@link #approximateBytes()}; a replaced snapshot may grow its key's share
 * a little past it until the next new key makes room). The writer keeps a binary min-heap of
 * the keys ordered by {@code expiresAt} (a 4-byte slot per key plus an index in the entry), which
 * gives both policies cheaply: the periodic sweep pops the expired keys (O(log n) each, no full
 * scan), and a put of a new key into a full table evicts the soonest-expiring key (O(log n)) — or
 * does not store the new one if it would itself expire first; the byte bound evicts as many
 * soonest-expiring keys as the new one needs.
 *
 * <p>Eviction forgets a key's version: a snapshot published for it afterwards is stored whatever
 * its version. Entities publish in version order, so this only matters for a snapshot that was in
 * flight when its key was evicted.
 */
public final class SnapshotTable {

  // Size model of a 64-bit JVM with compressed oops and class pointers (heaps below 32 GiB):
  // 12-byte object headers, 4-byte references, 8-byte alignment.
  private static final int SLOT_BYTES = 32; // header, present, expiresAt, heapIndex, bytes
  private static final int PRESENT_BYTES = 16;
  private static final int MAP_NODE_BYTES = 32; // ConcurrentHashMap.Node
  private static final int MAP_TABLE_BYTES = 8; // its bucket array at load factor 0.375-0.75
  private static final int HEAP_SLOT_BYTES = 6; // the heap array grows by doubling: 4-8 bytes
  private static final int SNAPSHOT_BYTES = 72; // header, int, 4 references, 5 longs
  private static final int COMPACT_MAP_BYTES = 32; // with AbstractMap's two cached views
  private static final int KEYS_BYTES = 24;
  private static final int BOX_BYTES = 24; // a boxed Long or Double: 12 + 8, aligned
  private static final int ENTRY_OVERHEAD =
      SLOT_BYTES + PRESENT_BYTES + MAP_NODE_BYTES + MAP_TABLE_BYTES + HEAP_SLOT_BYTES;

  private final int maxEntries;
  private final long maxBytes;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Slot>> groups =
      new ConcurrentHashMap<>();

  // Written under the lock; volatile so that any thread can read them without it.
  private volatile int size;
  private volatile long approximateBytes;

  // Guarded by the lock.
  private Slot[] heap = new Slot[16];
  private long puts;
  private long staleRejected;
  private long evicted;
  private long evictedForCapacity;

  /** A table bounded by its number of keys only. */
  public SnapshotTable(int maxEntries) {
    this(maxEntries, Long.MAX_VALUE);
  }

  public SnapshotTable(int maxEntries, long maxBytes) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** A table with the node's configured bounds. */
  public static SnapshotTable create(StoreSettings settings) {
    return new SnapshotTable(settings.maxEntries(), settings.maxBytes());
  }

  /**
   * The key's snapshot at {@code now} (epoch millis): {@link Lookup.Present} if {@code now <
   * expiresAt}, {@link Lookup.Expired} if the key is past its expiry but not evicted yet, else
   * {@link Lookup.NotFound#INSTANCE}. Any thread; lock-free.
   */
  public Lookup get(String memberId, String group, long now) {
    ConcurrentHashMap<String, Slot> members = groups.get(group);
    if (members == null) {
      return Lookup.NotFound.INSTANCE;
    }
    Slot slot = members.get(memberId);
    if (slot == null) {
      return Lookup.NotFound.INSTANCE;
    }
    Lookup.Present present = slot.present;
    StoredSnapshot snapshot = present.snapshot();
    return now < snapshot.expiresAt() ? present : new Lookup.Expired(snapshot);
  }

  /**
   * Stores the snapshot unless the key holds an equal or newer {@code snapshotVersion} (counted as
   * stale) or the table is full and the snapshot of this new key would expire before every stored
   * one it would have to displace (counted as evicted for capacity). A new key in a full table
   * evicts the soonest-expiring keys, as many as it needs: one for the key bound, possibly more
   * for the byte bound. Any thread.
   *
   * @return whether the snapshot was stored
   */
  public synchronized boolean put(StoredSnapshot snapshot) {
    puts++;
    ConcurrentHashMap<String, Slot> members = groups.get(snapshot.group());
    if (members == null) {
      members = groups.computeIfAbsent(snapshot.group(), g -> new ConcurrentHashMap<>());
    }
    Slot slot = members.get(snapshot.memberId());
    if (slot != null) {
      return replace(slot, snapshot);
    }
    int bytes = estimateBytes(snapshot);
    while (size == maxEntries || approximateBytes + bytes > maxBytes) {
      if (size == 0 || snapshot.expiresAt() < heap[0].expiresAt) {
        evictedForCapacity++;
        return false;
      }
      remove(heap[0]);
      evictedForCapacity++;
    }
    slot = new Slot(new Lookup.Present(snapshot), bytes);
    heapAdd(slot);
    members.put(snapshot.memberId(), slot);
    approximateBytes += slot.bytes;
    return true;
  }

  /** Evicts every key with {@code expiresAt <= now} (epoch millis). Any thread. */
  synchronized int evictExpired(long now) {
    int count = 0;
    while (size > 0 && heap[0].expiresAt <= now) {
      remove(heap[0]);
      count++;
    }
    evicted += count;
    return count;
  }

  /** How many keys the table holds. Any thread. */
  public int size() {
    return size;
  }

  public int maxEntries() {
    return maxEntries;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The estimated heap the stored keys take, in bytes. Any thread.
   *
   * <p>The sum of a per-entry estimate made when an entry is stored, from its shape, for a 64-bit
   * JVM with compressed references: the table's own structures (map node and bucket share, heap
   * slot, slot, its {@code Present}), the snapshot record, the member id's characters, and per map
   * its value array, boxed values (none for {@code Long}s in -128..127 and the shared 0.0 and 1.0)
   * and nested maps, plus its key array only when the key set is not shared with other entries. Not
   * counted: the group name, shared key sets and names (a few per group), key strings of unshared
   * key sets (normally the producer's), the per-group maps' fixed parts. {@code
   * SnapshotTableTest#estimateIsWithinAFactorOfTwoOfTheMeasuredHeap} checks it against the heap
   * measured for 100k snapshots of the default group's shape.
   */
  public long approximateBytes() {
    return approximateBytes;
  }

  synchronized long puts() {
    return puts;
  }

  synchronized long staleRejected() {
    return staleRejected;
  }

  synchronized long evicted() {
    return evicted;
  }

  synchronized long evictedForCapacity() {
    return evictedForCapacity;
  }

  /** The estimate {@link #approximateBytes()} adds up for one entry. */
  static int estimateBytes(StoredSnapshot snapshot) {
    return ENTRY_OVERHEAD + SNAPSHOT_BYTES + stringBytes(snapshot.memberId())
        + mapBytes(snapshot.values()) + mapBytes(snapshot.lastOffsets());
  }

  private boolean replace(Slot slot, StoredSnapshot snapshot) {
    if (snapshot.snapshotVersion() <= slot.present.snapshot().snapshotVersion()) {
      staleRejected++;
      return false;
    }
    int bytes = estimateBytes(snapshot);
    slot.present = new Lookup.Present(snapshot);
    approximateBytes += bytes - slot.bytes;
    slot.bytes = bytes;
    long previous = slot.expiresAt;
    slot.expiresAt = snapshot.expiresAt();
    if (slot.expiresAt < previous) {
      siftUp(slot.heapIndex, slot);
    } else if (slot.expiresAt > previous) {
      siftDown(slot.heapIndex, slot);
    }
    return true;
  }

  private void remove(Slot slot) {
    StoredSnapshot snapshot = slot.present.snapshot();
    groups.get(snapshot.group()).remove(snapshot.memberId(), slot);
    heapRemove(slot);
    approximateBytes -= slot.bytes;
  }

  // The min-heap on expiresAt. heap[0..size) is the heap; each slot knows its index.

  private void heapAdd(Slot slot) {
    int n = size;
    if (n == heap.length) {
      heap = Arrays.copyOf(heap, (int) Math.min(maxEntries, Math.max(16L, 2L * n)));
    }
    size = n + 1;
    siftUp(n, slot);
  }

  private void heapRemove(Slot slot) {
    int i = slot.heapIndex;
    int last = size - 1;
    Slot moved = heap[last];
    heap[last] = null;
    size = last;
    slot.heapIndex = -1;
    if (i != last) {
      siftDown(i, moved);
      if (heap[i] == moved) {
        siftUp(i, moved);
      }
    }
  }

  private void siftUp(int i, Slot slot) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Slot p = heap[parent];
      if (p.expiresAt <= slot.expiresAt) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = slot;
    slot.heapIndex = i;
  }

  private void siftDown(int i, Slot slot) {
    int n = size;
    int half = n >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      Slot c = heap[child];
      int right = child + 1;
      if (right < n && heap[right].expiresAt < c.expiresAt) {
        child = right;
        c = heap[child];
      }
      if (slot.expiresAt <= c.expiresAt) {
        break;
      }
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = slot;
    slot.heapIndex = i;
  }

  private static int mapBytes(Map<String, ?> map) {
    CompactMap<?> compact = (CompactMap<?>) map;
    int n = compact.size();
    int bytes = COMPACT_MAP_BYTES + arrayBytes(n);
    if (!compact.sharesKeys()) {
      bytes += KEYS_BYTES + arrayBytes(n) + intArrayBytes(n);
    }
    for (int i = 0; i < n; i++) {
      bytes += valueBytes(compact.valueAt(i));
    }
    return bytes;
  }

  private static int valueBytes(Object value) {
    if (value == null || StoredSnapshot.isSharedBox(value)) {
      return 0;
    }
    if (value instanceof Long l) {
      return l >= -128 && l <= 127 ? 0 : BOX_BYTES;
    }
    if (value instanceof CompactMap<?> map) {
      return mapBytes(map);
    }
    return BOX_BYTES;
  }

  private static int stringBytes(String s) {
    return 24 + align(16 + s.length());
  }

  private static int arrayBytes(int references) {
    return align(16 + 4 * references);
  }

  private static int intArrayBytes(int keys) {
    // CompactMap's index: a power of two at least twice the key count.
    int capacity = Integer.highestOneBit(Math.max(2, keys * 2 - 1)) << 1;
    return align(16 + 4 * capacity);
  }

  private static int align(int bytes) {
    return (bytes + 7) & ~7;
  }

  /** One key's entry. {@code present} is read by any thread; the rest is guarded by the lock. */
  private static final class Slot {
    volatile Lookup.Present present;
    long expiresAt;
    int heapIndex;
    int bytes;

    Slot(Lookup.Present present, int bytes) {
      this.present = present;
      this.expiresAt = present.snapshot().expiresAt();
      this.bytes = bytes;
    }
  }
}
