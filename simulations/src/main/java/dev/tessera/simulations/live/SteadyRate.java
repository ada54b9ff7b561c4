package dev.tessera.simulations.live;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces a producing loop to a steady rate: {@link #awaitNext()} returns at the next slot. After
 * falling behind by more than a second (a GC pause, a slow broker) it starts afresh instead of
 * bursting to catch up. Not thread-safe: one per producing thread.
 */
public final class SteadyRate {
  private static final long MAX_BEHIND_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final long intervalNanos;
  private long next = System.nanoTime();

  /** @param perSecond slots per second, at least 1 */
  public SteadyRate(int perSecond) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("rate must be at least 1 per second: " + perSecond);
    }
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
  }

  /** Waits for the next slot. */
  public void awaitNext() {
    next += intervalNanos;
    long wait = next - System.nanoTime();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    } else if (wait < -MAX_BEHIND_NANOS) {
      next = System.nanoTime();
    }
  }
}
