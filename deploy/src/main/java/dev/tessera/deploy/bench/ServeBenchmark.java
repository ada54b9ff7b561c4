package dev.tessera.deploy.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.UserError;
import dev.tessera.deploy.node.TesseraNode;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.Ports;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.simulations.generator.MemberProfile;
import dev.tessera.simulations.generator.Title;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * {@code tessera bench serve}: the HTTP read path of a running node. Real Kafka and Cassandra, one
 * node whose member entities consume simulated events for {@code --members} members, then an
 * open-model load (requests on a fixed schedule, latency from the intended send time; in a JVM
 * of its own) of single reads and of batch reads of 100 members. Prints req/s and p50/p99/p99.9
 * of each, and the node's garbage collections during each run.
 *
 * <p>With the default {@code --read-max-age 1s}, reads of members whose vector is older than a
 * second (all of them once the traffic stops) are refreshed by the member's entity as of the read;
 * a longer max age measures the store-hit path alone.
 */
public final class ServeBenchmark {
  /** Unmeasured seconds at a run's own rate before it is measured (generator JIT, connections). */
  private static final double WARMUP_SECONDS = 3;

  private ServeBenchmark() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    int members = 100_000;
    int events = -1;
    int rate = 20_000;
    int batchRate = 200;
    int seconds = 30;
    int connections = 32;
    String maxAge = "1s";
    for (int i = 0; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) {
        throw new UserError("bench serve: " + args.get(i) + " needs a value", 2);
      }
      String value = args.get(i + 1);
      switch (args.get(i)) {
        case "--members" -> members = parse(args.get(i), value);
        case "--events" -> events = parse(args.get(i), value);
        case "--rate" -> rate = parse(args.get(i), value);
        case "--batch-rate" -> batchRate = parse(args.get(i), value);
        case "--duration" -> seconds = parse(args.get(i), value);
        case "--connections" -> connections = parse(args.get(i), value);
        case "--read-max-age" -> maxAge = value;
        default -> throw new UserError("bench serve: unknown option " + args.get(i)
            + " (options: --members N, --events N, --rate R, --batch-rate R, --duration S,"
            + " --connections N, --read-max-age D)", 2);
      }
    }
    if (events < 0) {
      events = members * 2;
    }
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
        "tessera-bench-");
    EmbeddedSettings servers = EmbeddedSettings.load().withDataDir(dir).withFreePorts();
    out.printf("bench serve: %d members (%d events), single reads at %d/s and batch reads of 100"
        + " at %d/s for %d s each over %d connections; read-max-age %s%n", members, events, rate,
        batchRate, seconds, connections, maxAge);
    try (LocalInfrastructure infrastructure = LocalInfrastructure.start(servers, true)) {
      Config config = ConfigFactory.empty()
          .withValue("tessera.node.ingest", ConfigValueFactory.fromAnyRef(false))
          .withValue("tessera.node.read-max-age", ConfigValueFactory.fromAnyRef(maxAge))
          .withValue("tessera.serving.port", ConfigValueFactory.fromAnyRef(0))
          .withValue("tessera.serving.samples.enabled", ConfigValueFactory.fromAnyRef(false))
          .withValue("pekko.management.http.port",
              ConfigValueFactory.fromAnyRef(Ports.freePort()))
          .withFallback(NodeConfig.forLocal(infrastructure, "tessera_bench", 0));
      TesseraNode node = TesseraNode.start(config);
      try {
        SimulationConfig simulated =
            SimulationConfig.builder(42).members(members).malformedFraction(0).build();
        List<String> ids = Simulation.create(simulated).reference().members().stream()
            .map(MemberProfile::memberId).toList();
        // Sessions start at random times, so the simulated stream reaches only some members:
        // one play each first puts every member in the store.
        long filled = seedEveryMember(infrastructure.kafka().bootstrapServers(),
            node.settings().ingest(), Simulation.create(simulated), ids);
        filled += PipelineBenchmark.fill(infrastructure.kafka().bootstrapServers(),
            node.settings().ingest(), simulated, events, out);
        long started = System.nanoTime();
        while (node.featureMetrics().records() < filled) {
          Thread.sleep(50);
        }
        out.printf("  the node applied them in %.1f s; %d members in the online store%n",
            (System.nanoTime() - started) / 1e9, node.store().size());
        URI base = URI.create(node.httpUrl());
        String group = "?groups=member_engagement";
        SplittableRandom random = new SplittableRandom(7);
        List<HttpLoad.Request> singles = new ArrayList<>();
        for (int i = 0; i < 65_536; i++) {
          singles.add(new HttpLoad.Request("/v1/members/" + ids.get(random.nextInt(ids.size()))
              + "/features" + group, null));
        }
        List<HttpLoad.Request> batches = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
          StringBuilder body = new StringBuilder("{\"memberIds\":[");
          for (int m = 0; m < 100; m++) {
            body.append(m == 0 ? "\"" : ",\"").append(ids.get(random.nextInt(ids.size())))
                .append('"');
          }
          body.append("],\"groups\":[\"member_engagement\"]}");
          batches.add(new HttpLoad.Request("/v1/features/batch-get",
              body.toString().getBytes(StandardCharsets.UTF_8)));
        }
        // Warm-up: JIT, connection pools, member entities started.
        HttpLoad.inChildJvm(base.getHost(), base.getPort(), connections, Math.min(rate, 5_000),
            0, 10, singles, () -> { });
        NodeCost.Idle idle = NodeCost.idle(5_000);
        out.printf("  %s%n", idle.summary());
        print("single reads", measured(base, connections, rate, seconds, singles), idle, out);
        print("batch reads of 100", measured(base,
            Math.min(connections, Math.max(1, batchRate / 10)), batchRate, seconds, batches),
            idle, out);
      } finally {
        node.stop(Duration.ofSeconds(60));
      }
    }
    return 0;
  }

  private static long seedEveryMember(String bootstrap, IngestSettings topics,
      Simulation simulation, List<String> ids) {
    TitleCatalogue catalogue = simulation.reference().titleCatalogue();
    List<Title> titles = simulation.reference().titles();
    long at = System.currentTimeMillis() - 120_000;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < ids.size(); i++) {
        Event play = Event.ofTitle("seed-" + i, ids.get(i), EventType.PLAY, at,
            titles.get(i % titles.size()).titleId());
        EnrichedEvent event = EnrichedEvent.enrich(play, catalogue);
        producer.send(new ProducerRecord<>(topics.domainTopic(event.stream()),
            event.memberId().getBytes(StandardCharsets.UTF_8),
            EnrichedEventJson.encode(event, System.currentTimeMillis(), null, null)));
      }
    }
    return ids.size();
  }

  /** A load run with the node's GC pauses and cost over its measured part. */
  private record Measured(HttpLoad.Result result, GcPauses pauses, NodeCost cost) {}

  /**
   * A load run in its own generator JVM, which warms itself and its connections up for {@link
   * #WARMUP_SECONDS} at the run's rate; the node's GC pauses and cost count from the measured
   * part only.
   */
  private static Measured measured(URI base, int connections, int rate, double seconds,
      List<HttpLoad.Request> requests) throws IOException, InterruptedException {
    GcPauses[] pauses = new GcPauses[1];
    NodeCost[] cost = new NodeCost[1];
    HttpLoad.Result result;
    try {
      result = HttpLoad.inChildJvm(base.getHost(), base.getPort(), connections, rate,
          WARMUP_SECONDS, seconds, requests, () -> {
            pauses[0] = new GcPauses();
            cost[0] = NodeCost.start();
          });
    } finally {
      if (pauses[0] != null) {
        pauses[0].close();
      }
    }
    if (cost[0] == null) {
      throw new IOException("the load generator never started its measured run");
    }
    return new Measured(result, pauses[0], cost[0]);
  }

  private static void print(String what, Measured run, NodeCost.Idle idle, PrintStream out) {
    HttpLoad.Result result = run.result();
    GcPauses pauses = run.pauses();
    NodeCost cost = run.cost();
    Histogram latency = result.latencyMicros();
    out.printf("  %-18s %,8.0f req/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.1f ms"
            + "  errors %d  statuses %s%n", what, result.perSecond(),
        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
        latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0,
        result.errors(), result.statuses());
    out.printf("  %-18s %s%n", "", result.timeline(2_000, 5));
    out.printf("  %-18s node GC during the run (%s)%n", "", pauses.summary());
    out.printf("  %-18s %s%n", "", cost.perUnit(Math.max(1, result.requests()), "request",
        idle));
  }

  private static int parse(String flag, String value) {
    return BenchOptions.wholeNumber("bench serve", flag, value, 1, 20_000_000);
  }
}
