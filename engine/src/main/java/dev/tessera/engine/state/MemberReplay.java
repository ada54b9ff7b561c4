package dev.tessera.engine.state;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.window.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Point-in-time replay of one member for {@code batch/}: the same {@link MemberFeatureState} as
 * streaming, fed each (member, stream) in offset order, read as of each requested instant.
 *
 * <p>How it stays exact: acceptance depends only on each stream's own order, so a first pass per
 * stream keeps the accepted events. The accepted events of all streams are then merged by eventTime
 * (each stream keeping its own order), and the vector as of t is read just before the first event
 * later than {@code t + allowedLateness}: by then every accepted event with eventTime &lt;= t has
 * been applied and none can follow, and t is within the state's exact range.
 */
public final class MemberReplay {
  private MemberReplay() {}

  /**
   * Snapshots of one member as of each instant.
   *
   * @param streams each stream's events in offset order
   * @param asOfs instants to read at, in any order
   * @param computedAt recorded in each snapshot
   * @return one snapshot per instant, in the order of {@code asOfs}
   */
  public static List<FeatureSnapshot> replay(
      FeatureGroup group,
      String memberId,
      Map<EventStream, List<EnrichedEvent>> streams,
      long[] asOfs,
      long computedAt) {
    List<List<EnrichedEvent>> accepted = new ArrayList<>();
    for (List<EnrichedEvent> events : streams.values()) {
      MemberFeatureState filter = MemberFeatureState.create(group, memberId);
      List<EnrichedEvent> kept = new ArrayList<>();
      for (EnrichedEvent e : events) {
        if (filter.apply(e) == Outcome.ACCEPTED) {
          kept.add(e);
        }
      }
      accepted.add(kept);
    }
    Integer[] order = new Integer[asOfs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(asOfs[a], asOfs[b]));
    FeatureSnapshot[] out = new FeatureSnapshot[asOfs.length];
    MemberFeatureState state = MemberFeatureState.create(group, memberId);
    int[] heads = new int[accepted.size()];
    long lateness = group.allowedLatenessMs();
    for (Integer i : order) {
      long t = asOfs[i];
      while (true) {
        int next = -1;
        long nextTime = Long.MAX_VALUE;
        for (int s = 0; s < heads.length; s++) {
          List<EnrichedEvent> list = accepted.get(s);
          if (heads[s] < list.size() && list.get(heads[s]).eventTime() < nextTime) {
            nextTime = list.get(heads[s]).eventTime();
            next = s;
          }
        }
        if (next < 0 || nextTime > t + lateness) {
          break;
        }
        state.apply(accepted.get(next).get(heads[next]++));
      }
      out[i] = state.snapshot(t, computedAt);
    }
    return List.of(out);
  }
}
