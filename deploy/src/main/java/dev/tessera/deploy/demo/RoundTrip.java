package dev.tessera.deploy.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.sharding.ingest.IngestMetrics;
import dev.tessera.sharding.ingest.IngestPipeline;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.ReferenceCache;
import dev.tessera.sharding.ingest.ReferenceLoader;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.sharding.member.FeatureMetrics;
import dev.tessera.sharding.member.FeaturePipeline;
import dev.tessera.sharding.member.FeatureSettings;
import dev.tessera.sharding.member.MemberFeatures;
import dev.tessera.sharding.member.MemberStateStore;
import dev.tessera.sharding.member.OnlineStoreSink;
import dev.tessera.sharding.member.SnapshotSink;
import dev.tessera.sharding.store.Lookup;
import dev.tessera.sharding.store.OnlineStore;
import dev.tessera.sharding.store.SnapshotTable;
import dev.tessera.sharding.store.StoreSettings;
import dev.tessera.sharding.store.StoredSnapshot;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * The demo's end-to-end run on real servers: seeded simulated traffic (ending about now) to the raw
 * topic; the ingestion pipeline (validation, dead letters, dedup, enrichment, routing, Kafka
 * transactions); the feature pipeline into sharded per-member entities (the kernel's windowed
 * state, checkpointed to Cassandra) publishing to the online store. Every member's stored vector
 * is checked against the plain reference implementation over the simulator's truth; then the node
 * stops, a fresh node restores the members from Cassandra and is checked again.
 */
public final class RoundTrip {

  /**
   * @param members members in the simulation
   * @param records raw records the simulator produces
   * @param seed the simulation's seed
   * @param topicPrefix prefixes every topic, group and transactional id (empty for the defaults)
   */
  public record Options(int members, int records, long seed, String topicPrefix) {}

  /**
   * What the run measured and checked.
   *
   * @param storedMatches members whose online-store vector equals the reference as of its asOf
   * @param recoveredMatches members whose restored state equals the reference as of the same asOf
   * @param samples a few members' stored vectors, to print
   */
  public record Result(
      IngestMetrics ingest, FeatureMetrics features, int members, int storedMatches,
      int recoveredMatches, List<String> mismatches, List<StoredSnapshot> samples,
      Duration pipelineTime, Duration recoveryTime) {}

  private RoundTrip() {}

