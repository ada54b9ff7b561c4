package dev.tessera.batch.testkit;

import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.backfill.TimedEvent;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.Partitioning;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * What ingestion would have written to the domain topics for a seeded simulation, built in memory:
 * every event the simulator generates (valid, late, duplicate: the kernel sorts them out), enriched
 * with the simulation's catalogue, on partition murmur2(member) of its stream's topic, offsets in
 * generation order, ingested at the generation clock (the running maximum event time plus 100 ms).
 */
public final class DomainLog {
  public static final int PARTITIONS = 3;

  private final List<Record> records = new ArrayList<>();
  private final Map<String, Long> nextOffset = new HashMap<>();
  private final TitleCatalogue catalogue;

  /** One domain record. */
  public record Record(String topic, TimedEvent event) {
    public EnrichedEventJson.Decoded decoded() {
      return new EnrichedEventJson.Decoded(event.event(), event.ingestedAt(), null, null);
    }

    public Row row() {
      return ArchiveSchema.toRow(topic, event.partition(), event.offset(), event.ingestedAt(),
          decoded());
    }

    public String memberId() {
      return event.event().memberId();
    }
  }

  private DomainLog(TitleCatalogue catalogue) {
    this.catalogue = catalogue;
  }

  public static DomainLog simulate(SimulationConfig config, int count) {
    Simulation simulation = Simulation.create(config);
    DomainLog log = new DomainLog(simulation.reference().titleCatalogue());
    long clock = Long.MIN_VALUE;
    for (SimulatedRecord r : simulation.generate(count)) {
      if (r.truth().event() == null) {
        continue;
      }
      clock = Math.max(clock, r.truth().event().eventTime() + 100);
      log.append(EnrichedEvent.enrich(r.truth().event(), log.catalogue), clock);
    }
    return log;
  }

  public static DomainLog empty(TitleCatalogue catalogue) {
    return new DomainLog(catalogue);
  }

  /** Appends an event to its stream's topic, ingested at {@code ingestedAt}. */
  public Record append(EnrichedEvent e, long ingestedAt) {
    String topic = e.stream().wireName();
    int partition = Partitioning.partition(e.memberId(), PARTITIONS);
    long offset = nextOffset.merge(topic + "/" + partition, 1L, Long::sum) - 1;
    Record r = new Record(topic, new TimedEvent(e, partition, offset, ingestedAt));
    records.add(r);
    return r;
  }

  public List<Record> records() {
    return List.copyOf(records);
  }

  public List<Row> rows() {
    return records.stream().map(Record::row).toList();
  }

  public long lastIngestedAt() {
    return records.stream().mapToLong(r -> r.event().ingestedAt()).max().orElseThrow();
  }

  public long firstIngestedAt() {
    return records.stream().mapToLong(r -> r.event().ingestedAt()).min().orElseThrow();
  }

  /** A member's events per stream, in offset order (records are appended in offset order). */
  public Map<String, Map<EventStream, List<TimedEvent>>> byMember() {
    Map<String, Map<EventStream, List<TimedEvent>>> out = new LinkedHashMap<>();
    for (Record r : records) {
      out.computeIfAbsent(r.memberId(), m -> new LinkedHashMap<>())
          .computeIfAbsent(r.event().event().stream(), s -> new ArrayList<>())
          .add(r.event());
    }
    return out;
  }
}
