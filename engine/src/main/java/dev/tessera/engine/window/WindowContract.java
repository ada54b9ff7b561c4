package dev.tessera.engine.window;

import java.time.Duration;

/**
 * The window contract of {@code engine/README.md}, as arithmetic. Every runtime and the reference
 * implementation use these functions, so the boundaries are defined in exactly one place.
 *
 * <ul>
 *   <li>Sliding window of length W, hop h: as of t it holds events with {@code align(t, h) - W <=
 *       eventTime <= t}.
 *   <li>Tumbling window of length W: as of t it holds events with {@code align(t, W) - W <=
 *       eventTime < align(t, W)}.
 *   <li>An event of a (member, stream) with watermark wm is late when {@code eventTime < wm -
 *       allowedLateness}.
 * </ul>
 */
public final class WindowContract {

  /** Default allowed lateness: 5 minutes. */
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofMinutes(5);

  private static final long SECOND = 1_000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;

  private WindowContract() {}

  /** {@code floor(t / h) * h}, correct for negative t too. */
  public static long align(long t, long h) {
    return Math.floorDiv(t, h) * h;
  }

  /**
   * The hop of a sliding window of this length: up to 1 min -> 1 s; up to 5 min -> 10 s; up to 1 h
   * -> 1 min; up to 24 h -> 5 min; longer -> 1 h. The length must be a multiple of the hop (checked
   * when a definition is loaded).
   */
  public static long defaultHopMs(long windowMs) {
    if (windowMs <= MINUTE) {
      return SECOND;
    }
    if (windowMs <= 5 * MINUTE) {
      return 10 * SECOND;
    }
    if (windowMs <= HOUR) {
      return MINUTE;
    }
    if (windowMs <= 24 * HOUR) {
      return 5 * MINUTE;
    }
    return HOUR;
  }

  /**
   * Inclusive lower bound of a sliding window as of t: {@code align(t, h) - W}; the upper bound is
   * t, inclusive.
   */
  public static long slidingFrom(long t, long windowMs, long hopMs) {
    return align(t, hopMs) - windowMs;
  }

  /** Inclusive start of the last complete tumbling window as of t: {@code align(t, W) - W}. */
  public static long tumblingFrom(long t, long windowMs) {
    return align(t, windowMs) - windowMs;
  }

  /** Exclusive end of the last complete tumbling window as of t: {@code align(t, W)}. */
  public static long tumblingUntil(long t, long windowMs) {
    return align(t, windowMs);
  }

  /** Whether an event is late against its (member, stream) watermark. */
  public static boolean isLate(long eventTime, long watermark, long allowedLatenessMs) {
    return watermark != Long.MIN_VALUE && eventTime < watermark - allowedLatenessMs;
  }
}
