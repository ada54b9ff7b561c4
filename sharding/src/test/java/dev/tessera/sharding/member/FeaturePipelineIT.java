package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ground truth for the feature stage: the simulator's events on the domain topics, through the
 * feature pipeline into the member entities; for every member and several as-of instants the
 * entity's vector equals the reference implementation over the same events.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class FeaturePipelineIT {

  @Test
  void everyMembersFeaturesEqualTheReferenceImplementationAtSeveralInstants(
      EmbeddedKafka kafka, TestNamespace names) throws Exception {
    String bootstrap = kafka.bootstrapServers();
    Config config = FeatureNode.config("");
    IngestSettings topics = IngestSettings.create(config).withPrefix(names.prefix() + "-");
    FeatureSettings settings = FeatureSettings.create(config).withPrefix(names.prefix() + "-");
    TopicSetup.ensure(bootstrap, topics);
    List<FeatureGroup> groups = FeatureRegistry.fromConfig(config).all();
    Simulation simulation = Simulation.create(SimulationConfig.builder(99).members(150)
        .titles(300).duplicateFraction(0.01).lateFraction(0.01).malformedFraction(0).build());
    GroundTruth truth = new GroundTruth(groups.get(0), simulation.reference().titleCatalogue());
    truth.produce(bootstrap, topics, simulation.generate(12_000));

    ActorSystem<Void> system = FeatureNode.start(config);
    Map<String, FeatureSnapshot> published = new ConcurrentHashMap<>();
    try {
      FeaturePipeline.initSharding(system, groups,
          (snapshot, version, snapshotVersion, offsets) -> published.put(snapshot.memberId(), snapshot),
          topics.domainPartitions(), null, settings);
      FeatureMetrics metrics = new FeatureMetrics();
      FeaturePipeline pipeline =
          FeaturePipeline.start(system, bootstrap, topics, settings, metrics, false);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (metrics.records() < truth.produced && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(500);
      assertThat(metrics.records()).isEqualTo(truth.produced);
      assertThat(metrics.late()).as("late events per the simulator's truth").isEqualTo(truth.late);
      assertThat(metrics.duplicates()).isEqualTo(truth.duplicates);
      assertThat(metrics.memberMessages()).as("one message per member per batch, not per event")
          .isLessThan(truth.produced);
      assertThat(published.keySet()).isEqualTo(truth.members().keySet());
      assertThat(truth.differences(system)).isEmpty();
      pipeline.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      FeatureNode.stop(system);
    }
  }
}
