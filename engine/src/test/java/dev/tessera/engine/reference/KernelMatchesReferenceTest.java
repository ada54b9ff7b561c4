package dev.tessera.engine.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.state.MemberReplay;
import dev.tessera.engine.testkit.Groups;
import dev.tessera.engine.testkit.RandomStreams;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.engine.window.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property tests: for thousands of random members, the kernel ({@link MemberFeatureState}) and the
 * reference implementation agree on every event's outcome and on every feature as of random
 * instants (counts exactly, doubles within 1e-9 relative). Each member has its own seed, printed on
 * failure: rerun it with {@code -Dtessera.seed=...}.
 */
class KernelMatchesReferenceTest {

  private static final long SEED = Long.getLong("tessera.seed", System.nanoTime());
  private static final long HOUR = 3_600_000;

  @Test
  void defaultGroupMatchesReferenceOnRandomStreams() {
    check(Groups.memberEngagement(), 2500, 120);
  }

  @Test
  void everyAggregationMatchesReferenceOnRandomStreams() {
    check(Groups.exotic(Duration.ofSeconds(90)), 1500, 120);
  }

  @Test
  void zeroLatenessMatchesReference() {
    check(Groups.exotic(Duration.ZERO), 500, 80);
  }

  @Test
  void batchReplayMatchesReferenceAtAnyInstant() {
    FeatureGroup group = Groups.memberEngagement();
    Random seeds = new Random(SEED);
    for (int m = 0; m < 600; m++) {
      long seed = seeds.nextLong();
      Random random = new Random(seed);
      RandomStreams gen = new RandomStreams(random);
      String member = "m" + m;
      Map<EventStream, List<EnrichedEvent>> streams = gen.member(member, 100);
      ReferenceEngine reference = new ReferenceEngine(group, member);
      gen.interleave(streams).forEach(reference::apply);
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (List<EnrichedEvent> s : streams.values()) {
        for (EnrichedEvent e : s) {
          min = Math.min(min, e.eventTime());
          max = Math.max(max, e.eventTime());
        }
      }
      long[] asOfs = new long[10];
      for (int i = 0; i < asOfs.length; i++) {
        asOfs[i] = min - HOUR + (long) (random.nextDouble() * (max - min + 26 * HOUR));
      }
      List<FeatureSnapshot> snapshots = MemberReplay.replay(group, member, streams, asOfs, 0);
      for (int i = 0; i < asOfs.length; i++) {
        String d = SnapshotDifference.of(reference.snapshot(asOfs[i], 0), snapshots.get(i));
        if (d != null && !d.startsWith("watermark") && !d.startsWith("expiresAt")) {
          fail("seed " + seed + " member " + m + " as of " + asOfs[i] + ": " + d);
        }
      }
    }
  }

  private static void check(FeatureGroup group, int members, int maxEvents) {
    Random seeds = new Random(SEED);
    int reads = 0;
    for (int m = 0; m < members; m++) {
      long seed = seeds.nextLong();
      try {
        reads += checkMember(group, seed, "m" + m, maxEvents);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "seed " + seed + " (run seed " + SEED + "), member m" + m + ": " + e.getMessage(), e);
      }
    }
    assertThat(reads).isGreaterThan(members);
  }

  private static int checkMember(FeatureGroup group, long seed, String member, int maxEvents) {
    Random random = new Random(seed);
    RandomStreams gen = new RandomStreams(random);
    Map<EventStream, List<EnrichedEvent>> streams = gen.member(member, maxEvents);
    List<EnrichedEvent> kernelOrder = gen.interleave(streams);
    List<EnrichedEvent> referenceOrder = gen.interleave(streams);

    MemberFeatureState state = MemberFeatureState.create(group, member);
    Map<EventStream, List<Outcome>> kernelOutcomes = new EnumMap<>(EventStream.class);
    Map<EventStream, Long> offsets = new HashMap<>();
    long[] offsetOf = new long[kernelOrder.size()];
    int roundTripAt = random.nextInt(kernelOrder.size() + 1);
    byte[] checkpoint = null;
    for (int i = 0; i < kernelOrder.size(); i++) {
      if (i == roundTripAt) {
        checkpoint = state.toBytes();
        state = MemberFeatureState.fromBytes(group, checkpoint);
      }
      EnrichedEvent e = kernelOrder.get(i);
      long offset = offsets.merge(e.stream(), 1L, Long::sum);
      offsetOf[i] = offset;
      kernelOutcomes
          .computeIfAbsent(e.stream(), s -> new ArrayList<>())
          .add(state.apply(e, offset));
    }
    if (checkpoint != null) {
      // Recovery: restore the checkpoint and have every stream redelivered from its start; offsets
      // already applied
      // are skipped, so the recovered state is byte for byte the uninterrupted one.
      MemberFeatureState recovered = MemberFeatureState.fromBytes(group, checkpoint);
      recovered.applyAll(kernelOrder, offsetOf, null);
      assertThat(recovered.acceptedCount()).isEqualTo(state.acceptedCount());
      assertThat(recovered.lateCount()).isEqualTo(state.lateCount());
      assertThat(recovered.duplicateCount()).isEqualTo(state.duplicateCount());
      for (EventStream s : EventStream.values()) {
        assertThat(recovered.lastOffset(s)).isEqualTo(state.lastOffset(s));
        assertThat(recovered.watermark(s)).isEqualTo(state.watermark(s));
      }
      long at = Math.max(state.exactFrom(), state.watermark());
      assertThat(SnapshotDifference.of(state.snapshot(at, 0), recovered.snapshot(at, 0)))
          .as("state recovered from a checkpoint")
          .isNull();
    }
    ReferenceEngine reference = new ReferenceEngine(group, member);
    Map<EventStream, List<Outcome>> referenceOutcomes = new EnumMap<>(EventStream.class);
    for (EnrichedEvent e : referenceOrder) {
      referenceOutcomes.computeIfAbsent(e.stream(), s -> new ArrayList<>()).add(reference.apply(e));
    }
    assertThat(kernelOutcomes).as("outcomes per stream").isEqualTo(referenceOutcomes);
    assertThat(state.watermark()).isEqualTo(reference.watermark());

    long from = state.exactFrom();
    long wm = state.watermark();
    List<Long> instants =
        new ArrayList<>(
            List.of(
                from,
                wm,
                wm + 1,
                wm + 59_999,
                wm + 30 * 60_000,
                wm + 24 * HOUR,
                wm + 24 * HOUR + 300_000));
    for (int i = 0; i < 6; i++) {
      instants.add(from + (long) (random.nextDouble() * (wm - from + 30 * HOUR)));
    }
    int reads = 0;
    for (long t : instants) {
      if (t < from) {
        continue;
      }
      String d = SnapshotDifference.of(reference.snapshot(t, 0), state.snapshot(t, 0));
      if (d != null) {
        fail("as of " + t + " (exactFrom " + from + ", watermark " + wm + "): " + d);
      }
      reads++;
    }
    MemberFeatureState restored = MemberFeatureState.fromBytes(group, state.toBytes());
    assertThat(restored.toBytes()).isEqualTo(state.toBytes());
    assertThat(SnapshotDifference.of(state.snapshot(wm, 0), restored.snapshot(wm, 0))).isNull();
    return reads;
  }
}
