package dev.tessera.sharding.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the node's online store, read once from {@code tessera.store} (see reference.conf)
 * and validated at start-up: a wrong value fails with its key's name.
 *
 * @param sweepInterval how often expired snapshots are evicted
 * @param maxEntries at most this many {@code (member, group)} keys on the node
 * @param maxBytes at most this many bytes of entries, by the table's own estimate ({@link
 *     SnapshotTable#approximateBytes()}); from {@code max-heap-share} of the JVM's maximum heap
 */
public record StoreSettings(Duration sweepInterval, int maxEntries, long maxBytes) {

  private static final String PREFIX = "tessera.store.";
  /** Beyond this share of the heap, member states, buffers and the GC's headroom do not fit. */
  private static final double MAX_HEAP_SHARE = 0.8;

  public StoreSettings {
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweepInterval must be positive: " + sweepInterval);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
    }
  }

  /** Bounded by entries only (tests and tools). */
  public StoreSettings(Duration sweepInterval, int maxEntries) {
    this(sweepInterval, maxEntries, Long.MAX_VALUE);
  }

  /** Reads {@code tessera.store} from the node's configuration. */
  public static StoreSettings create(Config root) {
    try {
      Config config = root.getConfig("tessera.store");
      Duration sweepInterval = positive(config, "sweep-interval");
      int maxEntries = atLeastOne(config, "max-entries");
      double heapShare = heapShare(config, "max-heap-share");
      return new StoreSettings(sweepInterval, maxEntries,
          Math.max(1, (long) (heapShare * Runtime.getRuntime().maxMemory())));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  private static Duration positive(Config config, String key) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "Invalid configuration: " + PREFIX + key + " = " + value + " must be positive");
    }
    return value;
  }

  private static double heapShare(Config config, String key) {
    double value = config.getDouble(key);
    if (!(value > 0 && value <= MAX_HEAP_SHARE)) {
      throw new IllegalArgumentException("Invalid configuration: " + PREFIX + key + " = " + value
          + " must be above 0 and at most " + MAX_HEAP_SHARE);
    }
    return value;
  }

  private static int atLeastOne(Config config, String key) {
    int value = config.getInt(key);
    if (value < 1) {
      throw new IllegalArgumentException(
          "Invalid configuration: " + PREFIX + key + " = " + value + " must be at least 1");
    }
    return value;
  }
}
