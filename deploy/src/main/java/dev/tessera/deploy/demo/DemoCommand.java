package dev.tessera.deploy.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.UserError;
import dev.tessera.deploy.node.TesseraNode;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.Ports;
import dev.tessera.embedded.ServersLast;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code tessera demo}: the main job on embedded defaults. Starts (or reuses) the real Kafka broker
 * and Cassandra node, one engine node (ingestion, member entities, online store, HTTP API,
 * management) and the simulator at a gentle rate; prints the URLs and ready-to-paste {@code curl}
 * commands and a one-line status every few seconds; stops everything it started on Ctrl-C. Data
 * lives under one directory, reused across runs ({@code --fresh} wipes it first).
 */
public final class DemoCommand {
  static final String USAGE = "usage: tessera demo [--rate EVENTS_PER_S] [--members N]"
      + " [--duration SECONDS] [--fresh] [--seed S]";

  private DemoCommand() {}

  record Options(int rate, int members, long durationSeconds, boolean fresh, long seed) {}

  static Options parse(List<String> args) {
    int rate = 200;
    int members = 500;
    long duration = 0;
    boolean fresh = false;
    // A new seed each run unless given: event ids carry the seed, and the kernel drops an id it
    // has seen, so a rerun with the same seed would be counted as duplicates.
    long seed = new java.util.Random().nextInt(Integer.MAX_VALUE);
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (flag.equals("--fresh")) {
        fresh = true;
        continue;
      }
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new UserError(USAGE, 0);
      }
      if (i + 1 >= args.size()) {
        throw new UserError("demo: " + flag + " needs a value (" + USAGE + ")", 2);
      }
      String value = args.get(++i);
      switch (flag) {
        case "--rate" -> rate = (int) positive(flag, value, 50_000);
        case "--members" -> members = (int) positive(flag, value, 1_000_000);
        case "--duration" -> duration = positive(flag, value, 7L * 24 * 3600);
        case "--seed" -> seed = positive(flag, value, Integer.MAX_VALUE);
        default -> throw new UserError("demo: unknown option " + flag + " (" + USAGE + ")", 2);
      }
    }
    return new Options(rate, members, duration, fresh, seed);
  }

  public static int run(List<String> args, PrintStream out) throws Exception {
    Options options = parse(args);
    EmbeddedSettings embedded = EmbeddedSettings.load();
    out.println("Tessera demo (Ctrl-C stops everything it started)");
    Optional<LocalInfrastructure> running = LocalInfrastructure.find(embedded);
    if (options.fresh()) {
      if (running.isPresent()) {
        throw new UserError("demo: --fresh would wipe the data of the servers that "
            + "'tessera infra start' runs; stop them first (./tessera infra stop)", 2);
      }
      wipe(embedded.dataDir());
      out.println("  wiped " + embedded.dataDir());
    }
    LocalInfrastructure infrastructure;
    if (running.isPresent()) {
      infrastructure = running.get();
      out.println("[1/3] using the servers of 'tessera infra start' (data in "
          + embedded.dataDir() + ")");
    } else {
      out.println("[1/3] starting Kafka 4.4.0 and Cassandra 5.0.9 (data in "
          + embedded.dataDir() + ", kept for the next run; --fresh wipes it)");
      infrastructure = LocalInfrastructure.start(embedded, true);
      out.printf("  both serve after %.1f s: kafka %s (pid %d), cassandra %s:%d (pid %d)%n",
          infrastructure.startupTime().toMillis() / 1000.0,
          infrastructure.kafka().bootstrapServers(), infrastructure.kafka().pid(),
          infrastructure.cassandra().host(), infrastructure.cassandra().port(),
          infrastructure.cassandra().pid());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Stopper stopper = new Stopper(infrastructure, running.isEmpty(), out, stopped);
    // On Ctrl-C the servers' own shutdown hooks wait until the node has checkpointed to them.
    ServersLast.stopAfter(stopper.done);
    Thread hook = new Thread(stopper::stop, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      out.println("[2/3] starting one engine node: ingestion, member entities, online store, HTTP");
      TesseraNode node = TesseraNode.start(nodeConfig(infrastructure, embedded.dataDir()));
      stopper.node = node;
      out.println("[3/3] simulated traffic: " + options.members() + " members, "
          + options.rate() + " events/s (seed " + options.seed() + ")");
      LiveTraffic traffic = LiveTraffic.start(infrastructure.kafka().bootstrapServers(),
          node.settings().ingest(), options.seed(), options.members(), options.rate());
      stopper.traffic = traffic;
      printWelcome(node, traffic, out);
      LiveStatus status = new LiveStatus(node, infrastructure.kafka().bootstrapServers(), out);
      stopper.status = status;
      long deadline = options.durationSeconds() == 0 ? Long.MAX_VALUE
          : System.nanoTime() + TimeUnit.SECONDS.toNanos(options.durationSeconds());
      while (!stopper.stopping() && System.nanoTime() < deadline) {
        if (stopped.await(5, TimeUnit.SECONDS)) {
          break;
        }
        status.print();
      }
    } finally {
      if (!stopper.stopping()) {
        Runtime.getRuntime().removeShutdownHook(hook);
        stopper.stop();
      }
    }
    return 0;
  }

  /**
   * The demo node's configuration. The orchestrator's step directories and the batch event archive
   * live with the servers' data: they describe that Kafka and that journal, and {@code --fresh}
   * must wipe them together (an archive kept across a wipe would take the new topics' offsets
   * for records it already holds).
   */
  private static Config nodeConfig(LocalInfrastructure infrastructure, Path dataDir) {
    Path absolute = dataDir.toAbsolutePath();
    Config base = ConfigFactory.empty()
        .withValue("tessera.orchestrator.steps.work-dir",
            ConfigValueFactory.fromAnyRef(absolute.resolve("orchestrator").toString()))
        .withValue("tessera.orchestrator.steps.archive-path",
            ConfigValueFactory.fromAnyRef(absolute.resolve("batch-archive").toString()))
        .withFallback(NodeConfig.forLocal(infrastructure, "tessera_demo", 0));
    int httpPort = base.getInt("tessera.serving.port");
    int managementPort = base.getInt("pekko.management.http.port");
    return ConfigFactory.empty()
        .withValue("tessera.serving.port", ConfigValueFactory.fromAnyRef(
            Ports.isListening("127.0.0.1", httpPort) ? Ports.freePort() : httpPort))
        .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(
            Ports.isListening("127.0.0.1", managementPort) ? Ports.freePort() : managementPort))
        .withFallback(base);
  }

  private static void printWelcome(TesseraNode node, LiveTraffic traffic, PrintStream out)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (traffic.sampleMember() == null && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    String member = Optional.ofNullable(traffic.sampleMember()).orElse("m-000001");
    String url = node.httpUrl();
    String management = "http://127.0.0.1:"
        + node.system().settings().config().getInt("pekko.management.http.port");
    out.println();
    out.println("Tessera is serving features at " + url + " (API: " + url
        + "/v1/openapi.yaml, metrics: " + url + "/metrics, readiness: " + management + "/ready)");
    out.println("Try:");
    out.println("  curl -s '" + url + "/v1/members/" + member + "/features?groups=member_engagement'");
    out.println("  curl -s -X POST " + url + "/v1/features/batch-get -H 'Content-Type: application/json'"
        + " -d '{\"memberIds\":[\"" + member + "\",\"nobody\",\"bad id\"]}'");
    out.println("  curl -s " + url + "/v1/feature-groups/member_engagement/1");
    out.println();
  }

  private static void wipe(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static long positive(String flag, String value, long max) {
    try {
      long n = Long.parseLong(value);
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UserError("demo: " + flag + " must be a whole number from 1 to " + max
        + ", not '" + value + "'", 2);
  }

  /** Stops what the demo started, once, from Ctrl-C or the end of the run. */
  private static final class Stopper {
    private final LocalInfrastructure infrastructure;
    private final boolean ownsInfrastructure;
    private final PrintStream out;
    private final CountDownLatch stopped;
    volatile TesseraNode node;
    volatile LiveTraffic traffic;
    volatile LiveStatus status;
    private boolean stopping;
    final java.util.concurrent.CompletableFuture<Void> done =
        new java.util.concurrent.CompletableFuture<>();

    Stopper(LocalInfrastructure infrastructure, boolean ownsInfrastructure, PrintStream out,
        CountDownLatch stopped) {
      this.infrastructure = infrastructure;
      this.ownsInfrastructure = ownsInfrastructure;
      this.out = out;
      this.stopped = stopped;
    }

    synchronized boolean stopping() {
      return stopping;
    }

    void stop() {
      synchronized (this) {
        if (stopping) {
          return;
        }
        stopping = true;
      }
      stopped.countDown();
      out.println();
      out.println("Stopping: traffic, then the node (checkpoint, leave), then the servers ...");
      if (traffic != null) {
        traffic.close();
      }
      if (status != null) {
        status.close();
      }
      if (node != null) {
        try {
          node.stop(Duration.ofSeconds(60));
          out.println("  node stopped (members checkpointed to Cassandra, offsets committed)");
        } catch (Exception e) {
          out.println("  node did not stop cleanly: " + e);
        }
      }
      done.complete(null);
      if (ownsInfrastructure) {
        infrastructure.close();
        out.println("  Kafka and Cassandra stopped (data kept in "
            + infrastructure.settings().dataDir() + ")");
      }
      out.flush();
    }
  }
}
