package dev.tessera.sharding.ingest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ingestion's cheap first duplicate filter for one raw partition: an event is a duplicate when
 * a valid record with the same id was seen in the partition within {@code window} of ingestion time
 * before it. Every copy counts, dropped or not, so a decision depends only on the records of the
 * window before it. Bounded: beyond {@code maxIds} ids the least recently seen are forgotten. The
 * exact, per-member dedup is the kernel's.
 *
 * <p>Deterministic, and rebuildable: because a decision depends only on the window's records (in
 * offset order, with their broker timestamps), replaying a partition from {@code t - window} gives
 * the same decisions from {@code t} on as the uninterrupted run. Not thread-safe: one instance per
 * partition, one stream stage.
 */
final class RawDeduplicator {
  private final long windowMs;
  private final int maxIds;
  /** Id to the last time a copy was seen; iteration order is least recently seen first. */
  private final LinkedHashMap<String, Long> lastSeen = new LinkedHashMap<>(1024, 0.75f, true);
  private long forgottenForCapacity;

  RawDeduplicator(long windowMs, int maxIds) {
    this.windowMs = windowMs;
    this.maxIds = maxIds;
  }

  /** Whether a copy of this event id was seen within the window before {@code ingestedAt}. */
  boolean isDuplicate(String eventId, long ingestedAt) {
    forgetOlderThan(ingestedAt - windowMs);
    Long previous = lastSeen.put(eventId, ingestedAt);
    if (previous == null && lastSeen.size() > maxIds) {
      Iterator<Map.Entry<String, Long>> eldest = lastSeen.entrySet().iterator();
      eldest.next();
      eldest.remove();
      forgottenForCapacity++;
    }
    return previous != null && ingestedAt - previous <= windowMs;
  }

  /** Ids currently remembered. */
  int size() {
    return lastSeen.size();
  }

  /** Ids forgotten before their window ended because of the memory bound. */
  long forgottenForCapacity() {
    return forgottenForCapacity;
  }

  private void forgetOlderThan(long oldestKept) {
    Iterator<Map.Entry<String, Long>> eldest = lastSeen.entrySet().iterator();
    while (eldest.hasNext() && eldest.next().getValue() < oldestKept) {
      eldest.remove();
    }
  }
}
