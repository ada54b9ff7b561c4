package dev.tessera.deploy.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * What one node runs, from {@code tessera.node} (see node.conf), validated at start-up.
 *
 * @param ingest run the ingestion pipeline
 * @param features run the feature pipeline
 * @param orchestrator run the workflow orchestrator
 * @param joinTimeout start-up fails past it if the node is not Up
 * @param topicPrefix prefixes every topic, consumer group and transactional id
 * @param readMaxAge a stored vector at most this old answers a read directly
 */
public record NodeSettings(boolean ingest, boolean features, boolean orchestrator,
    Duration joinTimeout,
    String topicPrefix, Duration readMaxAge) {

  public static NodeSettings create(Config root) {
    try {
      Config config = root.getConfig("tessera.node");
      return new NodeSettings(config.getBoolean("ingest"), config.getBoolean("features"),
          config.getBoolean("orchestrator"),
          positive(config, "join-timeout"), topicPrefix(config.getString("topic-prefix")),
          positive(config, "read-max-age"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  private static String topicPrefix(String prefix) {
    if (!prefix.matches("[A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("Invalid configuration: tessera.node.topic-prefix = '"
          + prefix + "' may hold only letters, digits, '.', '_' and '-' (Kafka topic names)");
    }
    return prefix;
  }

  private static Duration positive(Config config, String key) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "Invalid configuration: tessera.node." + key + " = " + value + " must be positive");
    }
    return value;
  }
}
