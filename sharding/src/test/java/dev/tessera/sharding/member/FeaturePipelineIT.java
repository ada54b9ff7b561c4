package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.SimulationConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
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
    Config config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load()).resolve();
    IngestSettings topics = IngestSettings.create(config).withPrefix(names.prefix() + "-");
    FeatureSettings settings = FeatureSettings.create(config).withPrefix(names.prefix() + "-");
    TopicSetup.ensure(bootstrap, topics);
    List<FeatureGroup> groups = FeatureRegistry.fromConfig(config).all();
    FeatureGroup group = groups.get(0);

    Simulation simulation = Simulation.create(SimulationConfig.builder(99).members(150)
        .titles(300).duplicateFraction(0.01).lateFraction(0.01).malformedFraction(0).build());
    TitleCatalogue catalogue = simulation.reference().titleCatalogue();
    Map<String, ReferenceEngine> reference = new LinkedHashMap<>();
    int produced = 0;
    long late = 0;
    long duplicates = 0;
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      for (SimulatedRecord record : simulation.generate(12_000)) {
        if (record.kind() == RecordKind.MALFORMED) {
          continue;
        }
        EnrichedEvent event = EnrichedEvent.enrich(record.truth().event(), catalogue);
        reference.computeIfAbsent(event.memberId(), m -> new ReferenceEngine(group, m)).apply(event);
        late += record.kind() == RecordKind.LATE ? 1 : 0;
        duplicates += record.kind() == RecordKind.DUPLICATE ? 1 : 0;
        producer.send(new ProducerRecord<>(topics.domainTopic(event.stream()),
            event.memberId().getBytes(StandardCharsets.UTF_8),
            EnrichedEventJson.encode(event, System.currentTimeMillis(), null, null)));
        produced++;
      }
    }

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "features-test", config);
    Map<String, FeatureSnapshot> published = new ConcurrentHashMap<>();
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      while (cluster.selfMember().status() != MemberStatus.up()) {
        Thread.sleep(50);
      }
      FeaturePipeline.initSharding(system, groups,
          (snapshot, version, snapshotVersion, offsets) -> published.put(snapshot.memberId(), snapshot),
          topics.domainPartitions());
      FeatureMetrics metrics = new FeatureMetrics();
      FeaturePipeline pipeline = FeaturePipeline.start(system, bootstrap, topics, settings, metrics);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (metrics.records() < produced && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(500);
      assertThat(metrics.records()).isEqualTo(produced);
      assertThat(metrics.late()).as("late events per the simulator's truth").isEqualTo(late);
      assertThat(metrics.duplicates()).isEqualTo(duplicates);
      assertThat(metrics.memberMessages()).as("one message per member per batch, not per event")
          .isLessThan(produced);
      assertThat(published.keySet()).isEqualTo(reference.keySet());

      ClusterSharding sharding = ClusterSharding.get(system);
      List<String> differences = new ArrayList<>();
      int compared = 0;
      for (Map.Entry<String, ReferenceEngine> member : reference.entrySet()) {
        long watermark = member.getValue().watermark();
        for (long asOf : new long[] {watermark - 60_000, watermark, watermark + 30_000,
            watermark + 3_600_000, watermark + 90_000_000}) {
          FeatureSnapshot expected = member.getValue().snapshot(asOf, 0);
          FeatureSnapshot actual = sharding.entityRefFor(MemberFeatures.ENTITY_KEY, member.getKey())
              .<FeatureSnapshot>askWithStatus(
                  replyTo -> new MemberFeatures.GetSnapshot(group.name(), asOf, replyTo),
                  Duration.ofSeconds(10))
              .toCompletableFuture().get(15, TimeUnit.SECONDS);
          String difference = SnapshotDifference.of(expected, actual);
          if (difference != null) {
            differences.add(member.getKey() + " as of " + asOf + ": " + difference);
          }
          compared++;
        }
      }
      assertThat(differences).as("%d vectors compared", compared).isEmpty();
      pipeline.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
