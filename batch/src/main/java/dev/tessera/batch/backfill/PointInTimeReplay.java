package dev.tessera.batch.backfill;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.state.MemberReplay;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Point-in-time feature vectors of one entity (a member, or a title) from its archived events: the
 * vector as of instant t is the kernel's, fed only the events ingested at or before t, each stream
 * in its own order (window contract rules 4 and 6).
 *
 * <p>Fast path, one pass for all instants: when every stream's ingestion times never decrease along
 * its order (the normal case: ingestion appends), the events visible at t are a prefix of each
 * stream, so a single {@link MemberFeatureState} is fed the events in ingestion order and read at
 * each instant in increasing order, exactly as the streaming runtime would have been at t. Reading
 * is exact for {@code t >= exactFrom()}; events can only move the state's exact range past t when
 * their eventTime runs ahead of their ingestion by more than the allowed lateness, and then (or when
 * a stream's ingestion times go backwards) that instant falls back to {@link MemberReplay} over the
 * events visible at t, which is exact for any t. Both paths give the kernel's values.
 */
public final class PointInTimeReplay {

  private PointInTimeReplay() {}

  /**
   * Vectors as of each instant.
   *
   * @param streams each stream's events in that stream's order (log order for a member)
   * @param asOfs instants, in any order; each sees events with {@code ingestedAt <= asOf}
   * @param maxIngested filled per instant with the largest ingestion time among the events it saw
   *     ({@code Long.MIN_VALUE} when none): the leakage check's evidence
   * @return one snapshot per instant, in the order of {@code asOfs}
   */
  public static FeatureSnapshot[] replay(
      FeatureGroup group,
      String entityId,
      Map<EventStream, List<TimedEvent>> streams,
      long[] asOfs,
      long[] maxIngested,
      long computedAt,
      long[] fallbackCounter) {
    Integer[] order = new Integer[asOfs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(asOfs[a], asOfs[b]));
    FeatureSnapshot[] out = new FeatureSnapshot[asOfs.length];
    boolean monotone = streams.values().stream().allMatch(PointInTimeReplay::ingestionNeverDecreases);
    List<TimedEvent> merged = monotone ? mergeByIngestion(streams) : List.of();
    MemberFeatureState state = MemberFeatureState.create(group, entityId);
    int next = 0;
    long seen = Long.MIN_VALUE;
    for (int i : order) {
      long t = asOfs[i];
      if (monotone) {
        while (next < merged.size() && merged.get(next).ingestedAt() <= t) {
          TimedEvent e = merged.get(next++);
          state.apply(e.event());
          seen = Math.max(seen, e.ingestedAt());
        }
        if (t >= state.exactFrom()) {
          out[i] = state.snapshot(t, computedAt);
          maxIngested[i] = seen;
          continue;
        }
      }
      if (fallbackCounter != null) {
        fallbackCounter[0]++;
      }
      out[i] = replayVisible(group, entityId, streams, t, computedAt, maxIngested, i);
    }
    return out;
  }

  /** The vector as of t from exactly the events visible at t (exact for any t). */
  static FeatureSnapshot replayVisible(
      FeatureGroup group,
      String entityId,
      Map<EventStream, List<TimedEvent>> streams,
      long t,
      long computedAt,
      long[] maxIngested,
      int slot) {
    Map<EventStream, List<EnrichedEvent>> visible = new EnumMap<>(EventStream.class);
    long seen = Long.MIN_VALUE;
    for (Map.Entry<EventStream, List<TimedEvent>> s : streams.entrySet()) {
      List<EnrichedEvent> kept = new ArrayList<>();
      for (TimedEvent e : s.getValue()) {
        if (e.ingestedAt() <= t) {
          kept.add(e.event());
          seen = Math.max(seen, e.ingestedAt());
        }
      }
      visible.put(s.getKey(), kept);
    }
    maxIngested[slot] = seen;
    return MemberReplay.replay(group, entityId, visible, new long[] {t}, computedAt).get(0);
  }

  static boolean ingestionNeverDecreases(List<TimedEvent> events) {
    for (int i = 1; i < events.size(); i++) {
      if (events.get(i).ingestedAt() < events.get(i - 1).ingestedAt()) {
        return false;
      }
    }
    return true;
  }

  /** All streams merged by ingestion time; each stream keeps its order (ties: stream order). */
  private static List<TimedEvent> mergeByIngestion(Map<EventStream, List<TimedEvent>> streams) {
    List<List<TimedEvent>> lists = new ArrayList<>(streams.values());
    int total = 0;
    for (List<TimedEvent> l : lists) {
      total += l.size();
    }
    List<TimedEvent> out = new ArrayList<>(total);
    int[] heads = new int[lists.size()];
    while (out.size() < total) {
      int best = -1;
      long bestTime = Long.MAX_VALUE;
      for (int s = 0; s < heads.length; s++) {
        List<TimedEvent> l = lists.get(s);
        if (heads[s] < l.size() && l.get(heads[s]).ingestedAt() < bestTime) {
          bestTime = l.get(heads[s]).ingestedAt();
          best = s;
        }
      }
      out.add(lists.get(best).get(heads[best]++));
    }
    return out;
  }
}
