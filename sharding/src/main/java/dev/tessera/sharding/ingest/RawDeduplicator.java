package dev.tessera.sharding.ingest;

import dev.tessera.engine.event.EventIdFingerprint;

/**
 * The ingestion's cheap first duplicate filter for one raw partition: an event is a duplicate when
 * a valid record with the same id was seen in the partition within {@code window} of ingestion time
 * before it. Every copy counts, dropped or not, so a decision depends only on the records of the
 * window before it. Bounded: it remembers at most {@code maxIds} copies, and beyond that forgets
 * the oldest first. The exact, per-member dedup is the kernel's.
 *
 * <p>Deterministic, and rebuildable: because a decision depends only on the window's records (in
 * offset order, with their broker timestamps), replaying a partition from {@code t - window} gives
 * the same decisions from {@code t} on as the uninterrupted run. Not thread-safe: one instance per
 * partition, one stream stage.
 *
 * <p>Ids are remembered by their 64-bit {@link EventIdFingerprint}, in primitive arrays only: a ring
 * of copies in arrival order (fingerprint, time) and an open-addressing table from fingerprint to
 * the sequence number of its latest copy. About 48 bytes per remembered id and no object per id,
 * so ten minutes of a busy partition neither fill the heap with small objects nor make every young
 * collection copy them. A new id is mistaken for a remembered one with probability about
 * (ids remembered) / 2^64. The arrays grow by doubling up to the bound and do not shrink.
 */
final class RawDeduplicator {
  private static final int INITIAL_CAPACITY = 1024;
  private static final long EMPTY = 0;

  private final long windowMs;
  private final int maxIds;
  private long forgottenForCapacity;

  /** Copies in arrival order: slot {@code seq & ringMask} holds copy number {@code seq}. */
  private long[] ringKeys = new long[INITIAL_CAPACITY];
  private long[] ringTimes = new long[INITIAL_CAPACITY];
  private int ringMask = INITIAL_CAPACITY - 1;
  /** Sequence number of the oldest copy remembered, and of the next copy. */
  private long oldestSeq;
  private long nextSeq;

  /** Linear probing; {@link #EMPTY} marks a free slot (a fingerprint of 0 is stored as 1). */
  private long[] tableKeys = new long[2 * INITIAL_CAPACITY];
  private long[] tableSeqs = new long[2 * INITIAL_CAPACITY];
  private int tableMask = 2 * INITIAL_CAPACITY - 1;
  private int ids;

  RawDeduplicator(long windowMs, int maxIds) {
    this.windowMs = windowMs;
    this.maxIds = maxIds;
  }

  /** Whether a copy of this event id was seen within the window before {@code ingestedAt}. */
  boolean isDuplicate(String eventId, long ingestedAt) {
    long key = EventIdFingerprint.of(eventId);
    if (key == EMPTY) {
      key = 1;
    }
    forgetOlderThan(ingestedAt - windowMs);
    if (nextSeq - oldestSeq == maxIds) {
      forgetOldestCopy(true);
    }
    long seq = nextSeq++;
    if (seq - oldestSeq > ringMask) {
      growRing();
    }
    int ringSlot = (int) seq & ringMask;
    ringKeys[ringSlot] = key;
    ringTimes[ringSlot] = ingestedAt;

    int slot = find(key);
    if (tableKeys[slot] == EMPTY) {
      tableKeys[slot] = key;
      tableSeqs[slot] = seq;
      if (++ids > tableMask >> 1) {
        growTable();
      }
      return false;
    }
    long previous = ringTimes[(int) tableSeqs[slot] & ringMask];
    tableSeqs[slot] = seq;
    return ingestedAt - previous <= windowMs;
  }

  /** Ids currently remembered. */
  int size() {
    return ids;
  }

  /** Ids forgotten before their window ended because of the memory bound. */
  long forgottenForCapacity() {
    return forgottenForCapacity;
  }

  private void forgetOlderThan(long oldestKept) {
    while (oldestSeq < nextSeq && ringTimes[(int) oldestSeq & ringMask] < oldestKept) {
      forgetOldestCopy(false);
    }
  }

  /** Drops the oldest copy, and its id with it unless a later copy of the id is remembered. */
  private void forgetOldestCopy(boolean forCapacity) {
    long seq = oldestSeq++;
    long key = ringKeys[(int) seq & ringMask];
    int slot = find(key);
    if (tableKeys[slot] == key && tableSeqs[slot] == seq) {
      remove(slot);
      if (forCapacity) {
        forgottenForCapacity++;
      }
    }
  }

  /** The slot holding {@code key}, or the empty slot where it would go. */
  private int find(long key) {
    int slot = home(key, tableMask);
    while (tableKeys[slot] != EMPTY && tableKeys[slot] != key) {
      slot = (slot + 1) & tableMask;
    }
    return slot;
  }

  private static int home(long key, int mask) {
    return (int) (key ^ (key >>> 32)) & mask;
  }

  /** Backward-shift deletion: later entries of the probe run move up, so no tombstones remain. */
  private void remove(int slot) {
    ids--;
    int hole = slot;
    int next = (hole + 1) & tableMask;
    while (tableKeys[next] != EMPTY) {
      int home = home(tableKeys[next], tableMask);
      // The entry may fill the hole unless its home lies cyclically in (hole, next].
      boolean homeAfterHole =
          hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!homeAfterHole) {
        tableKeys[hole] = tableKeys[next];
        tableSeqs[hole] = tableSeqs[next];
        hole = next;
      }
      next = (next + 1) & tableMask;
    }
    tableKeys[hole] = EMPTY;
  }

  private void growRing() {
    int capacity = (ringMask + 1) * 2;
    long[] keys = new long[capacity];
    long[] times = new long[capacity];
    for (long seq = oldestSeq; seq < nextSeq - 1; seq++) {
      keys[(int) seq & (capacity - 1)] = ringKeys[(int) seq & ringMask];
      times[(int) seq & (capacity - 1)] = ringTimes[(int) seq & ringMask];
    }
    ringKeys = keys;
    ringTimes = times;
    ringMask = capacity - 1;
  }

  private void growTable() {
    long[] oldKeys = tableKeys;
    long[] oldSeqs = tableSeqs;
    int capacity = oldKeys.length * 2;
    tableKeys = new long[capacity];
    tableSeqs = new long[capacity];
    tableMask = capacity - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        int slot = find(oldKeys[i]);
        tableKeys[slot] = oldKeys[i];
        tableSeqs[slot] = oldSeqs[i];
      }
    }
  }
}
