package dev.tessera.deploy.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local multi-node Tessera cluster: each node its own JVM ({@code tessera node --config
 * node-i.conf}) on its own loopback ports, all on one Kafka and one Cassandra, seeded by the nodes
 * already running. Nodes are tracked by PID files in the cluster's directory, so later commands
 * find them again; a PID is only trusted when its command line carries this node's marker.
 *
 * <p>Attached clusters (tests) run every node under the guard that stops it when the JVM that
 * started it dies, even by {@code kill -9}; detached ones ({@code tessera cluster up}) outlive the
 * command and are stopped by PID ({@code tessera cluster scale|down}). Nodes stop gracefully on
 * SIGTERM (CoordinatedShutdown: stop consuming, checkpoint, hand shards over, leave).
 */
public final class LocalCluster {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  private static final String MARKER = "-Dtessera.cluster.node=";

  /** Where a node listens. */
  public record NodePorts(int remote, int http, int management) {}

  /** A running node. */
  public record Node(int index, ProcessHandle process, NodePorts ports) {
    public String address() {
      return "pekko://tessera@127.0.0.1:" + ports.remote();
    }

    public String httpUrl() {
      return "http://127.0.0.1:" + ports.http();
    }

    public String managementUrl() {
      return "http://127.0.0.1:" + ports.management();
    }
  }

  /**
   * How the cluster's nodes are configured.
   *
   * @param attached whether nodes die with this JVM (tests) or outlive it (the launcher)
   * @param freePorts free ports per node (tests) or fixed ones: 25520+i, 8080+i, 8558+i
   * @param extraConfig HOCON laid over every node's configuration
   */
  public record Options(boolean attached, boolean freePorts, String keyspacePrefix,
      String topicPrefix, String heap, String extraConfig) {}

  private final Path dir;
  private final LocalInfrastructure infrastructure;
  private final Options options;
  private final Map<Integer, Node> nodes = new TreeMap<>();
  private final Map<Integer, Process> attached = new TreeMap<>();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private LocalCluster(Path dir, LocalInfrastructure infrastructure, Options options) {
    this.dir = dir;
    this.infrastructure = infrastructure;
    this.options = options;
  }

  /** The cluster in {@code dir}, with the nodes of earlier commands that still run. */
  public static LocalCluster open(Path dir, LocalInfrastructure infrastructure, Options options) {
    LocalCluster cluster = new LocalCluster(dir, infrastructure, options);
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path pidFile : files.filter(p -> p.getFileName().toString().matches("node-\\d+\\.pid"))
            .toList()) {
          cluster.find(pidFile).ifPresent(node -> cluster.nodes.put(node.index(), node));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return cluster;
  }

  /** The running nodes by index, in index order. */
  public Map<Integer, Node> nodes() {
    return java.util.Collections.unmodifiableMap(new TreeMap<>(nodes));
  }

  public Path directory() {
    return dir;
  }

  /** Starts nodes or stops the newest ones until {@code count} run; waits for each to be ready. */
  public void scaleTo(int count, Duration timeout) {
    while (nodes.size() < count) {
      int index = 0;
      while (nodes.containsKey(index)) {
        index++;
      }
      start(index, timeout);
    }
    while (nodes.size() > count) {
      stop(((TreeMap<Integer, Node>) nodes).lastKey(), timeout);
    }
  }

