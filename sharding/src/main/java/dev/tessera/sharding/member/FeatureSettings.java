package dev.tessera.sharding.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the feature pipeline, read once from {@code tessera.features} and validated with the
 * failing key's name.
 *
 * @param consumerGroup the group consuming the domain topics (partitions decide shard placement)
 * @param lateEventsTopic where late events go, byte for byte as on their domain topic
 * @param maxBatch most records of one partition dispatched together
 * @param maxBatchDelay how long a partial batch waits for more records
 * @param replyTimeout how long a batch waits for its members; then the stream restarts
 * @param checkpointInterval how often each partition's members are made durable and its offsets
 *     committed
 * @param idleTimeout sharding passivates an entity idle this long (when state is durable)
 */
public record FeatureSettings(
    String consumerGroup, String lateEventsTopic, int maxBatch, Duration maxBatchDelay,
    Duration replyTimeout, Duration checkpointInterval, Duration idleTimeout) {

  public FeatureSettings {
    Objects.requireNonNull(consumerGroup, "consumerGroup");
    Objects.requireNonNull(lateEventsTopic, "lateEventsTopic");
    Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
    Objects.requireNonNull(replyTimeout, "replyTimeout");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
  }

  public static FeatureSettings create(Config root) {
    String prefix = "tessera.features.";
    try {
      Config config = root.getConfig("tessera.features");
      int maxBatch = config.getInt("max-batch");
      if (maxBatch < 1) {
        throw new IllegalArgumentException(
            "Invalid configuration: " + prefix + "max-batch = " + maxBatch + " must be at least 1");
      }
      return new FeatureSettings(config.getString("consumer-group"),
          config.getString("late-events-topic"), maxBatch,
          positive(config, "max-batch-delay", prefix), positive(config, "reply-timeout", prefix),
          positive(config, "checkpoint-interval", prefix), positive(config, "idle-timeout", prefix));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  /** The same settings with the group and the late-events topic prefixed (tests, demo runs). */
  public FeatureSettings withPrefix(String prefix) {
    return new FeatureSettings(prefix + consumerGroup, prefix + lateEventsTopic, maxBatch,
        maxBatchDelay, replyTimeout, checkpointInterval, idleTimeout);
  }

  private static Duration positive(Config config, String key, String prefix) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "Invalid configuration: " + prefix + key + " = " + value + " must be positive");
    }
    return value;
  }
}
