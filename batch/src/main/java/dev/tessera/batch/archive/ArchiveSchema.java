package dev.tessera.batch.archive;

import dev.tessera.batch.backfill.TimedEvent;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.ArraySeq;

/**
 * The Parquet event archive's row: one committed domain record with its Kafka coordinates
 * ({@code topic}, {@code partition}, {@code offset}: a record's identity, and each stream's order),
 * its ingestion instant, and every field of the enriched event, so that the event the kernel replays
 * is exactly the one ingestion wrote. Partitioned on disk by {@code event_date} (UTC date of
 * {@code event_time}).
 */
public final class ArchiveSchema {
  public static final String TOPIC = "topic";
  public static final String PARTITION = "partition";
  public static final String OFFSET = "offset";
  public static final String KAFKA_TIMESTAMP = "kafka_timestamp";
  public static final String INGESTED_AT = "ingested_at";
  public static final String MEMBER_ID = "member_id";
  public static final String EVENT_ID = "event_id";
  public static final String TYPE = "type";
  public static final String STREAM = "stream";
  public static final String EVENT_TIME = "event_time";
  public static final String TITLE_ID = "title_id";
  public static final String EVENT_DATE = "event_date";

  /** Column order; the indices below follow it. */
  public static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            field(TOPIC, DataTypes.StringType, false),
            field(PARTITION, DataTypes.IntegerType, false),
            field(OFFSET, DataTypes.LongType, false),
            field(KAFKA_TIMESTAMP, DataTypes.LongType, false),
            field(INGESTED_AT, DataTypes.LongType, false),
            field(MEMBER_ID, DataTypes.StringType, false),
            field(EVENT_ID, DataTypes.StringType, false),
            field(TYPE, DataTypes.StringType, false),
            field(STREAM, DataTypes.StringType, false),
            field(EVENT_TIME, DataTypes.LongType, false),
            field("schema_version", DataTypes.IntegerType, false),
            field(TITLE_ID, DataTypes.StringType, true),
            field("watched_seconds", DataTypes.IntegerType, false),
            field("rating", DataTypes.IntegerType, false),
            field("query", DataTypes.StringType, true),
            field("bandwidth_kbps", DataTypes.DoubleType, false),
            field("latency_ms", DataTypes.DoubleType, false),
            field("resolution", DataTypes.StringType, true),
            field("genres", DataTypes.createArrayType(DataTypes.StringType, false), false),
            field("unknown_title", DataTypes.BooleanType, false),
            field("country", DataTypes.StringType, true),
            field("plan", DataTypes.StringType, true),
            field(EVENT_DATE, DataTypes.StringType, false)
          });

  /** Columns a replay needs, in {@link #SCHEMA}'s order. */
  public static final String[] COLUMNS = SCHEMA.fieldNames();

  private ArchiveSchema() {}

  private static StructField field(String name, org.apache.spark.sql.types.DataType t, boolean n) {
    return DataTypes.createStructField(name, t, n);
  }

  /** The archive row of one decoded domain record. */
  public static Row toRow(
      String topic, int partition, long offset, long kafkaTimestamp, EnrichedEventJson.Decoded d) {
    EnrichedEvent enriched = d.event();
    Event e = enriched.event();
    return RowFactory.create(
        topic,
        partition,
        offset,
        kafkaTimestamp,
        d.ingestedAt(),
        e.memberId(),
        e.eventId(),
        e.type().wireName(),
        e.stream().wireName(),
        e.eventTime(),
        e.schemaVersion(),
        e.titleId(),
        e.watchedSeconds(),
        e.rating(),
        e.query(),
        e.bandwidthKbps(),
        e.latencyMs(),
        e.resolution(),
        ArraySeq.unsafeWrapArray(enriched.genres().toArray(new String[0])),
        enriched.unknownTitle(),
        d.country(),
        d.plan(),
        eventDate(e.eventTime()));
  }

  /** The UTC date of an instant, {@code yyyy-MM-dd}: the archive's partition value. */
  public static String eventDate(long epochMs) {
    return Instant.ofEpochMilli(epochMs).atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  /** The event of an archive row (a row of {@link #SCHEMA}, by position). */
  public static TimedEvent toTimedEvent(Row r) {
    Event e =
        new Event(
            r.getString(6),
            r.getString(5),
            EventType.fromWire(r.getString(7))
                .orElseThrow(() -> new IllegalArgumentException("unknown type " + r.getString(7))),
            r.getLong(9),
            r.getInt(10),
            r.getString(11),
            r.getInt(12),
            r.getInt(13),
            r.getString(14),
            r.getDouble(15),
            r.getDouble(16),
            r.getString(17));
    List<String> genres = new ArrayList<>(r.getList(18));
    return new TimedEvent(new EnrichedEvent(e, genres, r.getBoolean(19)), r.getInt(1), r.getLong(2),
        r.getLong(4));
  }
}
