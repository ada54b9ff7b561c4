package dev.tessera.engine.bench;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.testkit.Groups;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Events applied per second on one core, in steady state: a realistic mixed stream (with
 * out-of-order, duplicate and late events) over 100,000 members of {@code member_engagement} v1.
 * Each iteration applies the next 2 hours of event time, 2 million events, to the same states (a
 * state lookup per event, as an entity would have it), so tiles are sealed and evicted as in
 * production; the 12 warm-up iterations fill a full day of state first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 12)
@Measurement(iterations = 4)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+UseParallelGC"})
public class ApplyBenchmark {
  static final int EVENTS = 2_000_000;

  /**
   * 100,000 is the realistic case (states far larger than the CPU caches); 1,000 shows the compute
   * cost alone.
   */
  @Param({"100000"})
  public int members;

  private final FeatureGroup group = Groups.memberEngagement();
  private EnrichedEvent[] stream;
  private MemberFeatureState[] states;
  private int[] memberIndex;

  private Profiles profiles;
  private long nextStart;

  @Setup(Level.Trial)
  public void createStates() {
    profiles = new Profiles(7, 2000);
    nextStart = Profiles.NOW;
    states = new MemberFeatureState[members];
    for (int m = 0; m < members; m++) {
      states[m] = MemberFeatureState.create(group, "member-" + m);
    }
  }

  @Setup(Level.Iteration)
  public void nextTwoHours() {
    stream = null;
    stream = profiles.mixedStream(members, EVENTS, nextStart, 2 * 3_600_000L);
    nextStart += 2 * 3_600_000L;
    memberIndex = new int[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      memberIndex[i] = Integer.parseInt(stream[i].memberId().substring("member-".length()));
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void applyMixedStream(Blackhole bh) {
    EnrichedEvent[] s = stream;
    int[] idx = memberIndex;
    MemberFeatureState[] st = states;
    for (int i = 0; i < s.length; i++) {
      bh.consume(st[idx[i]].apply(s[i]));
    }
  }
}
