package dev.tessera.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, its own controller) in a JVM of its own, on loopback.
 *
 * <p>Storage is formatted on first start only, so a restart on the same directory keeps every
 * topic and committed offset. The broker is ready when it answers a metadata request.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  static final String NAME = "kafka";
  private static final String CLASSPATH_RESOURCE = "/dev/tessera/embedded/kafka-server.classpath";

  private final EmbeddedSettings settings;
  private final ServerProcess process;

  private EmbeddedKafka(EmbeddedSettings settings, ServerProcess process) {
    this.settings = settings;
    this.process = process;
  }

  /**
   * Starts the broker and waits until it serves.
   *
   * @param attached true: the broker dies with this JVM; false: it outlives it (stop by PID)
   */
  public static EmbeddedKafka start(EmbeddedSettings settings, boolean attached) {
    Path dir = settings.kafkaDir();
    EmbeddedFiles.requireWritableDirectory(dir, "tessera.embedded.data-dir");
    if (ServerProcess.find(NAME, dir).isPresent()) {
      throw new InfrastructureException(
          "A Kafka broker started by Tessera already runs on " + dir
              + ": stop it (./tessera infra stop) or set tessera.embedded.data-dir to another directory");
    }
    Ports.requireFree(settings.host(), settings.kafka().port(), "Kafka", "tessera.embedded.kafka.port");
    Ports.requireFree(settings.host(), settings.kafka().controllerPort(), "Kafka controller",
        "tessera.embedded.kafka.controller-port");

    String classpath = ServerClasspath.read(CLASSPATH_RESOURCE, "Kafka broker");
    Path properties = writeServerProperties(settings);
    Path log4j = EmbeddedFiles.writeResource("kafka-log4j2.xml", dir.resolve("conf/log4j2.xml"));
    List<String> jvm = List.of(
        "-Xms" + "128m",
        "-Xmx" + settings.kafka().heap(),
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        "-Djava.io.tmpdir=" + EmbeddedFiles.createDirectories(dir.resolve("tmp")),
        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
        "-Dkafka.logs.dir=" + dir.resolve("logs"),
        "-Dlog4j2.configurationFile=" + log4j.toUri());

    Path logDir = dir.resolve("data");
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(settings, classpath, jvm, properties);
    }
    long started = System.nanoTime();
    ServerProcess process = ServerProcess.start(
        NAME, JavaHomes.currentJava(), jvm, classpath, "kafka.Kafka",
        List.of(properties.toString()), dir, attached);
    EmbeddedKafka kafka = new EmbeddedKafka(settings, process);
    try {
      kafka.awaitServing(settings.kafka().startupTimeout());
    } catch (RuntimeException e) {
      process.stop(Duration.ofSeconds(10));
      throw e;
    }
    log.info("Kafka broker serves on {} (pid {}) after {} ms", settings.kafkaBootstrapServers(),
        process.pid(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return kafka;
  }

  /** The broker started earlier on this data directory, if it still runs. */
  public static Optional<EmbeddedKafka> find(EmbeddedSettings settings) {
    return ServerProcess.find(NAME, settings.kafkaDir()).map(p -> new EmbeddedKafka(settings, p));
  }

  public String bootstrapServers() {
    return settings.kafkaBootstrapServers();
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return settings.kafkaDir().resolve("logs").resolve("server.log");
  }

  /** Client properties that reach this broker. */
  public Map<String, Object> clientProperties() {
    return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
  }

  /** True when the broker answers a metadata request within a second. */
  public boolean isServing() {
    try (Admin admin = Admin.create(adminProperties(1000))) {
      return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  /** Stops the broker cleanly (SIGTERM; SIGKILL after 30 s). */
  @Override
  public void close() {
    process.stop(Duration.ofSeconds(30));
  }

  /** Kills the broker at once, as a crash would. */
  public void kill() {
    process.kill();
  }

  private void awaitServing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new InfrastructureException(
            "The Kafka broker exited while starting; see " + process.consoleLog() + " and "
                + logFile() + ". Last lines:" + System.lineSeparator() + process.consoleTail(15));
      }
      if (Ports.isListening(settings.host(), settings.kafka().port()) && isServing()) {
        return;
      }
      sleep(200);
    }
    throw new InfrastructureException(
        "The Kafka broker did not serve within " + timeout.toSeconds() + " s (tessera.embedded.kafka"
            + ".startup-timeout); see " + logFile());
  }

  private Properties adminProperties(int timeoutMillis) {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis * 2);
    properties.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 500L);
    properties.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 1000L);
    return properties;
  }

  private static Path writeServerProperties(EmbeddedSettings settings) {
    Path dir = settings.kafkaDir();
    String host = settings.host();
    int port = settings.kafka().port();
    int controller = settings.kafka().controllerPort();
    String text = String.join(System.lineSeparator(),
        "# Written by Tessera at every start from tessera.embedded.*; edits are overwritten.",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@" + host + ":" + controller,
        "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controller,
        "advertised.listeners=PLAINTEXT://" + host + ":" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=1",
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=10",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=4",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "min.insync.replicas=1",
        "default.replication.factor=1",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.hours=168",
        "log.segment.bytes=67108864",
        "num.network.threads=2",
        "num.io.threads=4",
        "");
    return EmbeddedFiles.write(dir.resolve("conf/server.properties"), text);
  }

  private static void format(
      EmbeddedSettings settings, String classpath, List<String> jvm, Path properties) {
    Path dir = settings.kafkaDir();
    Path formatLog = dir.resolve("logs").resolve("format.log");
    List<String> command = new java.util.ArrayList<>();
    command.add(JavaHomes.currentJava().toString());
    command.addAll(jvm);
    command.addAll(List.of("-cp", classpath, "kafka.tools.StorageTool", "format",
        "-t", randomClusterId(), "-c", properties.toString()));
    try {
      Files.createDirectories(formatLog.getParent());
      Process format = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(formatLog.toFile())
          .start();
      format.getOutputStream().close();
      if (!format.waitFor(60, TimeUnit.SECONDS)) {
        format.destroyForcibly();
        throw new InfrastructureException("Formatting Kafka storage took over 60 s; see " + formatLog);
      }
      if (format.exitValue() != 0) {
        throw new InfrastructureException(
            "Formatting Kafka storage in " + dir.resolve("data") + " failed (exit "
                + format.exitValue() + "): " + Files.readString(formatLog).trim());
      }
    } catch (IOException e) {
      throw new InfrastructureException("Cannot format Kafka storage: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfrastructureException("Interrupted while formatting Kafka storage", e);
    }
  }

  /** A Kafka cluster id: a random UUID in URL-safe base64 without padding, not starting with '-'. */
  static String randomClusterId() {
    while (true) {
      UUID uuid = UUID.randomUUID();
      ByteBuffer bytes = ByteBuffer.allocate(16);
      bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfrastructureException("Interrupted while waiting for a server", e);
    }
  }
}
