package dev.tessera.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the embedded servers, read once from {@code tessera.embedded} (see this module's
 * {@code reference.conf}) and validated: a wrong value fails here with its key's name.
 *
 * @param dataDir every server's data, logs and PID files live below this directory
 * @param host loopback address the servers bind to
 */
public record EmbeddedSettings(
    Path dataDir, String host, KafkaSettings kafka, CassandraSettings cassandra) {

  /**
   * @param port the broker's PLAINTEXT listener
   * @param controllerPort the KRaft controller listener
   * @param heap the broker JVM's -Xmx, e.g. "512m"
   * @param startupTimeout how long to wait for the broker to answer a metadata request
   */
  public record KafkaSettings(int port, int controllerPort, String heap, Duration startupTimeout) {
    public KafkaSettings {
      Objects.requireNonNull(heap, "heap");
      Objects.requireNonNull(startupTimeout, "startupTimeout");
    }

    public KafkaSettings withPorts(int newPort, int newControllerPort) {
      return new KafkaSettings(newPort, newControllerPort, heap, startupTimeout);
    }
  }

  /**
   * @param port the CQL native transport port
   * @param storagePort the inter-node storage port (bound even on a single node)
   * @param heap the node JVM's -Xms and -Xmx, e.g. "512m"
   * @param startupTimeout how long to wait for the node to answer a CQL query
   * @param javaHome a JDK 17 home for Cassandra 5.0, or empty to look for one
   */
  public record CassandraSettings(
      int port, int storagePort, String heap, Duration startupTimeout, String javaHome) {
    public CassandraSettings {
      Objects.requireNonNull(heap, "heap");
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      Objects.requireNonNull(javaHome, "javaHome");
    }

    public CassandraSettings withPorts(int newPort, int newStoragePort) {
      return new CassandraSettings(newPort, newStoragePort, heap, startupTimeout, javaHome);
    }
  }

  public EmbeddedSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(cassandra, "cassandra");
  }

  /** The defaults of {@code reference.conf} with environment overrides applied. */
  public static EmbeddedSettings load() {
    return create(ConfigFactory.load());
  }

  /** Reads and validates {@code tessera.embedded} from a full configuration. */
  public static EmbeddedSettings create(Config root) {
    String prefix = "tessera.embedded.";
    Config config = root.getConfig("tessera.embedded");
    try {
      String host = config.getString("host");
      requireLoopback(host, prefix + "host");
      KafkaSettings kafka =
          new KafkaSettings(
              port(config, "kafka.port", prefix),
              port(config, "kafka.controller-port", prefix),
              heap(config, "kafka.heap", prefix),
              positive(config, "kafka.startup-timeout", prefix));
      CassandraSettings cassandra =
          new CassandraSettings(
              port(config, "cassandra.port", prefix),
              port(config, "cassandra.storage-port", prefix),
              heap(config, "cassandra.heap", prefix),
              positive(config, "cassandra.startup-timeout", prefix),
              config.getString("cassandra.java-home"));
      return new EmbeddedSettings(
          Path.of(config.getString("data-dir")).toAbsolutePath().normalize(), host, kafka, cassandra);
    } catch (ConfigException e) {
      throw new InfrastructureException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  public EmbeddedSettings withDataDir(Path newDataDir) {
    return new EmbeddedSettings(newDataDir.toAbsolutePath().normalize(), host, kafka, cassandra);
  }

  /** The same settings on ports that are free now: what tests use so runs never collide. */
  public EmbeddedSettings withFreePorts() {
    return new EmbeddedSettings(
        dataDir,
        host,
        kafka.withPorts(Ports.freePort(), Ports.freePort()),
        cassandra.withPorts(Ports.freePort(), Ports.freePort()));
  }

  public Path kafkaDir() {
    return dataDir.resolve("kafka");
  }

  public Path cassandraDir() {
    return dataDir.resolve("cassandra");
  }

  public String kafkaBootstrapServers() {
    return host + ":" + kafka.port();
  }

  private static int port(Config config, String key, String prefix) {
    int port = config.getInt(key);
    if (port < 1 || port > 65535) {
      throw new InfrastructureException(
          "Invalid configuration: " + prefix + key + " = " + port + " is not a port (1-65535)");
    }
    return port;
  }

  private static String heap(Config config, String key, String prefix) {
    String heap = config.getString(key);
    if (!heap.matches("[1-9][0-9]*[mMgG]")) {
      throw new InfrastructureException(
          "Invalid configuration: " + prefix + key + " = '" + heap
              + "' is not a heap size such as 512m or 1g");
    }
    return heap;
  }

  private static Duration positive(Config config, String key, String prefix) {
    Duration duration = config.getDuration(key);
    if (duration.isNegative() || duration.isZero()) {
      throw new InfrastructureException(
          "Invalid configuration: " + prefix + key + " = " + duration + " must be positive");
    }
    return duration;
  }

  private static void requireLoopback(String host, String key) {
    try {
      if (!InetAddress.getByName(host).isLoopbackAddress()) {
        throw new InfrastructureException(
            "Invalid configuration: " + key + " = " + host
                + " is not a loopback address; embedded servers bind to loopback only");
      }
    } catch (UnknownHostException e) {
      throw new InfrastructureException(
          "Invalid configuration: " + key + " = " + host + " does not resolve", e);
    }
  }
}
