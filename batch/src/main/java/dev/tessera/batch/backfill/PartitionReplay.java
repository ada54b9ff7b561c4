package dev.tessera.batch.backfill;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The reduce side of the point-in-time join: every entity of one partition's {@link EventTable}
 * that has spine rows is replayed once, lazily, entity by entity.
 *
 * <p>Per entity: its events are put in stream order (stream, then the stream's own order: log
 * order for a member, ingestion order for a title); when each stream's ingestion times never
 * decrease along it (ingestion appends), the streams are merged by ingestion time (ties: lower
 * stream first, then stream order) and one {@link MemberFeatureState} is fed them and read at each
 * spine instant in increasing order, events materialised only as they are applied. This is {@link
 * PointInTimeReplay}'s fast path on primitive columns; every other case (a stream whose ingestion
 * goes backwards, an instant before the state's exact range) takes {@link PointInTimeReplay}'s
 * exact path over the entity's events, so both give the kernel's values.
 */
final class PartitionReplay implements Iterator<Row> {
  private final EventTable table;
  private final FeatureGroup group;
  private final long computedAt;
  private final IntSort.Order withinStream;
  private final int width;

  private final int[] eventFrom;
  private final int[] events;
  private final int[] spineFrom;
  private final int[] spine;
  private int nextKey;
  private final ArrayDeque<Row> ready = new ArrayDeque<>();

  // per-entity scratch
  private int[] order = new int[256];
  private int[] merged = new int[256];
  private int[] tmp = new int[256];
  private int[] instants = new int[64];
  private final int[] streamFrom = new int[EventStream.count() + 1];
  private final int[] streamAt = new int[EventStream.count()];

  /** Replays fell back to the exact path (diagnostics and tests). */
  long fallbacks;

  PartitionReplay(
      EventTable table, FeatureGroup group, PointInTimeJoin.Entity entity, long computedAt) {
    this.table = table;
    this.group = group;
    this.computedAt = computedAt;
    this.withinStream =
        entity == PointInTimeJoin.Entity.TITLE ? this::titleOrder : this::logOrder;
    this.width = 3 + group.features().size();
    int keys = table.idCount();
    eventFrom = new int[keys + 1];
    events = countingSort(table.key, table.size, keys, eventFrom);
    spineFrom = new int[keys + 1];
    spine = countingSort(table.spineKey, table.spineSize, keys, spineFrom);
  }

