package dev.tessera.simulations;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.time.Duration;

/**
 * The simulator's defaults, read once from {@code tessera.simulations}, preferring the ingestion
 * pipeline's topic names ({@code tessera.ingest.*}) and the node's broker ({@code
 * tessera.kafka.bootstrap-servers}) when they are configured.
 */
public record SimulationSettings(
    String bootstrapServers, SimulationTopics topics, Duration progressInterval) {

  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

  public static SimulationSettings create(Config config) {
    Config own = config.getConfig("tessera.simulations");
    String bootstrap =
        config.hasPath("tessera.kafka.bootstrap-servers")
            ? config.getString("tessera.kafka.bootstrap-servers")
            : DEFAULT_BOOTSTRAP_SERVERS;
    SimulationTopics topics =
        new SimulationTopics(
            string(config, "tessera.ingest.topics.raw", own, "raw-topic"),
            string(config, "tessera.ingest.topics.content-metadata", own, "content-topic"),
            string(config, "tessera.ingest.topics.member-profiles", own, "profiles-topic"),
            config.hasPath("tessera.ingest.raw-partitions")
                ? config.getInt("tessera.ingest.raw-partitions")
                : own.getInt("raw-partitions"));
    Duration progress = own.getDuration("progress-interval");
    if (progress.isNegative() || progress.isZero()) {
      throw new ConfigException.BadValue(
          "tessera.simulations.progress-interval", "must be positive");
    }
    return new SimulationSettings(bootstrap, topics, progress);
  }

  private static String string(Config config, String preferred, Config own, String fallback) {
    return config.hasPath(preferred) ? config.getString(preferred) : own.getString(fallback);
  }
}
