package dev.tessera.engine.bench;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.testkit.Groups;
import dev.tessera.engine.window.Outcome;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The apply throughput of {@link ApplyBenchmark} measured in CPU time of the applying thread as
 * well as wall time: events per CPU-second is the per-core figure even when other processes share
 * the machine (which makes JMH's wall times noisy here). Steady state: 100,000 members, 2 hours of
 * event time (2 million events) per round; 12 warm-up rounds fill a full day of state (so arrays
 * stop growing and eviction runs as in production), then 4 measured rounds on the same states. A
 * smaller member count (first argument) keeps the per-member density: 20 events per member per
 * round.
 *
 * <p>With a poll size (second argument), the stream is cut into polls of that many records and each
 * member's events of a poll are applied together with {@link MemberFeatureState#applyAll}, as the
 * {@code sharding/} entity receives them (one message per member and stream per poll); the
 * grouping is done before the clock starts.
 */
public final class ApplyThroughput {
  private ApplyThroughput() {}

  public static void main(String[] args) {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int pollSize = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int events = 20 * members; // 20 events per member per 2 hours, whatever the member count
    long span = 2 * 3_600_000L;
    FeatureGroup group = Groups.memberEngagement();
    Profiles profiles = new Profiles(7, 2000);
    MemberFeatureState[] states = new MemberFeatureState[members];
    for (int m = 0; m < members; m++) {
      states[m] = MemberFeatureState.create(group, "member-" + m);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = Profiles.NOW;
    double cpuTotal = 0;
    double wallTotal = 0;
    long applied = 0;
    for (int round = 0; round < 16; round++) {
      EnrichedEvent[] stream = profiles.mixedStream(members, events, start, span);
      int[] index = new int[events];
      for (int i = 0; i < events; i++) {
        index[i] = memberIndex(stream[i]);
      }
      List<MemberBatch> batches = pollSize > 0 ? batchesPerPoll(stream, pollSize) : List.of();
      start += span;
      System.gc();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      int accepted = 0;
      if (pollSize > 0) {
        for (MemberBatch b : batches) {
          accepted += states[b.member].applyAll(b.events, null, null).accepted();
        }
      } else {
        for (int i = 0; i < events; i++) {
          if (states[index[i]].apply(stream[i]) == Outcome.ACCEPTED) {
            accepted++;
          }
        }
      }
      double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
      double wall = (System.nanoTime() - wall0) / 1e9;
      System.out.printf(
          "round %d%s: %,.0f events/CPU-s, %,.0f events/wall-s (%d accepted of %d)%n",
          round, round < 12 ? " (warm-up)" : "", events / cpu, events / wall, accepted, events);
      if (round >= 12) {
        cpuTotal += cpu;
        wallTotal += wall;
        applied += events;
      }
    }
    System.out.printf(
        "apply, %d members%s: %,.0f events per CPU-second (one core), %,.0f per wall-second%n",
        members,
        pollSize > 0 ? ", each member's events of a " + pollSize + "-record poll in one batch" : "",
        applied / cpuTotal,
        applied / wallTotal);
  }

  private static int memberIndex(EnrichedEvent e) {
    return Integer.parseInt(e.memberId().substring("member-".length()));
  }

  private record MemberBatch(int member, List<EnrichedEvent> events) {}

  /** Per poll, one batch per member (in order of first appearance), each in stream order. */
  private static List<MemberBatch> batchesPerPoll(EnrichedEvent[] stream, int pollSize) {
    List<MemberBatch> out = new ArrayList<>();
    for (int from = 0; from < stream.length; from += pollSize) {
      Map<Integer, List<EnrichedEvent>> poll = new LinkedHashMap<>();
      for (int i = from; i < Math.min(stream.length, from + pollSize); i++) {
        poll.computeIfAbsent(memberIndex(stream[i]), m -> new ArrayList<>()).add(stream[i]);
      }
      poll.forEach((m, events) -> out.add(new MemberBatch(m, events)));
    }
    return out;
  }
}
