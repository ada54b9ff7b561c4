package dev.tessera.batch.backfill;

import dev.tessera.engine.event.EnrichedEvent;
import java.io.Serializable;
import java.util.Comparator;
import java.util.Objects;

/**
 * One archived domain record as the replay sees it: the enriched event, where it sits in its
 * stream's Kafka log, and when ingestion accepted it.
 *
 * @param partition the record's partition in its domain topic
 * @param offset the record's offset in that partition
 * @param ingestedAt the ingestion instant (epoch ms): the record exists for readers from then on
 */
public record TimedEvent(EnrichedEvent event, int partition, long offset, long ingestedAt)
    implements Serializable {

  /** A member's stream order: its Kafka order (a member's stream lives in one partition). */
  public static final Comparator<TimedEvent> LOG_ORDER =
      Comparator.comparingInt(TimedEvent::partition).thenComparingLong(TimedEvent::offset);

  /**
   * The order of an entity whose events come from many partitions (a title): ingestion order,
   * ties broken by the log position, so it is total and the same on every run.
   */
  public static final Comparator<TimedEvent> INGESTION_ORDER =
      Comparator.comparingLong(TimedEvent::ingestedAt).thenComparing(LOG_ORDER);

  public TimedEvent {
    Objects.requireNonNull(event, "event");
  }
}
