package dev.tessera.engine.bench;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.testkit.Groups;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the bytes of state per active member for the memory profile (200 events over 24 h, 20
 * titles, 5 genres): retained heap, as the difference of used heap after full GCs with and without
 * N states alive (events are generated and dropped one member at a time, so only states are
 * retained), and the serialized size.
 */
public final class StateFootprint {
  private StateFootprint() {}

  public static void main(String[] args) {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    FeatureGroup group = Groups.memberEngagement();
    Profiles profiles = new Profiles(3, 2000);
    MemberFeatureState warm = MemberFeatureState.create(group, "warm");
    profiles.dayOfMember("warm").forEach(warm::apply);
    long before = usedAfterGc();
    List<MemberFeatureState> states = new ArrayList<>(members);
    long serialized = 0;
    java.util.Map<String, Long> parts = new java.util.LinkedHashMap<>();
    long tiles = 0;
    long raw = 0;
    for (int m = 0; m < members; m++) {
      String id = ("member-" + m).intern();
      MemberFeatureState s = MemberFeatureState.create(group, id);
      for (EnrichedEvent e : profiles.dayOfMember(id)) {
        s.apply(e);
      }
      s.trim();
      serialized += s.toBytes().length;
      s.approximateBytesByPart().forEach((k, v) -> parts.merge(k, v, Long::sum));
      tiles += s.tileCount();
      raw += s.rawEventCount();
      states.add(s);
    }
    long after = usedAfterGc();
    long listBytes = 16L + 4L * members; // the ArrayList's own array (compressed oops)
    double perMember = (after - before - listBytes) / (double) members;
    System.out.printf(
        "state footprint (%d members, profile: 200 events/24h, 20 titles, 5 genres)%n", members);
    System.out.printf("  retained heap per member : %.0f bytes%n", perMember);
    System.out.printf("  serialized per member    : %.0f bytes%n", serialized / (double) members);
    System.out.printf(
        "  tiles per member         : %.1f, raw events held: %.1f%n",
        tiles / (double) members, raw / (double) members);
    System.out.print("  approximate split        :");
    parts.forEach((k, v) -> System.out.printf(" %s %d,", k, v / members));
    System.out.println(" the rest object headers and fields");
    System.out.println("  (" + states.get(0) + ")");
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
