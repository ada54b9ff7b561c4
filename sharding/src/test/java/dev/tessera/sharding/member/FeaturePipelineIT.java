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
import java.util.concurrent.TimeUnit;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.sharding.store.Lookup;
import dev.tessera.sharding.store.OnlineStore;
import dev.tessera.sharding.store.SnapshotTable;
import dev.tessera.sharding.store.StoreSettings;
import dev.tessera.sharding.store.StoredSnapshot;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
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
    SimulationConfig simulated = SimulationConfig.builder(99).members(150).titles(300)
        .duplicateFraction(0.01).lateFraction(0.01).malformedFraction(0).build();
    // Events that end two minutes ago, so the snapshots published as of now hold live windows.
    long span = Simulation.create(simulated).spanMs(12_000);
    Simulation simulation = Simulation.create(
        simulated.withStartTimeMs(System.currentTimeMillis() - span - 120_000));
    GroundTruth truth = new GroundTruth(groups.get(0), simulation.reference().titleCatalogue());
    truth.produce(bootstrap, topics, simulation.generate(12_000));

    ActorSystem<Void> system = FeatureNode.start(config);
    SnapshotTable table = new SnapshotTable(10_000);
    try {
      system.systemActorOf(
          OnlineStore.create(StoreSettings.create(config), table), "store", Props.empty());
      FeaturePipeline.initSharding(system, groups, new OnlineStoreSink(table),
          topics.domainPartitions(), null, settings);
      FeatureMetrics metrics = new FeatureMetrics();
      FeaturePipeline pipeline =
          FeaturePipeline.start(system, bootstrap, topics, settings, metrics, null);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (metrics.records() < truth.produced && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(500);
      assertThat(metrics.records()).isEqualTo(truth.produced);
      assertThat(metrics.late()).as("late events per the simulator's truth").isEqualTo(truth.late);
      assertThat(metrics.duplicates()).isEqualTo(truth.duplicates);
      // Every late event went to the late-events topic, once, as it was on its domain topic.
      assertThat(lateEventIds(bootstrap, settings.lateEventsTopic(), truth.lateEventIds.size()))
          .containsExactlyInAnyOrderElementsOf(truth.lateEventIds);
      assertThat(metrics.memberMessages()).as("one message per member per batch, not per event")
          .isLessThan(truth.produced);
      assertThat(truth.differences(system)).isEmpty();
      // The online store holds every member's last published vector, exact as of its asOf.
      FeatureGroup group = groups.get(0);
      long now = System.currentTimeMillis();
      assertThat(table.size()).isEqualTo(truth.members().size());
      long nonZeroPlays = 0;
      for (var member : truth.members().entrySet()) {
        Lookup lookup = table.get(member.getKey(), group.name(), now);
        assertThat(lookup).isInstanceOf(Lookup.Present.class);
        StoredSnapshot stored = ((Lookup.Present) lookup).snapshot();
        FeatureSnapshot expected = member.getValue().snapshot(stored.asOf(), 0);
        assertThat(SnapshotDifference.of(expected, stored.toFeatureSnapshot()))
            .as(member.getKey()).isNull();
        assertThat(stored.lastOffsets()).hasSize(5);
        nonZeroPlays += (Long) stored.values().get("plays_24h") > 0 ? 1 : 0;
      }
      assertThat(nonZeroPlays).as("live windows, not a vacuous comparison").isPositive();
      pipeline.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      FeatureNode.stop(system);
    }
  }

  /** The event ids on the late-events topic, read until {@code expected} arrived (or 30 s). */
  private static List<String> lateEventIds(String bootstrap, String topic, int expected)
      throws InterruptedException {
    List<String> ids = new java.util.ArrayList<>();
    try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(java.util.Map.of(
            org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, topic + "-check",
            org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      // Polls on past the expected count for a moment, so that an extra record would be seen.
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          ids.add(dev.tessera.engine.event.EnrichedEventJson.decode(record.value()).event()
              .eventId());
        }
        if (ids.size() >= expected && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        }
      }
    }
    return ids;
  }
}
