package dev.tessera.deploy.bench;

import com.typesafe.config.Config;
import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.UserError;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.sharding.member.FeatureMetrics;
import dev.tessera.sharding.member.FeaturePipeline;
import dev.tessera.sharding.member.FeatureSettings;
import dev.tessera.sharding.member.MemberStateStore;
import dev.tessera.sharding.member.OnlineStoreSink;
import dev.tessera.sharding.store.OnlineStore;
import dev.tessera.sharding.store.SnapshotTable;
import dev.tessera.sharding.store.StoreSettings;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * {@code tessera bench pipeline}: the feature stage alone on real servers. The domain topics are
 * filled first with simulated enriched events; then one node consumes them into the member
 * entities with checkpoints to Cassandra on and snapshots published to the online store. Prints
 * events/s, freshness, checkpoints, CPU per event and heap per active member.
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    int events = 1_000_000;
    int members = 100_000;
    int steadyFrom = 10;
    int steadyTo = 90;
    for (int i = 0; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) {
        throw new UserError("bench pipeline: " + args.get(i) + " needs a value", 2);
      }
      String flag = args.get(i);
      String value = args.get(i + 1);
      switch (flag) {
        case "--events" -> events = parse(flag, value);
        case "--members" -> members = parse(flag, value);
        case "--steady-from" -> steadyFrom =
            BenchOptions.wholeNumber("bench pipeline", flag, value, 0, 99);
        case "--steady-to" -> steadyTo =
            BenchOptions.wholeNumber("bench pipeline", flag, value, 1, 100);
        default -> throw new UserError("bench pipeline: unknown option " + flag
            + " (options: --events N, --members N, --steady-from PERCENT, --steady-to PERCENT)",
            2);
      }
    }
    if (steadyFrom >= steadyTo) {
      throw new UserError("bench pipeline: --steady-from (" + steadyFrom
          + ") must be below --steady-to (" + steadyTo + ")", 2);
    }
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
        "tessera-bench-");
    EmbeddedSettings servers = EmbeddedSettings.load().withDataDir(dir).withFreePorts();
    out.printf("bench pipeline: %d events, %d members; Kafka and Cassandra on this machine%n",
        events, members);
    try (LocalInfrastructure infrastructure = LocalInfrastructure.start(servers, true)) {
      Config config = NodeConfig.forLocal(infrastructure, "tessera_bench", 0);
      IngestSettings topics = IngestSettings.create(config);
      FeatureSettings settings = FeatureSettings.create(config);
      List<FeatureGroup> groups = FeatureRegistry.fromConfig(config).all();
      String bootstrap = infrastructure.kafka().bootstrapServers();
      TopicSetup.ensure(bootstrap, topics);
      long filled = fill(bootstrap, topics, members, events, out);

      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tessera", config);
      try {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        while (cluster.selfMember().status() != MemberStatus.up()) {
          Thread.sleep(50);
        }
        SnapshotTable table = SnapshotTable.create(StoreSettings.create(config));
        system.systemActorOf(
            OnlineStore.create(StoreSettings.create(config), table), "online-store",
            Props.empty());
        MemberStateStore states =
            MemberStateStore.create(system, MemberStateStore.Settings.create(config),
                topics.domainPartitions());
        FeaturePipeline.initSharding(system, groups, new OnlineStoreSink(table),
            topics.domainPartitions(), states, settings);
        System.gc();
        long heapBefore = usedHeap();
        FeatureMetrics metrics = new FeatureMetrics();
        long cpuBefore = processCpuNanos();
        long started = System.nanoTime();
        FeaturePipeline pipeline =
            FeaturePipeline.start(system, bootstrap, topics, settings, metrics, states);
        SteadyState steady = new SteadyState(filled, steadyFrom, steadyTo);
        while (metrics.records() < filled || !steady.ended()) {
          steady.sample(answered(metrics), System.nanoTime(), processCpuNanos());
          Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long cpu = processCpuNanos() - cpuBefore;
        Histogram freshness = metrics.freshnessMicros();
        Histogram checkpoints = metrics.checkpointMicros();
        out.printf("  feature stage: %,.0f events/s (%d events in %.2f s, start-up and"
                + " consumer-group join included)%n", filled / seconds, filled, seconds);
        out.printf("  CPU per event in the node's JVM: %.1f µs (2 cores in all, brokers too)%n",
            cpu / 1000.0 / filled);
        out.printf("  steady state (events %d%% to %d%% of the run answered): %,.0f events/s,"
                + " %.1f µs of CPU per event%n", steadyFrom, steadyTo,
            steady.eventsPerSecond(), steady.cpuMicrosPerEvent());
        if (steady.threads().available()) {
          ThreadCpu split = steady.threads();
          out.printf("    of which GC threads %.0f%%, JIT compiler threads %.0f%%: %.1f µs per"
                  + " event in the other threads (application, Kafka and Cassandra clients; GC"
                  + " barriers included)%n", 100 * split.gcShare(), 100 * split.jitShare(),
              steady.cpuMicrosPerEvent() * split.otherTicks() / split.total());
        }
        out.printf("  batch freshness (pre-filled topic, so backlog included): p50 %.1f ms,"
                + " p99 %.1f ms%n", freshness.getValueAtPercentile(50) / 1000.0,
            freshness.getValueAtPercentile(99) / 1000.0);
        out.printf("  %d checkpoints (%d failed) wrote %d member states (%.1f MB, %.0f bytes"
                + " each), duration p50 %.1f ms, p99 %.1f ms%n", metrics.checkpoints(),
            metrics.checkpointFailures(), metrics.checkpointWrites(),
            metrics.checkpointBytes() / 1e6,
            (double) metrics.checkpointBytes() / Math.max(1, metrics.checkpointWrites()),
            checkpoints.getValueAtPercentile(50) / 1000.0,
            checkpoints.getValueAtPercentile(99) / 1000.0);
        System.gc();
        long heapAfter = usedHeap();
        out.printf("  heap: %.1f MB for %d active members and their %d stored snapshots"
                + " (%.0f bytes per member, entity state and store entry together)%n",
            (heapAfter - heapBefore) / 1e6, table.size(), table.size(),
            (double) (heapAfter - heapBefore) / Math.max(1, table.size()));
        // Until durable: the pipeline's stop runs a last checkpoint, so every member touched
        // since the previous one writes its state and every partition commits its offsets. A
        // longer checkpoint interval writes less during the run but more here: this line counts
        // both.
        long stopping = System.nanoTime();
        pipeline.stop().toCompletableFuture().get(600, TimeUnit.SECONDS);
        double durableSeconds = (System.nanoTime() - started) / 1e9;
        out.printf("  until durable (all applied, then a last checkpoint of %.1f s): %,.0f"
                + " events/s, %.1f µs of CPU per event%n", (System.nanoTime() - stopping) / 1e9,
            filled / durableSeconds, (processCpuNanos() - cpuBefore) / 1000.0 / filled);
        // Counted once every batch is answered (the lines above are printed while the last
        // tenth of the run may still be in flight).
        out.printf("  %d batches, %d member messages (%.1f events each); %d accepted, %d late,"
                + " %d duplicates, %d already applied%n", metrics.batches(),
            metrics.memberMessages(), (double) filled / Math.max(1, metrics.memberMessages()),
            metrics.accepted(), metrics.late(), metrics.duplicates(), metrics.alreadyApplied());
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
    return 0;
  }

  /** Writes the simulated events (no malformed) to their domain topics; returns how many. */
  static long fill(String bootstrap, IngestSettings topics, int members, int events,
      PrintStream out) {
    return fill(bootstrap, topics, SimulationConfig.builder(42).members(members)
        .malformedFraction(0).build(), events, out);
  }

  /** Writes {@code events} simulated enriched events (ending a minute ago) to the domain topics. */
  static long fill(String bootstrap, IngestSettings topics, SimulationConfig simulated,
      int events, PrintStream out) {
    long span = Simulation.create(simulated).spanMs(events);
    Simulation simulation = Simulation.create(
        simulated.withStartTimeMs(System.currentTimeMillis() - span - 60_000));
    TitleCatalogue catalogue = simulation.reference().titleCatalogue();
    long started = System.nanoTime();
    long written = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      Iterator<SimulatedRecord> records = simulation.records();
      for (int i = 0; i < events; i++) {
        SimulatedRecord record = records.next();
        if (record.kind() == RecordKind.MALFORMED) {
          continue;
        }
        EnrichedEvent event = EnrichedEvent.enrich(record.truth().event(), catalogue);
        producer.send(new ProducerRecord<>(topics.domainTopic(event.stream()),
            event.memberId().getBytes(StandardCharsets.UTF_8),
            EnrichedEventJson.encode(event, System.currentTimeMillis(), null, null)));
        written++;
      }
    }
    out.printf("  filled the domain topics with %d events in %.1f s%n", written,
        (System.nanoTime() - started) / 1e9);
    return written;
  }

  /** Events the members answered for (applied or not): what a batch's replies counted. */
  private static long answered(FeatureMetrics metrics) {
    return metrics.accepted() + metrics.late() + metrics.duplicates() + metrics.alreadyApplied();
  }

  /**
   * Rate and CPU between the samples where the answered events first reach {@code fromPercent}
   * and {@code toPercent} of the run: by default without start-up (consumer-group join, the first
   * entities of every shard) and the last partitions' tail; a later start leaves out more of the
   * JIT compiler's warm-up. Also how the window's CPU splits between GC, JIT and other threads.
   */
  private static final class SteadyState {
    private final long from;
    private final long to;
    private long fromEvents = -1;
    private long fromNanos;
    private long fromCpu;
    private ThreadCpu fromThreads;
    private long toEvents = -1;
    private long toNanos;
    private long toCpu;
    private ThreadCpu toThreads;

    SteadyState(long events, int fromPercent, int toPercent) {
      this.from = Math.max(1, events * fromPercent / 100);
      this.to = events * toPercent / 100;
    }

    void sample(long events, long nanos, long cpu) {
      if (fromEvents < 0 && events >= from) {
        fromEvents = events;
        fromNanos = nanos;
        fromCpu = cpu;
        fromThreads = ThreadCpu.sample();
      }
      if (toEvents < 0 && events >= to) {
        toEvents = events;
        toNanos = nanos;
        toCpu = cpu;
        toThreads = ThreadCpu.sample();
      }
    }

    ThreadCpu threads() {
      return toThreads.minus(fromThreads);
    }

    boolean ended() {
      return toEvents >= 0;
    }

    double eventsPerSecond() {
      return (toEvents - fromEvents) / ((toNanos - fromNanos) / 1e9);
    }

    double cpuMicrosPerEvent() {
      return (toCpu - fromCpu) / 1000.0 / (toEvents - fromEvents);
    }
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static int parse(String flag, String value) {
    return BenchOptions.wholeNumber("bench pipeline", flag, value, 1, 20_000_000);
  }
}
