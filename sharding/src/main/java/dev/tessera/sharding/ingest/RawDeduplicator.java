package dev.tessera.sharding.ingest;

import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * The ingestion's cheap first duplicate filter for one raw partition: an event id seen within
 * {@code window} of ingestion time before is a duplicate. Bounded: beyond {@code maxIds} the oldest
 * ids are forgotten first. The exact, per-member dedup is the kernel's.
 *
 * <p>Deterministic: a decision depends only on the partition's records in offset order (their ids
 * and broker timestamps), so replaying a partition from {@code firstTimestamp - window} rebuilds
 * the same decisions after a restart. Not thread-safe: one instance per partition, one stream
 * stage.
 */
final class RawDeduplicator {
  private final long windowMs;
  private final int maxIds;
  private final HashMap<String, Long> firstSeen = new HashMap<>();
  private final ArrayDeque<String> idsInOrder = new ArrayDeque<>();
  private final ArrayDeque<Long> timesInOrder = new ArrayDeque<>();
  private long forgottenForCapacity;

  RawDeduplicator(long windowMs, int maxIds) {
    this.windowMs = windowMs;
    this.maxIds = maxIds;
  }

  /**
   * Whether this event id was accepted within the window before {@code ingestedAt}; if not, it is
   * remembered as accepted now.
   */
  boolean isDuplicate(String eventId, long ingestedAt) {
    forgetOlderThan(ingestedAt - windowMs);
    Long seen = firstSeen.get(eventId);
    if (seen != null && ingestedAt - seen <= windowMs) {
      return true;
    }
    firstSeen.put(eventId, ingestedAt);
    idsInOrder.addLast(eventId);
    timesInOrder.addLast(ingestedAt);
    while (idsInOrder.size() > maxIds) {
      forget();
      forgottenForCapacity++;
    }
    return false;
  }

  /** Ids currently remembered. */
  int size() {
    return firstSeen.size();
  }

  /** Ids forgotten before their window ended because of the memory bound. */
  long forgottenForCapacity() {
    return forgottenForCapacity;
  }

  private void forgetOlderThan(long oldestKept) {
    while (!timesInOrder.isEmpty() && timesInOrder.peekFirst() < oldestKept) {
      forget();
    }
  }

  private void forget() {
    String id = idsInOrder.pollFirst();
    long time = timesInOrder.pollFirst();
    // Only the entry that is still the id's first sighting may remove it.
    firstSeen.remove(id, time);
  }
}
