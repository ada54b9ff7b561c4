package dev.tessera.engine.bench;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.testkit.Groups;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link ReadBenchmark}'s full-vector read in CPU time of the reading thread (robust to other
 * processes on the machine): 1,024 members holding the memory profile's day, read round-robin as of
 * just after their last event.
 */
public final class ReadLatency {
  private ReadLatency() {}

  public static void main(String[] args) {
    FeatureGroup group = Groups.memberEngagement();
    Profiles profiles = new Profiles(11, 2000);
    MemberFeatureState[] states = new MemberFeatureState[1024];
    for (int m = 0; m < states.length; m++) {
      states[m] = MemberFeatureState.create(group, "member-" + m);
      for (EnrichedEvent e : profiles.dayOfMember("member-" + m)) {
        states[m].apply(e);
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int round = 0; round < 6; round++) {
      int reads = 500_000;
      long cpu0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < reads; i++) {
        FeatureSnapshot s = states[i & 1023].snapshot(Profiles.NOW + 1_500, 0);
        sink += s.values().size();
      }
      double us = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / reads;
      System.out.printf(
          "read round %d%s: %.2f us CPU per full vector%n",
          round, round < 2 ? " (warm-up)" : "", us);
    }
    System.out.println("(checksum " + sink + ")");
  }
}
