package dev.tessera.engine.event;

/**
 * The 64-bit fingerprint by which duplicate filters remember an {@code eventId} instead of the
 * string itself: an FNV-1a hash of its UTF-16 chars, finalised with SplitMix64 so every bit depends
 * on every char. Two distinct ids share a fingerprint with probability about 2^-64; a filter
 * holding n ids mistakes a new id for a remembered one with probability about n / 2^64 (5 * 10^-14
 * for a million ids).
 *
 * <p>Stable: persisted member states hold values derived from it, so it must never change.
 */
public final class EventIdFingerprint {
  private EventIdFingerprint() {}

  public static long of(String eventId) {
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
    return h;
  }
}
