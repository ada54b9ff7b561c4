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
 * {@code sharding/} entity receives them (one message per member and stream per poll); the grouping
 * is done before the clock starts.
 */
public final class ApplyThroughput {
  static final int ROUNDS = 16;
  static final int WARM_UP_ROUNDS = 12;
  private static final long SPAN_MS = 2 * 3_600_000L;

  private final int pollSize;
  private final Profiles profiles = new Profiles(7, 2000);
  private final MemberFeatureState[] states;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long start = Profiles.NOW;

  /** Empty states of {@code member_engagement} v1; {@code pollSize} 0 applies event by event. */
  public ApplyThroughput(int members, int pollSize) {
    this.pollSize = pollSize;
    FeatureGroup group = Groups.memberEngagement();
    states = new MemberFeatureState[members];
    for (int m = 0; m < members; m++) {
      states[m] = MemberFeatureState.create(group, "member-" + m);
    }
  }

  public static void main(String[] args) {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int pollSize = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    ApplyThroughput run = new ApplyThroughput(members, pollSize);
    double cpuTotal = 0;
    double wallTotal = 0;
    long applied = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Round r = run.round();
      System.out.printf(
          "round %d%s: %,.0f events/CPU-s, %,.0f events/wall-s (%d accepted of %d)%n",
          round,
          round < WARM_UP_ROUNDS ? " (warm-up)" : "",
          r.events / r.cpuSeconds,
          r.events / r.wallSeconds,
          r.accepted,
          r.events);
      if (round >= WARM_UP_ROUNDS) {
        cpuTotal += r.cpuSeconds;
        wallTotal += r.wallSeconds;
        applied += r.events;
      }
    }
    System.out.printf(
        "apply, %d members%s: %,.0f events per CPU-second (one core), %,.0f per wall-second%n",
        members,
        pollSize > 0 ? ", each member's events of a " + pollSize + "-record poll in one batch" : "",
        applied / cpuTotal,
        applied / wallTotal);
  }

  /** What one round applied, and the applying thread's CPU time and the wall time it took. */
  public record Round(int events, int accepted, double cpuSeconds, double wallSeconds) {
    public double eventsPerCpuSecond() {
      return events / cpuSeconds;
    }
  }

  /** Applies the next 2 hours of event time (20 events per member) to the states. */
  public Round round() {
    int events = 20 * states.length;
    EnrichedEvent[] stream = profiles.mixedStream(states.length, events, start, SPAN_MS);
    start += SPAN_MS;
    int[] index = new int[events];
    for (int i = 0; i < events; i++) {
      index[i] = memberIndex(stream[i]);
    }
    List<MemberBatch> batches = pollSize > 0 ? batchesPerPoll(stream, pollSize) : List.of();
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
    return new Round(
        events,
        accepted,
        (threads.getCurrentThreadCpuTime() - cpu0) / 1e9,
        (System.nanoTime() - wall0) / 1e9);
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