  /** Starts node {@code index} and waits until it is ready (Up, consuming, serving). */
  public Node start(int index, Duration timeout) {
    if (nodes.containsKey(index)) {
      throw new IllegalStateException("node " + index + " already runs");
    }
    NodePorts ports = options.freePorts()
        ? new NodePorts(Ports.freePort(), Ports.freePort(), Ports.freePort())
        : new NodePorts(25520 + index, 8080 + index, 8558 + index);
    List<String> seeds = new ArrayList<>();
    nodes.values().forEach(node -> seeds.add(node.address()));
    if (seeds.isEmpty()) {
      seeds.add("pekko://tessera@127.0.0.1:" + ports.remote());
    }
    Path nodeDir = dir.resolve("node-" + index);
    Path config = dir.resolve("node-" + index + ".conf");
    try {
      Files.createDirectories(nodeDir);
      Files.writeString(config, nodeConfig(ports, seeds));
      List<String> command = new ArrayList<>();
      if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
        command.add("/usr/bin/setsid"); // a Ctrl-C in the launcher's terminal never reaches it
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx" + options.heap());
      command.add("-XX:+UseG1GC");
      command.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=4");
      command.add("-Dtessera.log-dir=" + nodeDir.toAbsolutePath());
      command.add(MARKER + nodeDir.toAbsolutePath());
      command.add("-Dtessera.guard.watch-stdin=" + options.attached());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("dev.tessera.embedded.guard.GuardedMain");
      command.add("dev.tessera.deploy.TesseraCli");
      command.add("node");
      command.add("--config");
      command.add(config.toAbsolutePath().toString());
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(
              nodeDir.resolve("console.log").toFile()));
      if (!options.attached()) {
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      Process process = builder.start();
      Files.writeString(dir.resolve("node-" + index + ".pid"), process.pid() + "\n");
      Node node = new Node(index, process.toHandle(), ports);
      nodes.put(index, node);
      if (options.attached()) {
        attached.put(index, process);
      }
      log.info("Started node {} (pid {}): {} {}", index, process.pid(), node.address(),
          node.httpUrl());
      awaitReady(node, timeout);
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String nodeConfig(NodePorts ports, List<String> seeds) {
    String contactPoint = infrastructure.cassandra().host() + ":"
        + infrastructure.cassandra().port();
    String k = options.keyspacePrefix();
    return """
        # Written by LocalCluster for one node of a local cluster.
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.seed-nodes = [%s]
        tessera.serving.port = %d
        pekko.management.http.port = %d
        tessera.kafka.bootstrap-servers = "%s"
        tessera.orchestrator.kafka.bootstrap-servers = "%s"
        tessera.cassandra.contact-point = "%s"
        datastax-java-driver.basic.contact-points = ["%s"]
        pekko.persistence.cassandra.journal.keyspace = %s_journal
        pekko.persistence.cassandra.snapshot.keyspace = %s_snapshot
        tessera.features.state.keyspace = %s_features
        tessera.orchestrator.registry.keyspace = %s_registry
        tessera.node.topic-prefix = "%s"
        tessera.orchestrator.steps.work-dir = "%s"
        %s
        """.formatted(ports.remote(),
        String.join(", ", seeds.stream().map(s -> "\"" + s + "\"").toList()), ports.http(),
        ports.management(), infrastructure.kafka().bootstrapServers(),
        infrastructure.kafka().bootstrapServers(), contactPoint, contactPoint, k, k, k, k,
        options.topicPrefix(), dir.resolve("workflows").toAbsolutePath(),
        options.extraConfig());
  }

  /** Waits until the node answers {@code /ready} with 200, or fails if it dies or times out. */
  public void awaitReady(Node node, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!node.process().isAlive()) {
        throw new IllegalStateException("node " + node.index() + " exited during start-up; see "
            + dir.resolve("node-" + node.index()).resolve("console.log"));
      }
      if (status(node.managementUrl() + "/ready") == 200) {
        return;
      }
      sleep(250);
    }
    throw new IllegalStateException("node " + node.index() + " not ready within "
        + timeout.toSeconds() + " s; see " + dir.resolve("node-" + node.index()));
  }

  /** Stops a node gracefully (SIGTERM: checkpoint, hand-off, leave); SIGKILL after the timeout. */
  public void stop(int index, Duration timeout) {
    Node node = nodes.remove(index);
    if (node == null) {
      return;
    }
    node.process().destroy();
    try {
      node.process().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("Node {} did not stop within {} s: killing it", index, timeout.toSeconds());
      node.process().destroyForcibly();
      node.process().onExit().join();
    }
    forget(index);
  }

  /** Kills a node with SIGKILL: no checkpoint, no hand-off, no leave. */
  public void kill(int index) {
    Node node = nodes.remove(index);
    if (node == null) {
      return;
    }
    node.process().destroyForcibly();
    node.process().onExit().join();
    forget(index);
  }

  /** Stops every node gracefully, newest first. */
  public void stopAll(Duration timeout) {
    for (Integer index : new ArrayList<>(((TreeMap<Integer, Node>) nodes).descendingKeySet())) {
      stop(index, timeout);
    }
  }

  private void forget(int index) {
    attached.remove(index);
    try {
      Files.deleteIfExists(dir.resolve("node-" + index + ".pid"));
    } catch (IOException e) {
      // a stale PID file is ignored by find (the marker check)
    }
  }

  private Optional<Node> find(Path pidFile) throws IOException {
    String name = pidFile.getFileName().toString();
    int index = Integer.parseInt(name.substring(5, name.length() - 4));
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String marker = MARKER + dir.resolve("node-" + index).toAbsolutePath();
    Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false)
            || h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false));
    if (handle.isEmpty()) {
      return Optional.empty();
    }
    Config config = ConfigFactory.parseFile(dir.resolve("node-" + index + ".conf").toFile());
    return Optional.of(new Node(index, handle.get(), new NodePorts(
        config.getInt("pekko.remote.artery.canonical.port"),
        config.getInt("tessera.serving.port"), config.getInt("pekko.management.http.port"))));
  }

  /** The HTTP status of a GET, or -1 when nothing answers. */
  int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