  public static Result run(
      LocalInfrastructure infrastructure, Config config, Options options, PrintStream out)
      throws Exception {
    String bootstrap = infrastructure.kafka().bootstrapServers();
    IngestSettings topics = IngestSettings.create(config).withPrefix(options.topicPrefix());
    FeatureSettings featureSettings =
        FeatureSettings.create(config).withPrefix(options.topicPrefix());
    List<FeatureGroup> groups = FeatureRegistry.fromConfig(config).all();
    FeatureGroup group = groups.get(0);
    TopicSetup.ensure(bootstrap, topics);

    SimulationConfig simulated =
        SimulationConfig.builder(options.seed()).members(options.members()).build();
    long span = Simulation.create(simulated).spanMs(options.records());
    // Simulated time ends a minute ago: the features are live as of now.
    Simulation simulation = Simulation.create(
        simulated.withStartTimeMs(System.currentTimeMillis() - span - 60_000));
    SimulationProducer.publishReference(simulation.reference(), bootstrap,
        new SimulationTopics(topics.rawTopic(), topics.contentMetadataTopic(),
            topics.memberProfilesTopic(), topics.rawPartitions()));
    List<SimulatedRecord> records = simulation.generate(options.records());
    Map<String, ReferenceEngine> reference = new TreeMap<>();
    long domainEvents = 0;
    for (SimulatedRecord record : records) {
      if (record.kind() != RecordKind.MALFORMED) {
        EnrichedEvent event =
            EnrichedEvent.enrich(record.truth().event(), simulation.reference().titleCatalogue());
        reference.computeIfAbsent(event.memberId(), m -> new ReferenceEngine(group, m))
            .apply(event);
        domainEvents += record.kind() == RecordKind.DUPLICATE ? 0 : 1;
      }
    }

    IngestMetrics ingestMetrics = new IngestMetrics();
    FeatureMetrics featureMetrics = new FeatureMetrics();
    SnapshotTable table = SnapshotTable.create(StoreSettings.create(config));
    ActorSystem<Void> first = startNode(config);
    long pipelineStarted = System.nanoTime();
    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    try (ReferenceLoader loader = ReferenceLoader.start(bootstrap, topics, references)) {
      loader.awaitCaughtUp();
      first.systemActorOf(
          OnlineStore.create(StoreSettings.create(config), table), "online-store", Props.empty());
      MemberStateStore states =
          MemberStateStore.create(first, MemberStateStore.Settings.create(config),
              topics.domainPartitions());
      FeaturePipeline.initSharding(first, groups, new OnlineStoreSink(table),
          topics.domainPartitions(), states, featureSettings);
      IngestPipeline ingestion = IngestPipeline.start(first, bootstrap, topics, references,
          ingestMetrics, topics.transactionalId());
      FeaturePipeline features = FeaturePipeline.start(first, bootstrap, topics, featureSettings,
          featureMetrics, states);
      SimulationProducer.produce(records, bootstrap, topics.rawTopic());
      out.printf("  simulated %d raw records of %d members (seed %d), ending a minute ago%n",
          records.size(), reference.size(), options.seed());
      awaitRecords(featureMetrics, domainEvents, Duration.ofSeconds(180));
      Thread.sleep(300); // the last snapshots reach the store
      features.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      ingestion.drainAndShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      stopNode(first);
    }
    Duration pipelineTime = Duration.ofNanos(System.nanoTime() - pipelineStarted);

    List<String> mismatches = new ArrayList<>();
    List<StoredSnapshot> samples = new ArrayList<>();
    Map<String, Long> asOfs = new TreeMap<>();
    int storedMatches = 0;
    for (Map.Entry<String, ReferenceEngine> member : reference.entrySet()) {
      Lookup lookup = table.get(member.getKey(), group.name(), System.currentTimeMillis());
      if (!(lookup instanceof Lookup.Present present)) {
        mismatches.add(member.getKey() + ": not in the online store (" + lookup + ")");
        continue;
      }
      StoredSnapshot stored = present.snapshot();
      asOfs.put(member.getKey(), stored.asOf());
      String difference = SnapshotDifference.of(member.getValue().snapshot(stored.asOf(), 0),
          stored.toFeatureSnapshot());
      if (difference == null) {
        storedMatches++;
      } else {
        mismatches.add(member.getKey() + " (online store): " + difference);
      }
      if (samples.size() < 3) {
        samples.add(stored);
      }
    }

    long recoveryStarted = System.nanoTime();
    int recoveredMatches = 0;
    ActorSystem<Void> second = startNode(config);
    try {
      MemberStateStore states = MemberStateStore.create(second,
          MemberStateStore.Settings.create(config), topics.domainPartitions());
      FeaturePipeline.initSharding(second, groups, SnapshotSink.none(), topics.domainPartitions(),
          states, featureSettings);
      ClusterSharding sharding = ClusterSharding.get(second);
      for (Map.Entry<String, Long> member : asOfs.entrySet()) {
        FeatureSnapshot recovered = sharding.entityRefFor(MemberFeatures.ENTITY_KEY, member.getKey())
            .<StoredSnapshot>askWithStatus(replyTo -> new MemberFeatures.GetSnapshot(group.name(),
                member.getValue(), replyTo), Duration.ofSeconds(20))
            .toCompletableFuture().get(30, TimeUnit.SECONDS).toFeatureSnapshot();
        String difference = SnapshotDifference.of(
            reference.get(member.getKey()).snapshot(member.getValue(), 0), recovered);
        if (difference == null) {
          recoveredMatches++;
        } else {
          mismatches.add(member.getKey() + " (restored from Cassandra): " + difference);
        }
      }
    } finally {
      stopNode(second);
    }
    return new Result(ingestMetrics, featureMetrics, reference.size(), storedMatches,
        recoveredMatches, mismatches, samples, pipelineTime,
        Duration.ofNanos(System.nanoTime() - recoveryStarted));
  }

  private static void awaitRecords(FeatureMetrics metrics, long expected, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (metrics.records() < expected) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the feature pipeline applied " + metrics.records() + " of "
            + expected + " domain events within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(100);
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
}
