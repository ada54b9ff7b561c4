package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A second node joins the cluster mid-run: the consumer group gives it half the partitions, its
 * shards follow them, the members it takes over come back from Cassandra and the committed
 * offsets, and every member still equals the reference. (Two ActorSystems in one JVM, each with its
 * own remoting port, consumer and shard region.)
 */
@ExtendWith(LocalInfrastructureExtension.class)
class FeatureRebalanceIT {

  @Test
  void aJoiningNodeTakesPartitionsAndTheirShardsAndValuesStayExact(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    String bootstrap = infrastructure.kafka().bootstrapServers();
    String contactPoint = infrastructure.cassandra().host() + ":" + infrastructure.cassandra().port();
    String overrides = """
        datastax-java-driver.basic.contact-points = ["%s"]
        tessera.features.state.keyspace = %s
        tessera.features.checkpoint-interval = 300ms
        tessera.features.reply-timeout = 5s
        pekko.cluster.sharding.rebalance-interval = 1s
        """.formatted(contactPoint, names.keyspace("state"));
    Config config = FeatureNode.config(overrides);
    IngestSettings topics = IngestSettings.create(config).withPrefix(names.prefix() + "-");
    FeatureSettings settings = FeatureSettings.create(config).withPrefix(names.prefix() + "-");
    TopicSetup.ensure(bootstrap, topics);
    List<FeatureGroup> groups = FeatureRegistry.fromConfig(config).all();
    Simulation simulation = Simulation.create(SimulationConfig.builder(17).members(120)
        .titles(200).duplicateFraction(0.01).lateFraction(0.01).malformedFraction(0).build());
    GroundTruth truth = new GroundTruth(groups.get(0), simulation.reference().titleCatalogue());
    List<SimulatedRecord> records = simulation.generate(10_000);
    truth.produce(bootstrap, topics, records.subList(0, 5_000));

    ActorSystem<Void> first = FeatureNode.start(config);
    ActorSystem<Void> second = null;
    try {
      start(first, config, groups, topics, settings, bootstrap, new FeatureMetrics());
      Thread.sleep(3000);

      Address seed = Cluster.get(first).selfMember().address();
      second = ActorSystem.create(Behaviors.empty(), "features-test", config);
      Cluster joining = Cluster.get(second);
      joining.manager().tell(Join.create(seed));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (joining.selfMember().status() != MemberStatus.up() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(joining.selfMember().status()).isEqualTo(MemberStatus.up());
      FeatureMetrics secondMetrics = new FeatureMetrics();
      start(second, config, groups, topics, settings, bootstrap, secondMetrics);
      Address secondAddress = joining.selfMember().address();
      var client = ExternalShardAllocation.get(first).getClient(MemberFeatures.ENTITY_KEY.name());
      boolean moved = false;
      while (!moved && System.nanoTime() < deadline + Duration.ofSeconds(60).toNanos()) {
        moved = client.getShardLocations().toCompletableFuture().get(10, TimeUnit.SECONDS)
            .getShardLocations().values().stream().anyMatch(l -> l.address().equals(secondAddress));
        Thread.sleep(200);
      }
      assertThat(moved).as("shards follow their partitions to the joining node").isTrue();
      truth.produce(bootstrap, topics, records.subList(5_000, records.size()));

      truth.awaitAgreement(first, Duration.ofSeconds(120));
      assertThat(secondMetrics.records()).as("the joining node consumes partitions").isPositive();
    } finally {
      if (second != null) {
        FeatureNode.stop(second);
      }
      FeatureNode.stop(first);
    }
  }

  private static void start(ActorSystem<Void> system, Config config, List<FeatureGroup> groups,
      IngestSettings topics, FeatureSettings settings, String bootstrap, FeatureMetrics metrics) {
    MemberStateStore store =
        MemberStateStore.create(system, MemberStateStore.Settings.create(config),
            topics.domainPartitions());
    FeaturePipeline.initSharding(system, groups, SnapshotSink.none(), topics.domainPartitions(),
        store, settings);
    FeaturePipeline.start(system, bootstrap, topics, settings, metrics, store);
  }
}
