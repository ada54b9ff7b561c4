package dev.tessera.batch.backfill;

import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import java.io.Serializable;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which archive columns a replay of one feature group carries through the shuffle: the record's
 * identity and order ({@code member_id, event_id, type, event_time, ingested_at, partition,
 * offset}) always, and of the optional fields only those the group's features read (aggregated,
 * grouped by or filtered on). The kernel reads nothing else of an event, so leaving the rest at
 * their "absent" value (null, 0, no genres) gives the same values, and the shuffle is a fraction of
 * the archive's width.
 */
record EventLayout(
    boolean title,
    boolean watchedSeconds,
    boolean rating,
    boolean query,
    boolean bandwidth,
    boolean latency,
    boolean resolution,
    boolean genres)
    implements Serializable {

  /** The layout of a group's replay keyed by the entity (title keys always carry the title). */
  static EventLayout of(FeatureGroup group, PointInTimeJoin.Entity entity) {
    Set<EventField> used = fieldsOf(group);
    return new EventLayout(
        entity == PointInTimeJoin.Entity.TITLE || used.contains(EventField.TITLE_ID),
        used.contains(EventField.WATCHED_SECONDS),
        used.contains(EventField.RATING),
        used.contains(EventField.QUERY),
        used.contains(EventField.BANDWIDTH_KBPS),
        used.contains(EventField.LATENCY_MS),
        used.contains(EventField.RESOLUTION),
        used.contains(EventField.GENRE));
  }

  /**
   * Every event field named anywhere in the group's definitions: aggregation fields (also inside
   * ratio operands) and filter conditions. Found by walking the definition records, so a new
   * aggregation kind cannot be silently missed.
   */
  static Set<EventField> fieldsOf(FeatureGroup group) {
    Set<EventField> out = EnumSet.noneOf(EventField.class);
    for (FeatureDefinition f : group.features()) {
      collect(f.aggregation(), out);
      collect(f.filter(), out);
    }
    return out;
  }

  private static void collect(Object o, Set<EventField> out) {
    if (o instanceof EventField f) {
      out.add(f);
    } else if (o instanceof Collection<?> c) {
      c.forEach(x -> collect(x, out));
    } else if (o != null && o.getClass().isRecord()) {
      for (RecordComponent rc : o.getClass().getRecordComponents()) {
        try {
          collect(rc.getAccessor().invoke(o), out);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read " + rc, e);
        }
      }
    }
  }

  /** The archive columns to read, in the order {@link EventBlocks} encodes them. */
  List<String> columns() {
    List<String> c =
        new ArrayList<>(
            List.of(
                ArchiveSchema.MEMBER_ID,
                ArchiveSchema.EVENT_ID,
                ArchiveSchema.TYPE,
                ArchiveSchema.EVENT_TIME,
                ArchiveSchema.INGESTED_AT,
                ArchiveSchema.PARTITION,
                ArchiveSchema.OFFSET));
    if (title) {
      c.add(ArchiveSchema.TITLE_ID);
    }
    if (watchedSeconds) {
      c.add("watched_seconds");
    }
    if (rating) {
      c.add("rating");
    }
    if (query) {
      c.add("query");
    }
    if (bandwidth) {
      c.add("bandwidth_kbps");
    }
    if (latency) {
      c.add("latency_ms");
    }
    if (resolution) {
      c.add("resolution");
    }
    if (genres) {
      c.add("genres");
      c.add("unknown_title");
    }
    return c;
  }
}
