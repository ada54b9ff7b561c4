package dev.tessera.sharding.ingest;

import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventParser;
import dev.tessera.engine.event.ParseResult;
import dev.tessera.engine.event.TitleMetadata;
import dev.tessera.engine.event.Violation;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What ingestion does with one raw record, free of streams and Kafka clients so it can be tested
 * and replayed: parse and validate, drop a duplicate, enrich, and route.
 *
 * <p>Outcomes: an invalid record becomes a dead-letter record (original key, value and headers,
 * plus {@code tessera.dlq.*} headers); a duplicate becomes nothing; a valid record becomes an
 * enriched record on its stream's domain topic, keyed by the body's member id, timestamped with
 * the ingestion instant. The ingestion instant is the raw record's broker timestamp (the raw topic
 * uses LogAppendTime), so a replay of the same partition reaches the same decisions.
 *
 * <p>Not thread-safe: the duplicate filter has one state per raw partition.
 */
public final class IngestRouter {
  public static final String DLQ_REASONS = "tessera.dlq.reasons";
  public static final String DLQ_DETAIL = "tessera.dlq.detail";
  public static final String SOURCE_TOPIC = "tessera.source.topic";
  public static final String SOURCE_PARTITION = "tessera.source.partition";
  public static final String SOURCE_OFFSET = "tessera.source.offset";
  public static final String INGESTED_AT = "tessera.ingested-at";

  private final IngestSettings settings;
  private final EventParser parser;
  private final ReferenceCache references;
  private final IngestMetrics metrics;
  private final Map<Integer, RawDeduplicator> dedupByPartition = new HashMap<>();

  public IngestRouter(IngestSettings settings, ReferenceCache references, IngestMetrics metrics) {
    this.settings = settings;
    this.parser = EventParser.create(settings.engine());
    this.references = references;
    this.metrics = metrics;
  }

  /** Whether the duplicate filter of this raw partition has state (false after an assignment). */
  boolean knowsPartition(int partition) {
    return dedupByPartition.containsKey(partition);
  }

  /**
   * Replays an earlier record of a partition into its duplicate filter only (after a restart or a
   * rebalance): no output, no metrics.
   */
  void replay(ConsumerRecord<byte[], byte[]> earlier) {
    if (parser.parse(earlier.value(), earlier.timestamp()) instanceof ParseResult.Valid valid) {
      dedup(earlier.partition()).isDuplicate(valid.event().eventId(), earlier.timestamp());
    }
  }

  /** Marks a partition's filter as rebuilt (possibly empty). */
  void rebuilt(int partition) {
    dedup(partition);
  }

  /** Forgets a partition's filter (its partition was revoked). */
  void forget(int partition) {
    dedupByPartition.remove(partition);
  }

  /** The record to produce for {@code raw}, or null when it is a duplicate. */
  public ProducerRecord<byte[], byte[]> route(ConsumerRecord<byte[], byte[]> raw) {
    metrics.recordsIn.increment();
    long ingestedAt = raw.timestamp();
    ParseResult result = parser.parse(raw.value(), ingestedAt);
    if (result instanceof ParseResult.Invalid invalid) {
      metrics.invalid(invalid.violations().get(0).reason());
      return deadLetter(raw, invalid.violations());
    }
    Event event = ((ParseResult.Valid) result).event();
    if (dedup(raw.partition()).isDuplicate(event.eventId(), ingestedAt)) {
      metrics.duplicates.increment();
      return null;
    }
    metrics.valid.increment();
    EnrichedEvent enriched = enrich(event);
    MemberProfile profile = references.member(event.memberId());
    if (profile == null) {
      metrics.profileMisses.increment();
    }
    byte[] value = EnrichedEventJson.encode(enriched, ingestedAt,
        profile == null ? null : profile.country(), profile == null ? null : profile.plan());
    metrics.routed(event.stream());
    RecordHeaders headers = new RecordHeaders();
    headers.add(SOURCE_PARTITION, ascii(Integer.toString(raw.partition())));
    headers.add(SOURCE_OFFSET, ascii(Long.toString(raw.offset())));
    return new ProducerRecord<>(settings.domainTopic(event.stream()), null, ingestedAt,
        event.memberId().getBytes(StandardCharsets.UTF_8), value, headers);
  }

  private EnrichedEvent enrich(Event event) {
    if (event.titleId() == null) {
      return new EnrichedEvent(event, List.of(), false);
    }
    metrics.titledEvents.increment();
    TitleMetadata title = references.title(event.titleId());
    if (title == null) {
      metrics.titleMisses.increment();
      return new EnrichedEvent(event, List.of(), true);
    }
    return new EnrichedEvent(event, title.genres(), false);
  }

  private ProducerRecord<byte[], byte[]> deadLetter(
      ConsumerRecord<byte[], byte[]> raw, List<Violation> violations) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : raw.headers()) {
      headers.add(header);
    }
    headers.add(DLQ_REASONS, ascii(violations.stream().map(v -> v.reason().name()).distinct()
        .collect(Collectors.joining(","))));
    headers.add(DLQ_DETAIL, violations.stream()
        .map(v -> (v.field().isEmpty() ? "" : v.field() + ": ") + v.message())
        .collect(Collectors.joining("; ")).getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_TOPIC, raw.topic().getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_PARTITION, ascii(Integer.toString(raw.partition())));
    headers.add(SOURCE_OFFSET, ascii(Long.toString(raw.offset())));
    headers.add(INGESTED_AT, ascii(Long.toString(raw.timestamp())));
    // Same partition as the raw record: the dead-letter topic keeps each raw partition's order.
    return new ProducerRecord<>(settings.deadLetterTopic(),
        raw.partition() % settings.domainPartitions(), raw.timestamp(), raw.key(), raw.value(),
        headers);
  }

  private RawDeduplicator dedup(int partition) {
    return dedupByPartition.computeIfAbsent(partition, p -> new RawDeduplicator(
        settings.dedupWindow().toMillis(), settings.dedupMaxIdsPerPartition()));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
