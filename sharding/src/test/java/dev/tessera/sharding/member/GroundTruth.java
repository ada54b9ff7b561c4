package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The expected features of a simulated stream, computed by the plain reference implementation as
 * the simulator's events are written to the domain topics; and the comparison of every member's
 * entity with it at several instants.
 */
final class GroundTruth {
  private final FeatureGroup group;
  private final TitleCatalogue catalogue;
  private final Map<String, ReferenceEngine> reference = new LinkedHashMap<>();
  long produced;
  long late;
  /** The ids of the late events, in the order produced. */
  final List<String> lateEventIds = new ArrayList<>();
  long duplicates;

  GroundTruth(FeatureGroup group, TitleCatalogue catalogue) {
    this.group = group;
    this.catalogue = catalogue;
  }

  Map<String, ReferenceEngine> members() {
    return reference;
  }

  /** Writes the records' events to their domain topics (in order) and to the reference. */
  void produce(String bootstrap, IngestSettings topics, List<SimulatedRecord> records) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties,
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (SimulatedRecord record : records) {
        if (record.kind() == RecordKind.MALFORMED) {
          continue;
        }
        EnrichedEvent event = EnrichedEvent.enrich(record.truth().event(), catalogue);
        reference.computeIfAbsent(event.memberId(), m -> new ReferenceEngine(group, m)).apply(event);
        if (record.kind() == RecordKind.LATE) {
          late++;
          lateEventIds.add(event.eventId());
        }
        duplicates += record.kind() == RecordKind.DUPLICATE ? 1 : 0;
        producer.send(new ProducerRecord<>(topics.domainTopic(event.stream()),
            event.memberId().getBytes(StandardCharsets.UTF_8),
            EnrichedEventJson.encode(event, System.currentTimeMillis(), null, null)));
        produced++;
      }
    }
  }

  /** Every difference between the entities and the reference, at five instants per member. */
  List<String> differences(ActorSystem<?> system) throws Exception {
    ClusterSharding sharding = ClusterSharding.get(system);
    List<String> differences = new ArrayList<>();
    for (Map.Entry<String, ReferenceEngine> member : reference.entrySet()) {
      long watermark = member.getValue().watermark();
      for (long asOf : new long[] {watermark - 60_000, watermark, watermark + 30_000,
          watermark + 3_600_000, watermark + 90_000_000}) {
        FeatureSnapshot expected = member.getValue().snapshot(asOf, 0);
        FeatureSnapshot actual;
        try {
          actual = sharding.entityRefFor(MemberFeatures.ENTITY_KEY, member.getKey())
              .<dev.tessera.sharding.store.StoredSnapshot>askWithStatus(
                  replyTo -> new MemberFeatures.GetSnapshot(group.name(), asOf, replyTo),
                  Duration.ofSeconds(10))
              .toCompletableFuture().get(15, TimeUnit.SECONDS).toFeatureSnapshot();
        } catch (java.util.concurrent.ExecutionException e) {
          // A member being handed off or loaded may not answer yet: a difference for now.
          differences.add(member.getKey() + " as of " + asOf + ": no answer (" + e.getCause() + ")");
          continue;
        }
        String difference = SnapshotDifference.of(expected, actual);
        if (difference != null) {
          differences.add(member.getKey() + " as of " + asOf + ": " + difference);
        }
      }
    }
    return differences;
  }

  /** Waits until the entities agree with the reference (a replay may still be running). */
  void awaitAgreement(ActorSystem<?> system, Duration timeout) throws Exception {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    List<String> differences = differences(system);
    while (!differences.isEmpty() && System.nanoTime() < deadline) {
      System.out.printf("%d differences after %d ms, e.g. %s%n", differences.size(),
          (System.nanoTime() - started) / 1_000_000, differences.get(0));
      Thread.sleep(500);
      differences = differences(system);
    }
    System.out.printf("%d differences after %d ms%n", differences.size(),
        (System.nanoTime() - started) / 1_000_000);
    assertThat(differences).as("%d members x 5 instants", reference.size()).isEmpty();
  }
}
