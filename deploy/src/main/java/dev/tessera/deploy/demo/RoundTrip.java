package dev.tessera.deploy.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.sharding.ingest.IngestMetrics;
import dev.tessera.sharding.ingest.IngestPipeline;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.ReferenceCache;
import dev.tessera.sharding.ingest.ReferenceLoader;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.sharding.roundtrip.InboxIngest;
import dev.tessera.sharding.roundtrip.MemberInbox;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * The demo's end-to-end run on real servers: seeded simulated traffic to the raw topic, the
 * ingestion pipeline (validation, dedup, enrichment, routing, Kafka transactions), the domain
 * topics consumed into sharded {@link MemberInbox} entities persisted through
 * pekko-persistence-cassandra, then a fresh node that recovers every entity from the journal.
 */
public final class RoundTrip {

  /**
   * @param members members in the simulation
   * @param records raw records the simulator produces
   * @param seed the simulation's seed
   * @param topicPrefix prefixes every topic, group and transactional id (empty for the defaults)
   */
  public record Options(int members, int records, long seed, String topicPrefix) {}

  /** What the run measured, and per member the events recorded before, after, and recovered. */
  public record Result(
      IngestMetrics ingest, Map<String, Long> expectedPerMember, Map<String, Long> before,
      Map<String, Long> ingested, Map<String, Long> recovered, Duration ingestTime,
      Duration recoveryTime) {}

  private RoundTrip() {}

  public static Result run(
      LocalInfrastructure infrastructure, Config config, Options options, PrintStream out)
      throws Exception {
    String bootstrap = infrastructure.kafka().bootstrapServers();
    IngestSettings settings = IngestSettings.create(config).withPrefix(options.topicPrefix());
    TopicSetup.ensure(bootstrap, settings);
    Simulation simulation = Simulation.create(
        SimulationConfig.builder(options.seed()).members(options.members()).build());
    SimulationProducer.publishReference(simulation.reference(), bootstrap,
        new SimulationTopics(settings.rawTopic(), settings.contentMetadataTopic(),
            settings.memberProfilesTopic(), settings.rawPartitions()));
    List<SimulatedRecord> records = simulation.generate(options.records());
    Map<String, Long> expected = new TreeMap<>();
    for (SimulatedRecord record : records) {
      if (record.kind() == RecordKind.VALID || record.kind() == RecordKind.LATE) {
        expected.merge(record.memberId(), 1L, Long::sum);
      }
    }
    List<String> members = new ArrayList<>(expected.keySet());

    ActorSystem<Void> first = startNode(config);
    IngestMetrics metrics = new IngestMetrics();
    Map<String, Long> before;
    Map<String, Long> ingested;
    long ingestTook;
    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    try (ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references)) {
      loader.awaitCaughtUp();
      before = counts(first, members);
      long started = System.nanoTime();
      IngestPipeline ingestion = IngestPipeline.start(first, bootstrap, settings, references,
          metrics, settings.transactionalId());
      InboxIngest inbox = InboxIngest.start(first, new InboxIngest.Settings(bootstrap,
          List.copyOf(settings.domainTopics().values()), options.topicPrefix() + "tessera-inbox",
          Duration.ofSeconds(10), 64));
      SimulationProducer.produce(records, bootstrap, settings.rawTopic());
      out.printf("  simulated %d raw records for %d members (seed %d)%n", records.size(),
          simulation.reference().members().size(), options.seed());
      ingested = awaitCounts(first, members, before, expected, Duration.ofSeconds(120));
      ingestTook = System.nanoTime() - started;
      inbox.drainAndShutdown(first).toCompletableFuture().get(30, TimeUnit.SECONDS);
      ingestion.drainAndShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      stopNode(first);
    }
    out.println("  stopped the node; starting a fresh ActorSystem to recover from Cassandra");

    long recoveryStarted = System.nanoTime();
    ActorSystem<Void> second = startNode(config);
    try {
      Map<String, Long> recovered = counts(second, members);
      return new Result(metrics, expected, before, ingested, recovered,
          Duration.ofNanos(ingestTook), Duration.ofNanos(System.nanoTime() - recoveryStarted));
    } finally {
      stopNode(second);
    }
  }

  private static ActorSystem<Void> startNode(Config config) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tessera", config);
    Cluster cluster = Cluster.get(system);
    if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        stopNode(system);
        throw new IllegalStateException("the node did not join its cluster within 30 s");
      }
      Thread.sleep(50);
    }
    MemberInbox.init(system);
    return system;
  }

  private static void stopNode(ActorSystem<Void> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the node did not stop within 30 s", e);
    }
  }

  private static Map<String, Long> counts(ActorSystem<?> system, List<String> members)
      throws Exception {
    ClusterSharding sharding = ClusterSharding.get(system);
    Map<String, CompletableFuture<MemberInbox.Summary>> asks = new LinkedHashMap<>();
    for (String member : members) {
      asks.put(member, sharding.entityRefFor(MemberInbox.ENTITY_KEY, member)
          .ask(MemberInbox.GetSummary::new, Duration.ofSeconds(20)).toCompletableFuture());
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<MemberInbox.Summary>> ask : asks.entrySet()) {
      counts.put(ask.getKey(), ask.getValue().get(30, TimeUnit.SECONDS).eventCount());
    }
    return counts;
  }

  private static Map<String, Long> awaitCounts(ActorSystem<?> system, List<String> members,
      Map<String, Long> before, Map<String, Long> added, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, Long> now = counts(system, members);
      if (members.stream().allMatch(m -> now.get(m) >= before.get(m) + added.get(m))) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        List<String> missing = members.stream()
            .filter(m -> now.get(m) < before.get(m) + added.get(m)).toList();
        throw new TimeoutException(missing.size() + " of " + members.size() + " members still miss"
            + " events after " + timeout.toSeconds() + " s, e.g. " + missing.get(0) + " holds "
            + now.get(missing.get(0)) + " of " + (before.get(missing.get(0)) + added.get(missing.get(0))));
      }
      Thread.sleep(250);
    }
  }
}
