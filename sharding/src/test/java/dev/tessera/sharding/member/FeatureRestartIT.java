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
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Durable state: a node checkpoints to Cassandra and is then terminated without a last checkpoint
 * (what a crash leaves); more events arrive; a fresh node loads the members from Cassandra and
 * replays from the committed offsets. Every member must equal the reference exactly: nothing lost,
 * nothing counted twice.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class FeatureRestartIT {

  @Test
  void aRestartedNodeRestoresDurableStateAndReplaysToExactlyTheReference(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    String bootstrap = infrastructure.kafka().bootstrapServers();
    String contactPoint = infrastructure.cassandra().host() + ":" + infrastructure.cassandra().port();
    Config config = FeatureNode.config("""
        datastax-java-driver.basic.contact-points = ["%s"]
        tessera.features.state.keyspace = %s
        tessera.features.checkpoint-interval = 300ms
        """.formatted(contactPoint, names.keyspace("state")));
    IngestSettings topics = IngestSettings.create(config).withPrefix(names.prefix() + "-");
    FeatureSettings settings = FeatureSettings.create(config).withPrefix(names.prefix() + "-");
    TopicSetup.ensure(bootstrap, topics);
    List<FeatureGroup> groups = FeatureRegistry.fromConfig(config).all();
    Simulation simulation = Simulation.create(SimulationConfig.builder(5).members(80)
        .titles(200).duplicateFraction(0.01).lateFraction(0.01).malformedFraction(0).build());
    GroundTruth truth = new GroundTruth(groups.get(0), simulation.reference().titleCatalogue());
    List<SimulatedRecord> records = simulation.generate(8_000);
    truth.produce(bootstrap, topics, records.subList(0, 5_000));

    ActorSystem<Void> first = FeatureNode.start(config);
    FeatureMetrics before = new FeatureMetrics();
    try {
      MemberStateStore store =
          MemberStateStore.create(first, MemberStateStore.Settings.create(config),
              topics.domainPartitions());
      FeaturePipeline.initSharding(first, groups, SnapshotSink.none(), topics.domainPartitions(),
          store, settings);
      FeaturePipeline.start(first, bootstrap, topics, settings, before, store);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (before.records() < truth.produced && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      long checkpointsSeen = before.checkpoints();
      while (before.checkpoints() < checkpointsSeen + 8 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(before.records()).isEqualTo(truth.produced);
    } finally {
      FeatureNode.stop(first); // no pipeline.stop(): no last checkpoint, as after a crash
    }

    truth.produce(bootstrap, topics, records.subList(5_000, records.size()));
    ActorSystem<Void> second = FeatureNode.start(config);
    try {
      MemberStateStore store =
          MemberStateStore.create(second, MemberStateStore.Settings.create(config),
              topics.domainPartitions());
      FeaturePipeline.initSharding(second, groups, SnapshotSink.none(), topics.domainPartitions(),
          store, settings);
      FeatureMetrics after = new FeatureMetrics();
      FeaturePipeline pipeline = FeaturePipeline.start(second, bootstrap, topics, settings, after, store);
      truth.awaitAgreement(second, Duration.ofSeconds(60));
      assertThat(after.records()).as("the second node replays from the committed offsets, not"
          + " from the beginning").isLessThan(truth.produced);
      pipeline.stop().toCompletableFuture().join();
    } finally {
      FeatureNode.stop(second);
    }
  }
}
