package dev.tessera.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.deploy.UserError;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.sharding.ingest.IngestMetrics;
import dev.tessera.sharding.ingest.IngestPipeline;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.ReferenceCache;
import dev.tessera.sharding.ingest.ReferenceLoader;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code tessera bench ingest}: the ingestion pipeline on a real broker on this machine, fed by the
 * simulator. Phase 1 measures throughput (the raw topic is filled first, then drained: events/s and
 * CPU per event of the pipeline's JVM and of the broker). Phase 2 measures per-event latency (raw
 * broker timestamp to output) with traffic paced at half the measured throughput, after a warm-up
 * at the same rate whose figures are printed apart (a new stream's first second or two, when its
 * consumer joins the group and the JIT compiles its new code paths, is not its steady state).
 */
public final class IngestBenchmark {
  private IngestBenchmark() {}

  public static int run(List<String> args, PrintStream out) throws Exception {
    int events = 500_000;
    int members = 100_000;
    double latencyRateShare = 0.5;
    int latencySeconds = 20;
    int warmupSeconds = 10;
    for (int i = 0; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) {
        throw new UserError("bench ingest: " + args.get(i) + " needs a value", 2);
      }
      String value = args.get(i + 1);
      switch (args.get(i)) {
        case "--events" -> events = parse(args.get(i), value, 1_000, 20_000_000);
        case "--members" -> members = parse(args.get(i), value, 1, 1_000_000);
        case "--latency-seconds" -> latencySeconds = parse(args.get(i), value, 1, 600);
        case "--warmup-seconds" -> warmupSeconds = parse(args.get(i), value, 0, 600);
        default -> throw new UserError("bench ingest: unknown option " + args.get(i)
            + " (options: --events N, --members N, --latency-seconds S, --warmup-seconds S)", 2);
      }
    }
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "tessera-bench-");
    EmbeddedSettings brokerSettings = EmbeddedSettings.load().withDataDir(dir).withFreePorts();
    out.printf("bench ingest: %d events, %d members; broker on this machine (data in %s)%n", events,
        members, dir);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(brokerSettings, true)) {
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", ConfigFactory.load());
      try {
        double throughput = throughputPhase(kafka, system, events, members, out);
        latencyPhase(kafka, system, members, throughput * latencyRateShare, warmupSeconds,
            latencySeconds, out);
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
    return 0;
  }

  private static double throughputPhase(EmbeddedKafka kafka, ActorSystem<Void> system, int events,
      int members, PrintStream out) throws Exception {
    IngestSettings settings = IngestSettings.create(ConfigFactory.load()).withPrefix("tput-");
    String bootstrap = kafka.bootstrapServers();
    TopicSetup.ensure(bootstrap, settings);
    Simulation simulation = Simulation.create(SimulationConfig.builder(42).members(members).build());
    SimulationTopics topics = new SimulationTopics(settings.rawTopic(),
        settings.contentMetadataTopic(), settings.memberProfilesTopic(), settings.rawPartitions());
    SimulationProducer.publishReference(simulation.reference(), bootstrap, topics);
    long produceStarted = System.nanoTime();
    try (SimulationProducer producer = SimulationProducer.create(bootstrap)) {
      Iterator<SimulatedRecord> records = simulation.records();
      for (int i = 0; i < events; i++) {
        producer.send(records.next(), settings.rawTopic(), settings.rawPartitions(), null);
      }
      producer.flush();
    }
    out.printf("  filled the raw topic in %.1f s%n", (System.nanoTime() - produceStarted) / 1e9);

    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    try (ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references)) {
      loader.awaitCaughtUp();
      IngestMetrics metrics = new IngestMetrics();
      long cpuBefore = processCpuNanos();
      long brokerCpuBefore = brokerCpuNanos(kafka.pid());
      long started = System.nanoTime();
      IngestPipeline pipeline = IngestPipeline.start(system, bootstrap, settings, references,
          metrics, "bench-tput");
      awaitCommittedEnd(bootstrap, settings, Duration.ofMinutes(10));
      double seconds = (System.nanoTime() - started) / 1e9;
      long cpu = processCpuNanos() - cpuBefore;
      long brokerCpu = brokerCpuNanos(kafka.pid()) - brokerCpuBefore;
      pipeline.drainAndShutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
      double throughput = events / seconds;
      out.printf("  throughput: %,.0f events/s (%d events in %.2f s, start-up included)%n",
          throughput, events, seconds);
      out.printf("  CPU per event: pipeline JVM %.1f µs, broker %.1f µs (2 cores in all)%n",
          cpu / 1000.0 / events, brokerCpu / 1000.0 / events);
      out.printf("  outcomes: %d valid, %d duplicates dropped, %d dead-lettered, title coverage"
              + " %.3f%%%n", metrics.valid(), metrics.duplicatesDropped(), metrics.invalid(),
          metrics.titleCoverage() * 100);
      return throughput;
    }
  }

  private static void latencyPhase(EmbeddedKafka kafka, ActorSystem<Void> system, int members,
      double rate, int warmupSeconds, int seconds, PrintStream out) throws Exception {
    IngestSettings settings = IngestSettings.create(ConfigFactory.load()).withPrefix("lat-");
    String bootstrap = kafka.bootstrapServers();
    TopicSetup.ensure(bootstrap, settings);
    Simulation simulation = Simulation.create(SimulationConfig.builder(7).members(members).build());
    SimulationTopics topics = new SimulationTopics(settings.rawTopic(),
        settings.contentMetadataTopic(), settings.memberProfilesTopic(), settings.rawPartitions());
    SimulationProducer.publishReference(simulation.reference(), bootstrap, topics);
    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    try (ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references)) {
      loader.awaitCaughtUp();
      IngestMetrics metrics = new IngestMetrics();
      IngestPipeline pipeline = IngestPipeline.start(system, bootstrap, settings, references,
          metrics, "bench-latency");
      Thread.sleep(3000); // consumer group joined and partitions assigned before traffic starts
      long warmupEvents = (long) (rate * warmupSeconds);
      long total = warmupEvents + (long) (rate * seconds);
      Histogram warmup = null;
      CommittedLatency committed = CommittedLatency.start(bootstrap,
          settings.domainTopics().values(), settings.domainPartitions());
      Iterator<SimulatedRecord> records = simulation.records();
      long started = System.nanoTime();
      try (SimulationProducer producer = SimulationProducer.create(bootstrap,
          Map.of("linger.ms", 1))) {
        for (long i = 0; i < total; i++) {
          if (i == warmupEvents && warmupEvents > 0) {
            warmup = metrics.latencyMicros();
            committed.countFrom(System.currentTimeMillis());
          }
          long due = started + (long) (i * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          producer.send(records.next(), settings.rawTopic(), settings.rawPartitions(), null);
        }
      }
      awaitCommittedEnd(bootstrap, settings, Duration.ofMinutes(5));
      String producerBreakdown = producerBreakdown("producer-bench-latency");
      pipeline.drainAndShutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Histogram latency = metrics.latencyMicros();
      if (warmup != null) {
        printLatency(out, "warm-up (not counted)", rate, warmupSeconds, warmup);
        latency.subtract(warmup);
      }
      printLatency(out, "latency", rate, seconds, latency);
      out.println("  " + producerBreakdown);
      printLatency(out, "visible to read_committed consumers", rate, seconds, committed.stop());
    }
  }

  /**
   * Where the transactional producer's share of the latency goes, from the Kafka client's own
   * metrics (averages over its last 30-60 s): time a record waits in the client before its request
   * is sent (linger, the one request in flight a transactional producer allows, partitions being
   * added to the transaction), the produce request's round trip, and the time spent in the
   * blocking transaction calls, during which the stream produces nothing.
   */
  private static String producerBreakdown(String clientId) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = new ObjectName("kafka.producer:type=producer-metrics,client-id=" + clientId);
    if (!server.isRegistered(name)) {
      return "producer metrics: none registered as " + clientId;
    }
    return String.format("transactional producer: records wait %.1f ms in the client on average,"
            + " requests take %.1f ms; transaction calls took %.0f ms sending offsets and %.0f ms"
            + " committing in all",
        (Double) server.getAttribute(name, "record-queue-time-avg"),
        (Double) server.getAttribute(name, "request-latency-avg"),
        (Double) server.getAttribute(name, "txn-send-offsets-time-ns-total") / 1e6,
        (Double) server.getAttribute(name, "txn-commit-time-ns-total") / 1e6);
  }

  /**
   * Raw record's timestamp to its domain record being read by a {@code read_committed} consumer,
   * i.e. after the transaction holding it committed: the latency the feature stage sees. The
   * consumer polls every domain partition on a thread of its own; records stamped before {@link
   * #countFrom} (the warm-up's) are not counted.
   */
  private static final class CommittedLatency implements Runnable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Histogram latency = new Histogram(3);
    private final Thread thread;
    private volatile long countFrom = Long.MAX_VALUE;
    private volatile boolean stopping;

    private CommittedLatency(KafkaConsumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
      this.thread = new Thread(this, "bench-committed-latency");
      this.thread.setDaemon(true);
    }

    static CommittedLatency start(String bootstrap, Collection<String> topics, int partitions) {
      KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
          ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5,
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> assigned = new ArrayList<>();
      for (String topic : topics) {
        for (int p = 0; p < partitions; p++) {
          assigned.add(new TopicPartition(topic, p));
        }
      }
      consumer.assign(assigned);
      CommittedLatency committed = new CommittedLatency(consumer);
      committed.thread.start();
      return committed;
    }

    void countFrom(long epochMillis) {
      countFrom = epochMillis;
    }

    @Override
    public void run() {
      try (consumer) {
        long quietSince = System.nanoTime();
        while (!stopping || System.nanoTime() - quietSince < 500_000_000L) {
          ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(20));
          long now = System.currentTimeMillis();
          for (ConsumerRecord<byte[], byte[]> record : polled) {
            if (record.timestamp() >= countFrom) {
              latency.recordValue(Math.max(0, now - record.timestamp()) * 1000);
            }
          }
          if (!polled.isEmpty()) {
            quietSince = System.nanoTime();
          }
        }
      }
    }

    /** Reads on until nothing has arrived for half a second, then gives the histogram. */
    Histogram stop() throws InterruptedException {
      stopping = true;
      thread.join(60_000);
      return latency;
    }
  }

  private static void printLatency(PrintStream out, String label, double rate, int seconds,
      Histogram latency) {
    out.printf("  %s at %,.0f events/s for %d s (%d events routed): p50 %.1f ms, p99 %.1f ms,"
            + " p99.9 %.1f ms, max %.1f ms%n", label, rate, seconds, latency.getTotalCount(),
        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
        latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0);
  }

  /** Waits until the pipeline's group has committed every raw partition up to its end. */
  private static void awaitCommittedEnd(String bootstrap, IngestSettings settings,
      Duration timeout) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < settings.rawPartitions(); p++) {
        latest.put(new TopicPartition(settings.rawTopic(), p), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets(settings.consumerGroup()).partitionsToOffsetAndMetadata().get();
        boolean done = ends.entrySet().stream().allMatch(end -> {
          OffsetAndMetadata c = committed.get(end.getKey());
          return end.getValue().offset() == 0 || (c != null && c.offset() >= end.getValue().offset());
        });
        if (done) {
          return;
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("the pipeline did not catch up within " + timeout);
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The broker JVM's user+system CPU time, from /proc (Linux). */
  private static long brokerCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * 10_000_000L; // USER_HZ = 100 on Linux
    } catch (Exception e) {
      return 0;
    }
  }

  private static int parse(String flag, String value, int min, int max) {
    return BenchOptions.wholeNumber("bench ingest", flag, value, min, max);
  }
}