  /** Indices 0..n-1 grouped by key (stable); {@code from[k]..from[k+1]} is key k's range. */
  private static int[] countingSort(int[] keys, int n, int keyCount, int[] from) {
    for (int i = 0; i < n; i++) {
      from[keys[i] + 1]++;
    }
    for (int k = 0; k < keyCount; k++) {
      from[k + 1] += from[k];
    }
    int[] at = java.util.Arrays.copyOf(from, keyCount);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[at[keys[i]]++] = i;
    }
    return out;
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && nextKey < eventFrom.length - 1) {
      int k = nextKey++;
      if (spineFrom[k + 1] > spineFrom[k]) {
        replay(k);
      }
    }
    return !ready.isEmpty();
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  private void replay(int k) {
    String id = table.names.get(k);
    EventTable t = table;
    int n = eventFrom[k + 1] - eventFrom[k];
    order = ensure(order, n);
    tmp = ensure(tmp, n);
    groupByStream(eventFrom[k], n);
    for (int s = 0; s < streamFrom.length - 1; s++) {
      IntSort.sort(order, streamFrom[s], streamFrom[s + 1], tmp, withinStream);
    }
    t.numberIds(order, n);

    int m = spineFrom[k + 1] - spineFrom[k];
    instants = ensure(instants, m);
    System.arraycopy(spine, spineFrom[k], instants, 0, m);
    int[] spineTmp = new int[m];
    IntSort.sort(instants, 0, m, spineTmp, (a, b) -> Long.compare(t.asOf[a], t.asOf[b]));

    long[] maxIngested = new long[m];
    FeatureSnapshot[] out = new FeatureSnapshot[m];
    Map<EventStream, List<TimedEvent>> streams = null;
    if (!mergeByIngestion(n)) {
      streams = streams(n);
      long[] asOfs = new long[m];
      for (int j = 0; j < m; j++) {
        asOfs[j] = t.asOf[instants[j]];
      }
      fallbacks += m;
      out = PointInTimeReplay.replay(group, id, streams, asOfs, maxIngested, computedAt, null);
    } else {
      MemberFeatureState state = MemberFeatureState.create(group, id);
      int next = 0;
      long seen = Long.MIN_VALUE;
      for (int j = 0; j < m; j++) {
        long at = t.asOf[instants[j]];
        while (next < n && t.ingested[merged[next]] <= at) {
          int e = merged[next++];
          state.apply(t.event(e));
          seen = Math.max(seen, t.ingested[e]);
        }
        if (at >= state.exactFrom()) {
          out[j] = state.snapshot(at, computedAt);
          maxIngested[j] = seen;
        } else {
          if (streams == null) {
            streams = streams(n);
          }
          fallbacks++;
          out[j] =
              PointInTimeReplay.replayVisible(group, id, streams, at, computedAt, maxIngested, j);
        }
      }
    }
    for (int j = 0; j < m; j++) {
      Object[] values = new Object[width];
      values[0] = t.rowId[instants[j]];
      values[1] = t.asOf[instants[j]];
      values[2] = maxIngested[j] == Long.MIN_VALUE ? null : maxIngested[j];
      FeatureColumns.put(group, out[j], values, 3);
      ready.add(RowFactory.create(values));
    }
  }

  /**
   * The entity's events {@code events[from..from+n)} into {@code order}, grouped by stream (stable);
   * {@code streamFrom[s]..streamFrom[s+1]} is stream s's range.
   */
  private void groupByStream(int from, int n) {
    EventTable t = table;
    java.util.Arrays.fill(streamFrom, 0);
    for (int i = from; i < from + n; i++) {
      streamFrom[t.stream(events[i]) + 1]++;
    }
    for (int s = 1; s < streamFrom.length; s++) {
      streamFrom[s] += streamFrom[s - 1];
    }
    int[] at = streamAt;
    System.arraycopy(streamFrom, 0, at, 0, at.length);
    for (int i = from; i < from + n; i++) {
      order[at[t.stream(events[i])]++] = events[i];
    }
  }

  /** A member's order within a stream: its Kafka log position. */
  private int logOrder(int a, int b) {
    EventTable t = table;
    int c = Integer.compare(t.partition[a], t.partition[b]);
    return c != 0 ? c : Long.compare(t.offset[a], t.offset[b]);
  }

  /** A title's order within a stream: ingestion time, then log position. */
  private int titleOrder(int a, int b) {
    EventTable t = table;
    int c = Long.compare(t.ingested[a], t.ingested[b]);
    return c != 0 ? c : logOrder(a, b);
  }

  /**
   * Merges the streams of {@code order[0..n)} (stream-major) by ingestion time into {@code merged},
   * ties to the lower stream; false (nothing merged) if a stream's ingestion times go backwards.
   */
  private boolean mergeByIngestion(int n) {
    EventTable t = table;
    int streams = EventStream.count();
    int[] head = new int[streams];
    int[] end = new int[streams];
    for (int i = 0; i < n; i++) {
      int s = t.stream(order[i]);
      if (end[s] == 0) {
        head[s] = i;
      } else if (t.ingested[order[i]] < t.ingested[order[i - 1]]) {
        return false;
      }
      end[s] = i + 1;
    }
    merged = ensure(merged, n);
    for (int out = 0; out < n; out++) {
      int best = -1;
      long bestTime = Long.MAX_VALUE;
      for (int s = 0; s < streams; s++) {
        if (head[s] < end[s]) {
          long time = t.ingested[order[head[s]]];
          if (best < 0 || time < bestTime) {
            best = s;
            bestTime = time;
          }
        }
      }
      merged[out] = order[head[best]++];
    }
    return true;
  }

  /** The entity's events as the exact path takes them: per stream, in stream order. */
  private Map<EventStream, List<TimedEvent>> streams(int n) {
    Map<EventStream, List<TimedEvent>> out = new EnumMap<>(EventStream.class);
    for (int i = 0; i < n; i++) {
      TimedEvent e = table.timed(order[i]);
      out.computeIfAbsent(e.event().stream(), s -> new ArrayList<>()).add(e);
    }
    return out;
  }

  private static int[] ensure(int[] a, int n) {
    return a.length >= n ? a : new int[Math.max(n, a.length * 2)];
  }
}
