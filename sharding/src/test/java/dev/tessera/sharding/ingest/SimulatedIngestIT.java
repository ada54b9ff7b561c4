package dev.tessera.sharding.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.TitleMetadata;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.generator.Truth;
import dev.tessera.simulations.kafka.Delivered;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ground truth: the seeded simulator's stream through the real pipeline. The domain topics must
 * hold exactly the VALID and LATE events (lateness is the kernel's business), each once, with the
 * catalogue's genres; the dead-letter topic exactly the MALFORMED records with the reasons the
 * truth names; no DUPLICATE anywhere.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class SimulatedIngestIT {

  @Test
  void theDomainTopicsHoldExactlyTheSimulatorsValidEventsAndTheDeadLettersItsMalformedOnes(
      EmbeddedKafka kafka, TestNamespace names) throws Exception {
    String bootstrap = kafka.bootstrapServers();
    IngestSettings settings =
        IngestSettings.create(ConfigFactory.load()).withPrefix(names.prefix() + "-");
    TopicSetup.ensure(bootstrap, settings);
    Simulation simulation = Simulation.create(SimulationConfig.builder(20261127L).members(300)
        .titles(200).duplicateFraction(0.02).malformedFraction(0.01).lateFraction(0.005)
        .unknownTitleFraction(0.01).badKeyFraction(0.02).build());
    SimulationProducer.publishReference(simulation.reference(), bootstrap,
        new SimulationTopics(settings.rawTopic(), settings.contentMetadataTopic(),
            settings.memberProfilesTopic(), settings.rawPartitions()));

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "sim-ingest", ConfigFactory.load());
    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references);
    try {
      loader.awaitCaughtUp();
      IngestPipeline pipeline = IngestPipeline.start(system, bootstrap, settings, references,
          new IngestMetrics(), settings.transactionalId());
      List<Delivered> delivered =
          SimulationProducer.produce(simulation.generate(15_000), bootstrap, settings.rawTopic());

      Map<String, Truth> expectedDomain = new HashMap<>();
      Map<String, Truth> expectedDead = new HashMap<>();
      int duplicates = 0;
      for (Delivered d : delivered) {
        Truth truth = d.record().truth();
        switch (truth.kind()) {
          case VALID, LATE -> assertThat(expectedDomain.put(truth.eventId(), truth)).isNull();
          case MALFORMED -> expectedDead.put(d.partition() + "@" + d.offset(), truth);
          case DUPLICATE -> duplicates++;
          default -> throw new AssertionError(truth.kind());
        }
      }
      assertThat(duplicates).isPositive();
      assertThat(expectedDead).isNotEmpty();
      assertThat(expectedDomain.values()).anyMatch(t -> t.kind() == RecordKind.LATE);

      List<String> domainTopics = new ArrayList<>(settings.domainTopics().values());
      List<ConsumerRecord<byte[], byte[]>> domain = IngestTestKit.awaitCommitted(bootstrap,
          domainTopics, r -> r.size() >= expectedDomain.size(), Duration.ofSeconds(90));
      List<ConsumerRecord<byte[], byte[]>> dead = IngestTestKit.awaitCommitted(bootstrap,
          List.of(settings.deadLetterTopic()), r -> r.size() >= expectedDead.size(),
          Duration.ofSeconds(30));
      pipeline.drainAndShutdown().toCompletableFuture().get();

      Map<String, TitleMetadata> catalogue = simulation.reference().catalogue();
      assertThat(domain).hasSize(expectedDomain.size());
      for (ConsumerRecord<byte[], byte[]> record : domain) {
        EnrichedEventJson.Decoded decoded = EnrichedEventJson.decode(record.value());
        Truth truth = expectedDomain.get(decoded.event().eventId());
        assertThat(truth).as("unexpected event %s", decoded.event().eventId()).isNotNull();
        assertThat(decoded.event().event()).isEqualTo(truth.event());
        assertThat(record.topic()).isEqualTo(settings.domainTopic(truth.event().stream()));
        assertThat(new String(record.key())).isEqualTo(truth.memberId());
        String titleId = truth.event().titleId();
        TitleMetadata title = titleId == null ? null : catalogue.get(titleId);
        assertThat(decoded.event().genres())
            .isEqualTo(title == null ? List.of() : title.genres());
        assertThat(decoded.event().unknownTitle()).isEqualTo(titleId != null && title == null);
      }
      assertThat(domain.stream().map(IngestTestKit::eventId).collect(Collectors.toSet()))
          .isEqualTo(expectedDomain.keySet());

      assertThat(dead).hasSize(expectedDead.size());
      for (ConsumerRecord<byte[], byte[]> record : dead) {
        String origin = IngestTestKit.header(record, IngestRouter.SOURCE_PARTITION) + "@"
            + IngestTestKit.header(record, IngestRouter.SOURCE_OFFSET);
        Truth truth = expectedDead.get(origin);
        assertThat(truth).as("unexpected dead letter from %s", origin).isNotNull();
        Set<String> reasons = Set.of(IngestTestKit.header(record, IngestRouter.DLQ_REASONS).split(","));
        assertThat(reasons).as("%s (%s)", origin, truth.shape())
            .isEqualTo(truth.reasons().stream().map(Enum::name).collect(Collectors.toSet()));
      }
    } finally {
      loader.close();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }
}
