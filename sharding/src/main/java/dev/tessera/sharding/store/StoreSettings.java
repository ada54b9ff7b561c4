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
 */
public record StoreSettings(Duration sweepInterval, int maxEntries) {

  private static final String PREFIX = "tessera.store.";

  public StoreSettings {
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweepInterval must be positive: " + sweepInterval);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
  }

  /** Reads {@code tessera.store} from the node's configuration. */
  public static StoreSettings create(Config root) {
    try {
      Config config = root.getConfig("tessera.store");
      return new StoreSettings(
          positive(config, "sweep-interval"), atLeastOne(config, "max-entries"));
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

  private static int atLeastOne(Config config, String key) {
    int value = config.getInt(key);
    if (value < 1) {
      throw new IllegalArgumentException(
          "Invalid configuration: " + PREFIX + key + " = " + value + " must be at least 1");
    }
    return value;
  }
}
