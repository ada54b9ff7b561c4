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
 * @param bootstrap how the node finds its cluster
 */
public record NodeSettings(boolean ingest, boolean features, boolean orchestrator,
    Duration joinTimeout,
    String topicPrefix, Duration readMaxAge, Bootstrap bootstrap) {

  /** How a node finds its cluster ({@code tessera.node.bootstrap}). */
  public enum Bootstrap {
    /** {@code pekko.cluster.seed-nodes}, or a one-node cluster of itself when that is empty. */
    SEED_NODES,
    /**
     * Pekko Management's Cluster Bootstrap: contact points from the Kubernetes API (pods listed by
     * label), the cluster formed by the lowest address once enough of them agree.
     */
    KUBERNETES
  }

  public static NodeSettings create(Config root) {
    try {
      Config config = root.getConfig("tessera.node");
      return new NodeSettings(config.getBoolean("ingest"), config.getBoolean("features"),
          config.getBoolean("orchestrator"),
          positive(config, "join-timeout"), topicPrefix(config.getString("topic-prefix")),
          positive(config, "read-max-age"), bootstrap(config.getString("bootstrap")));
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

  private static Bootstrap bootstrap(String value) {
    return switch (value) {
      case "seed-nodes" -> Bootstrap.SEED_NODES;
      case "kubernetes" -> Bootstrap.KUBERNETES;
      default -> throw new IllegalArgumentException("Invalid configuration: "
          + "tessera.node.bootstrap = '" + value + "' must be seed-nodes or kubernetes");
    };
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
