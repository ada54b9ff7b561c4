package dev.tessera.batch.backfill;

import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.CoGroupFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The point-in-time join: for every spine row (row id, entity, as-of instant), the feature group's
 * vector of that entity as of that instant, computed by the engine kernel ({@link
 * PointInTimeReplay}) from the archived events ingested at or before it.
 *
 * <p>How it scales: the events and the spine are co-grouped by entity (one shuffle, hash-partitioned
 * and sorted by entity within each partition), so each entity's events are decoded and replayed
 * once for all of its spine rows, in as-of order. A range join instead pairs every spine row with
 * every event of its entity and aggregates each pair set again.
 *
 * <p>Output columns: {@code row_id}, {@code <prefix>as_of} (the instant the values are exact for),
 * {@code <prefix>max_ingested_at} (largest ingestion time among the events seen; null when none, the
 * leakage check's evidence), then one column per feature named {@code <prefix><feature>}.
 */
public final class PointInTimeJoin implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Spine columns: a unique row id, the entity key, and the as-of instant (epoch ms). */
  public static final String ROW_ID = "row_id";

  public static final String AS_OF = "as_of";

  /** Whose features: the entity key column of the archive and how its streams are ordered. */
  public enum Entity {
    /** Member features: each (member, stream) replayed in Kafka offset order. */
    MEMBER(ArchiveSchema.MEMBER_ID),
    /**
     * Title features: the title's events from every member, each stream in ingestion order (a
     * title's events span partitions, so ingestion order is its only total order). Event ids are
     * qualified by member so two members' ids never collide in the title's duplicate check.
     */
    TITLE(ArchiveSchema.TITLE_ID);

    private final String column;

    Entity(String column) {
      this.column = column;
    }

    public String column() {
      return column;
    }
  }

  private final FeatureGroup group;
  private final Entity entity;
  private final String prefix;
  private final long computedAt;

  public PointInTimeJoin(FeatureGroup group, Entity entity, String prefix, long computedAt) {
    this.group = Objects.requireNonNull(group, "group");
    this.entity = Objects.requireNonNull(entity, "entity");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.computedAt = computedAt;
  }

  /** The output schema. */
  public StructType schema() {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(ROW_ID, DataTypes.LongType, false));
    fields.add(DataTypes.createStructField(prefix + AS_OF, DataTypes.LongType, false));
    fields.add(DataTypes.createStructField(prefix + "max_ingested_at", DataTypes.LongType, true));
    fields.addAll(FeatureColumns.fields(group, prefix));
    return new StructType(fields.toArray(new StructField[0]));
  }

  /**
   * Features for every spine row.
   *
   * @param events archive rows ({@link ArchiveSchema#SCHEMA} columns)
   * @param spine rows with {@code row_id} (long), the entity's key column and {@code as_of} (long)
   */
  public Dataset<Row> compute(Dataset<Row> events, Dataset<Row> spine) {
    String key = entity.column();
    Dataset<Row> archived =
        events
            .select(java.util.Arrays.stream(ArchiveSchema.COLUMNS).map(functions::col)
                .toArray(org.apache.spark.sql.Column[]::new))
            .where(functions.col(key).isNotNull());
    Dataset<Row> requests = spine.select(functions.col(key), functions.col(ROW_ID),
        functions.col(AS_OF).cast(DataTypes.LongType));
    int keyIndex = java.util.Arrays.asList(ArchiveSchema.COLUMNS).indexOf(key);
    StructType schema = schema();
    Entity keyed = entity;
    FeatureGroup g = group;
    String p = prefix;
    long at = computedAt;
    return archived
        .groupByKey((MapFunction<Row, String>) r -> r.getString(keyIndex), Encoders.STRING())
        .cogroup(
            requests.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING()),
            (CoGroupFunction<String, Row, Row, Row>)
                (id, evs, reqs) -> rows(g, keyed, p, at, id, evs, reqs),
            Encoders.row(schema));
  }

  private static Iterator<Row> rows(
      FeatureGroup group,
      Entity entity,
      String prefix,
      long computedAt,
      String id,
      Iterator<Row> events,
      Iterator<Row> requests) {
    if (!requests.hasNext()) {
      return java.util.Collections.emptyIterator();
    }
    List<Row> spine = new ArrayList<>();
    requests.forEachRemaining(spine::add);
    Map<EventStream, List<TimedEvent>> streams = new EnumMap<>(EventStream.class);
    while (events.hasNext()) {
      TimedEvent e = ArchiveSchema.toTimedEvent(events.next());
      if (entity == Entity.TITLE) {
        e = asTitleEvent(e);
      }
      streams.computeIfAbsent(e.event().stream(), s -> new ArrayList<>()).add(e);
    }
    Comparator<TimedEvent> order =
        entity == Entity.MEMBER ? TimedEvent.LOG_ORDER : TimedEvent.INGESTION_ORDER;
    streams.values().forEach(l -> l.sort(order));
    long[] asOfs = new long[spine.size()];
    for (int i = 0; i < asOfs.length; i++) {
      asOfs[i] = spine.get(i).getLong(2);
    }
    long[] maxIngested = new long[asOfs.length];
    FeatureSnapshot[] snapshots =
        PointInTimeReplay.replay(group, id, streams, asOfs, maxIngested, computedAt, null);
    int width = 3 + group.features().size();
    List<Row> out = new ArrayList<>(spine.size());
    for (int i = 0; i < asOfs.length; i++) {
      Object[] values = new Object[width];
      values[0] = spine.get(i).getLong(1);
      values[1] = asOfs[i];
      values[2] = maxIngested[i] == Long.MIN_VALUE ? null : maxIngested[i];
      FeatureColumns.put(group, snapshots[i], values, 3);
      out.add(RowFactory.create(values));
    }
    return out.iterator();
  }

  /** The event re-keyed to its title, its id qualified by its member. */
  static TimedEvent asTitleEvent(TimedEvent t) {
    Event e = t.event().event();
    Event keyed =
        new Event(e.memberId() + "/" + e.eventId(), e.titleId(), e.type(), e.eventTime(),
            e.schemaVersion(), e.titleId(), e.watchedSeconds(), e.rating(), e.query(),
            e.bandwidthKbps(), e.latencyMs(), e.resolution());
    return new TimedEvent(new EnrichedEvent(keyed, t.event().genres(), t.event().unknownTitle()),
        t.partition(), t.offset(), t.ingestedAt());
  }
}
