package dev.tessera.simulations.kafka;

import java.util.Objects;

/**
 * The topics a simulation writes.
 *
 * @param raw the raw event topic (created with {@code rawPartitions} partitions if missing)
 * @param content the compacted catalogue topic, keyed by titleId
 * @param profiles the compacted member profile topic, keyed by memberId
 * @param rawPartitions partitions of the raw topic when the simulator creates it
 */
public record SimulationTopics(String raw, String content, String profiles, int rawPartitions) {

  public static final String DEFAULT_RAW = "member-events";
  public static final String DEFAULT_CONTENT = "content-metadata";
  public static final String DEFAULT_PROFILES = "member-profiles";
  public static final int DEFAULT_RAW_PARTITIONS = 6;

  public SimulationTopics {
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(profiles, "profiles");
    if (rawPartitions <= 0) {
      throw new IllegalArgumentException("rawPartitions must be positive");
    }
  }

  public static SimulationTopics defaults() {
    return new SimulationTopics(
        DEFAULT_RAW, DEFAULT_CONTENT, DEFAULT_PROFILES, DEFAULT_RAW_PARTITIONS);
  }
}
