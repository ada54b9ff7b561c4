package dev.tessera.engine.bench;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.testkit.Groups;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The apply throughput of {@link ApplyBenchmark} measured in CPU time of the applying thread as
 * well as wall time: events per CPU-second is the per-core figure even when other processes share
 * the machine (which makes JMH's wall times noisy here). Steady state: 100,000 members, 2 hours of
 * event time (2 million events) per round; 12 warm-up rounds fill a full day of state (so arrays
 * stop growing and eviction runs as in production), then 4 measured rounds on the same states. A
 * smaller member count (first argument) keeps the per-member density: 20 events per member per
 * round.
 */
public final class ApplyThroughput {
  private ApplyThroughput() {}

  public static void main(String[] args) {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
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
        index[i] = Integer.parseInt(stream[i].memberId().substring("member-".length()));
      }
      start += span;
      System.gc();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      int accepted = 0;
      for (int i = 0; i < events; i++) {
        if (states[index[i]].apply(stream[i]) == dev.tessera.engine.window.Outcome.ACCEPTED) {
          accepted++;
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
        "apply, %d members: %,.0f events per CPU-second (one core), %,.0f per wall-second%n",
        members, applied / cpuTotal, applied / wallTotal);
  }
}
