package dev.tessera.engine.bench;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.testkit.Groups;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one full feature vector ({@code member_engagement} v1, 17 features) of a member with
 * the memory profile's day of activity, read as of a request time just after the last event.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class ReadBenchmark {
  static final int MEMBERS = 1024;

  private final FeatureGroup group = Groups.memberEngagement();
  private MemberFeatureState[] states;
  private int next;

  @Setup(Level.Trial)
  public void build() {
    Profiles profiles = new Profiles(11, 2000);
    states = new MemberFeatureState[MEMBERS];
    for (int m = 0; m < MEMBERS; m++) {
      MemberFeatureState s = MemberFeatureState.create(group, "member-" + m);
      for (EnrichedEvent e : profiles.dayOfMember("member-" + m)) {
        s.apply(e);
      }
      states[m] = s;
    }
  }

  @Benchmark
  public FeatureSnapshot readFullVector() {
    MemberFeatureState s = states[next++ & (MEMBERS - 1)];
    return s.snapshot(Profiles.NOW + 1_500, 0);
  }
}
