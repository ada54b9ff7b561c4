package dev.tessera.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.store.StoredSnapshot;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A seeded simulated stream for the node's end-to-end tests: raw records whose event times end
 * {@code endsAgoMs} before now (so reads as of now are exact), the catalogue and profiles
 * published, and the ground truth: the plain reference implementation fed every valid record.
 *
 * @param domainEvents records that reach the domain topics (neither malformed nor duplicate)
 */
public record SimulatedStream(List<SimulatedRecord> records, Map<String, ReferenceEngine> reference,
    long domainEvents) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static SimulatedStream publish(SimulationConfig simulated, int count, long endsAgoMs,
      FeatureGroup group, String bootstrap, IngestSettings topics) {
    long span = Simulation.create(simulated).spanMs(count);
    Simulation simulation = Simulation.create(
        simulated.withStartTimeMs(System.currentTimeMillis() - span - endsAgoMs));
    SimulationProducer.publishReference(simulation.reference(), bootstrap,
        new SimulationTopics(topics.rawTopic(), topics.contentMetadataTopic(),
            topics.memberProfilesTopic(), topics.rawPartitions()));
    List<SimulatedRecord> records = simulation.generate(count);
    Map<String, ReferenceEngine> reference = new TreeMap<>();
    long domainEvents = 0;
    for (SimulatedRecord record : records) {
      if (record.kind() != RecordKind.MALFORMED) {
        EnrichedEvent event = EnrichedEvent.enrich(record.truth().event(),
            simulation.reference().titleCatalogue());
        reference.computeIfAbsent(event.memberId(), m -> new ReferenceEngine(group, m))
            .apply(event);
        domainEvents += record.kind() == RecordKind.DUPLICATE ? 0 : 1;
      }
    }
    return new SimulatedStream(records, reference, domainEvents);
  }

  /** A group's entry of an HTTP answer ({@code groups.<name>}) as the kernel's snapshot. */
  @SuppressWarnings("unchecked")
  public static FeatureSnapshot served(String memberId, String group, JsonNode served) {
    return new StoredSnapshot(memberId, group, served.path("groupVersion").asInt(),
        served.path("snapshotVersion").asLong(),
        JSON.convertValue(served.path("values"), Map.class), served.path("asOf").asLong(),
        served.path("watermark").asLong(), 0, served.path("expiresAt").asLong(), Map.of())
        .toFeatureSnapshot();
  }
}
