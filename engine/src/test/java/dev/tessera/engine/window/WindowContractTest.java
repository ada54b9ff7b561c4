package dev.tessera.engine.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.testkit.Groups;
import dev.tessera.engine.state.SnapshotDifference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The window contract of engine/README.md ("Window contract"), one behaviour per test, on {@code
 * member_engagement} v1. Each test also checks the kernel against the reference implementation.
 */
class WindowContractTest {

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z, aligned to every hop
  private static final long S = 1000;
  private static final long MIN = 60 * S;
  private static final long H = 60 * MIN;

  private final FeatureGroup group = Groups.memberEngagement();
  private final MemberFeatureState state = MemberFeatureState.create(group, "m1");
  private final ReferenceEngine reference = new ReferenceEngine(group, "m1");
  private int ids;

  private Outcome apply(EnrichedEvent e) {
    Outcome expected = reference.apply(e);
    Outcome actual = state.apply(e);
    assertThat(actual).as("outcome of %s", e).isEqualTo(expected);
    return actual;
  }

  private EnrichedEvent play(long time) {
    return EnrichedEvent.of(Event.ofTitle("e" + ids++, "m1", EventType.PLAY, time, "t1"), "drama");
  }

  private EnrichedEvent withId(String id, EventType type, long time) {
    return EnrichedEvent.of(Event.ofTitle(id, "m1", type, time, "t1"), "drama");
  }

  private EnrichedEvent stop(long time, String title, int seconds, String... genres) {
    return EnrichedEvent.of(Event.stop("e" + ids++, "m1", time, title, seconds), genres);
  }

  private FeatureSnapshot read(long t) {
    FeatureSnapshot s = state.snapshot(t, 0);
    assertThat(SnapshotDifference.of(reference.snapshot(t, 0), s)).isNull();
    return s;
  }

  @Test
  void slidingWindowIncludesEventExactlyAtAlignedLowerBound() {
    long t = T0 + 2 * H + 30 * S + 123; // align(t, 1 min) = T0 + 2h, so plays_1h starts at T0 + 1h
    apply(play(T0 + H - 1));
    apply(play(T0 + H));
    long oneMinuteFrom = WindowContract.slidingFrom(t, MIN, S); // T0 + 1h 59m 30s
    apply(play(oneMinuteFrom - 1));
    apply(play(oneMinuteFrom));
    apply(play(t));
    FeatureSnapshot s = read(t);
    assertThat(WindowContract.slidingFrom(t, H, MIN)).isEqualTo(T0 + H);
    assertThat(s.values().get("plays_1h")).isEqualTo(4L);
    assertThat(s.values().get("plays_1m")).isEqualTo(2L);
    assertThat(s.values().get("plays_24h")).isEqualTo(5L);
  }

  @Test
  void slidingWindowIsASawtoothBetweenWAndWPlusHop() {
    apply(play(T0));
    apply(play(T0 + 30 * S));
    assertThat(read(T0 + 60 * S + 999).values().get("plays_1m"))
        .isEqualTo(2L); // align = T0 + 60s, from T0
    assertThat(read(T0 + 61 * S).values().get("plays_1m")).isEqualTo(1L); // from T0 + 1s
  }

  @Test
  void slidingWindowIncludesEventAtAsOfInstantButNotLaterOnes() {
    long t = T0 + 10 * MIN;
    apply(play(t));
    apply(play(t + 1));
    assertThat(read(t).values().get("plays_1m")).isEqualTo(1L);
    assertThat(read(t + 1).values().get("plays_1m")).isEqualTo(2L);
  }

  @Test
  void tumblingWindowHoldsTheLastCompleteWindowOnly() {
    apply(play(T0 + 5 * MIN - 1));
    apply(play(T0 + 5 * MIN));
    apply(play(T0 + 10 * MIN - 1));
    apply(play(T0 + 10 * MIN));
    assertThat(read(T0 + 10 * MIN).values().get("plays_tumbling_5m")).isEqualTo(2L);
    assertThat(read(T0 + 10 * MIN - 1).values().get("plays_tumbling_5m")).isEqualTo(1L);
    assertThat(read(T0 + 15 * MIN).values().get("plays_tumbling_5m")).isEqualTo(1L);
  }

  @Test
  void acceptsEventExactlyAtLatenessBoundaryAndReportsOlderOnesAsLate() {
    apply(play(T0 + H));
    List<EnrichedEvent> late = new ArrayList<>();
    EnrichedEvent atBoundary = play(T0 + H - 5 * MIN);
    EnrichedEvent beyond = play(T0 + H - 5 * MIN - 1);
    reference.apply(atBoundary);
    reference.apply(beyond);
    var counts = state.applyAll(List.of(atBoundary, beyond), null, late::add);
    assertThat(counts.accepted()).isEqualTo(1);
    assertThat(counts.late()).isEqualTo(1);
    assertThat(late).containsExactly(beyond);
    assertThat(state.lateCount()).isEqualTo(1);
    assertThat(read(T0 + H).values().get("plays_1h")).isEqualTo(2L);
  }

  @Test
  void lateIsJudgedAgainstTheEventsOwnStream() {
    apply(play(T0 + 5 * H));
    Outcome click = apply(withId("c1", EventType.CLICK, T0));
    assertThat(click).isEqualTo(Outcome.ACCEPTED);
    assertThat(state.watermark(EventStream.ENGAGEMENT)).isEqualTo(T0);
    assertThat(state.watermark(EventStream.VIEWS)).isEqualTo(T0 + 5 * H);
  }

  @Test
  void dropsDuplicateWithinHorizonEvenWhenTheCopyIsLate() {
    apply(withId("x", EventType.PLAY, T0));
    assertThat(apply(withId("x", EventType.PLAY, T0))).isEqualTo(Outcome.DUPLICATE);
    apply(play(T0 + 2 * H));
    assertThat(apply(withId("x", EventType.PLAY, T0))).isEqualTo(Outcome.DUPLICATE);
    assertThat(apply(withId("x", EventType.CLICK, T0 + 2 * H)))
        .as("other stream")
        .isEqualTo(Outcome.ACCEPTED);
    assertThat(state.duplicateCount()).isEqualTo(2);
  }

  @Test
  void acceptsDuplicateAfterFirstCopyLeftTheHorizonAndWasEvicted() {
    long horizon = group.duplicateHorizonMs(); // 24h + 5m
    apply(withId("x", EventType.PLAY, T0));
    apply(play(T0 + horizon)); // first copy exactly at the horizon: still blocks
    assertThat(apply(withId("x", EventType.PLAY, T0 + horizon))).isEqualTo(Outcome.DUPLICATE);
    apply(play(T0 + horizon + 1)); // now the first copy is beyond it, and swept
    assertThat(apply(withId("x", EventType.PLAY, T0 + horizon + 1))).isEqualTo(Outcome.ACCEPTED);
    MemberFeatureState restored = MemberFeatureState.fromBytes(group, state.toBytes());
    assertThat(restored.apply(withId("x", EventType.PLAY, T0 + horizon + 2)))
        .isEqualTo(Outcome.DUPLICATE);
  }

  @Test
  void lateCopyDoesNotBlockALaterValidCopy() {
    apply(play(T0 + H));
    assertThat(apply(withId("y", EventType.PLAY, T0))).isEqualTo(Outcome.LATE);
    assertThat(apply(withId("y", EventType.PLAY, T0 + H))).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void emptyMemberReadsZerosAndEmptyMaps() {
    FeatureSnapshot s = read(T0);
    assertThat(s.values()).hasSize(17);
    assertThat(s.values().get("plays_1h")).isEqualTo(0L);
    assertThat(s.values().get("ctr_1h")).isEqualTo(0.0);
    assertThat(s.values().get("engagement_rate_1h")).isEqualTo(0.0);
    assertThat(s.map("genre_affinity_24h")).isEmpty();
    assertThat(s.values().get("diversity_24h")).isEqualTo(0.0);
    assertThat(s.values().get("session_seconds")).isEqualTo(0.0);
    assertThat(s.watermark()).isEqualTo(Long.MIN_VALUE);
    assertThat(s.isExpired(T0)).isTrue();
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  void snapshotExpiresTtlAfterTheLastAcceptedEvent() {
    apply(play(T0));
    apply(withId("c", EventType.CLICK, T0 - MIN));
    FeatureSnapshot s = read(T0 + H);
    assertThat(s.expiresAt()).isEqualTo(T0 + 48 * H);
    assertThat(s.isExpired(T0 + 48 * H - 1)).isFalse();
    assertThat(s.isExpired(T0 + 48 * H)).isTrue();
    assertThat(state.isExpired(T0 + 48 * H)).isTrue();
  }

  @Test
  void readsZeroHoursAfterTheMemberStoppedWatching() {
    apply(play(T0));
    apply(stop(T0 + 20 * MIN, "t1", 1200, "drama"));
    FeatureSnapshot later = read(T0 + 3 * H);
    assertThat(later.values().get("plays_1h")).isEqualTo(0L);
    assertThat(later.values().get("watch_seconds_1h")).isEqualTo(0.0);
    assertThat(later.values().get("plays_24h")).isEqualTo(1L);
    assertThat(later.values().get("session_seconds")).isEqualTo(0.0);
    assertThat(read(T0 + 25 * H).values().get("plays_24h")).isEqualTo(0L);
  }

  @Test
  void skipsOffsetsAlreadyApplied() {
    assertThat(state.apply(play(T0), 10)).isEqualTo(Outcome.ACCEPTED);
    assertThat(state.apply(play(T0 + 1), 10)).isEqualTo(Outcome.ALREADY_APPLIED);
    assertThat(state.apply(play(T0 + 2), 9)).isEqualTo(Outcome.ALREADY_APPLIED);
    assertThat(state.apply(withId("c", EventType.CLICK, T0), 3)).isEqualTo(Outcome.ACCEPTED);
    assertThat(state.lastOffset(EventStream.VIEWS)).isEqualTo(10);
    assertThat(state.lastOffset(EventStream.ENGAGEMENT)).isEqualTo(3);
    assertThat(MemberFeatureState.fromBytes(group, state.toBytes()).lastOffset(EventStream.VIEWS))
        .isEqualTo(10);
  }

  @Test
  void refusesToReadBeforeTheExactRange() {
    apply(play(T0 + 2 * H));
    assertThat(state.exactFrom()).isLessThanOrEqualTo(T0 + 2 * H - 5 * MIN);
    assertThatThrownBy(() -> state.snapshot(state.exactFrom() - 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("precedes the state's exact range");
  }

  @Test
  void unknownTitleCountsWatchTimeButInNoGenre() {
    EnrichedEvent unknown =
        EnrichedEvent.enrich(Event.stop("u", "m1", T0, "missing", 500), TitleCatalogue.empty());
    assertThat(unknown.unknownTitle()).isTrue();
    apply(unknown);
    apply(stop(T0 + MIN, "t1", 100, "drama"));
    FeatureSnapshot s = read(T0 + 2 * MIN);
    assertThat(s.values().get("watch_seconds_1h")).isEqualTo(600.0);
    assertThat(s.map("genre_affinity_24h")).containsExactly(Map.entry("drama", 1.0));
  }

  @Test
  void genreFeaturesGiveFullCreditToEachGenreOfATitle() {
    apply(stop(T0, "a", 600, "drama", "comedy"));
    apply(stop(T0 + H, "b", 300, "drama"));
    FeatureSnapshot s = read(T0 + H);
    assertThat(s.map("genre_affinity_24h")).containsOnlyKeys("comedy", "drama");
    assertThat(s.map("genre_affinity_24h").get("drama")).isCloseTo(0.6, within(1e-12));
    assertThat(s.map("genre_affinity_24h").get("comedy")).isCloseTo(0.4, within(1e-12));
    assertThat(s.number("diversity_24h"))
        .isCloseTo(-(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4)), within(1e-12));
    double decay = Math.pow(2, -1.0 / 6);
    assertThat(s.map("recency_genre_pref_24h").get("drama"))
        .isCloseTo(600 * decay + 300, within(1e-9));
    assertThat(s.map("recency_genre_pref_24h").get("comedy")).isCloseTo(600 * decay, within(1e-9));
    assertThat(s.values().get("watch_seconds_24h")).isEqualTo(900.0);
  }

  @Test
  void sessionSpansStreamsAndBreaksOnGapsLongerThan30Minutes() {
    apply(play(T0));
    apply(play(T0 + 40 * MIN)); // gap of 40 min: a new session starts here
    apply(withId("c", EventType.CLICK, T0 + 60 * MIN)); // 20 min later, other stream
    apply(EnrichedEvent.of(Event.search("s", "m1", T0 + 90 * MIN, "q"))); // exactly 30 min later
    assertThat(read(T0 + 90 * MIN).number("session_seconds")).isEqualTo(50 * 60.0);
    assertThat(read(T0 + 120 * MIN).number("session_seconds")).isEqualTo(50 * 60.0);
    assertThat(read(T0 + 120 * MIN + 1).number("session_seconds")).isEqualTo(0.0);
  }

  @Test
  void ratiosFollowTheirDefinitions() {
    for (int i = 0; i < 4; i++) {
      apply(withId("i" + i, EventType.IMPRESSION, T0 + i * S));
    }
    apply(withId("c", EventType.CLICK, T0 + 10 * S));
    apply(play(T0 + 20 * S));
    apply(EnrichedEvent.of(Event.rate("r", "m1", T0 + 30 * S, "t1", 4)));
    FeatureSnapshot s = read(T0 + MIN);
    assertThat(s.values().get("ctr_1h")).isEqualTo(0.25);
    assertThat(s.values().get("engagement_rate_1h")).isEqualTo(0.75);
    assertThat(s.values().get("impressions_1h")).isEqualTo(4L);
  }

  @Test
  void evictsTilesBeyondTheHorizon() {
    for (long t = T0; t < T0 + 72 * H; t += 7 * MIN) {
      apply(play(t));
    }
    int tiles = state.tileCount();
    assertThat(tiles)
        .isLessThan(24 * 12 + 60 + 60 + 60 + 10); // at most one day of 5-minute tiles and so on
    read(state.watermark());
  }

  @Test
  void forgetsTitlesOnceNoWindowHoldsThem() {
    int day = 0;
    int sizeAfterTwoDays = 0;
    for (long t = T0; t < T0 + 6 * 24 * H; t += 10 * MIN) {
      apply(
          EnrichedEvent.of(
              Event.ofTitle("p" + t, "m1", EventType.PLAY, t, "title-" + t), "genre-" + (t / H)));
      apply(stop(t + MIN, "title-" + t, 60, "genre-" + (t / H)));
      if ((t - T0) / (24 * H) != day) {
        day++;
        if (day == 2) {
          sizeAfterTwoDays = state.toBytes().length;
        }
      }
    }
    read(state.watermark());
    assertThat(state.toBytes().length).isLessThan(sizeAfterTwoDays * 11 / 10);
  }

  @Test
  void stateSurvivesBinaryAndJavaSerialization() throws Exception {
    apply(play(T0));
    apply(stop(T0 + MIN, "t1", 120, "drama", "comedy"));
    apply(withId("c", EventType.CLICK, T0 + 20 * MIN));
    byte[] bytes = state.toBytes();
    assertThat(bytes[0]).isEqualTo((byte) MemberFeatureState.FORMAT_VERSION);
    MemberFeatureState restored = MemberFeatureState.fromBytes(group, bytes);
    assertThat(SnapshotDifference.of(state.snapshot(T0 + H, 0), restored.snapshot(T0 + H, 0)))
        .isNull();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream o = new ObjectOutputStream(out)) {
      o.writeObject(state);
    }
    MemberFeatureState viaJava;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      viaJava = (MemberFeatureState) in.readObject();
    }
    assertThat(viaJava.toBytes()).isEqualTo(bytes);
  }

  @Test
  void refusesStateOfAnotherGroupOrFormat() {
    byte[] bytes = state.toBytes();
    FeatureGroup other = Groups.exotic(java.time.Duration.ofMinutes(5));
    assertThatThrownBy(() -> MemberFeatureState.fromBytes(other, bytes))
        .hasMessageContaining("cannot be read as exotic v1");
    bytes[0] = 99;
    assertThatThrownBy(() -> MemberFeatureState.fromBytes(group, bytes))
        .hasMessageContaining("unsupported state format version 99");
  }

  @Test
  void defaultHopFollowsTheContractRule() {
    assertThat(WindowContract.defaultHopMs(MIN)).isEqualTo(S);
    assertThat(WindowContract.defaultHopMs(5 * MIN)).isEqualTo(10 * S);
    assertThat(WindowContract.defaultHopMs(H)).isEqualTo(MIN);
    assertThat(WindowContract.defaultHopMs(24 * H)).isEqualTo(5 * MIN);
    assertThat(WindowContract.defaultHopMs(30 * S)).isEqualTo(S);
    assertThat(WindowContract.defaultHopMs(2 * MIN)).isEqualTo(10 * S);
    assertThat(WindowContract.defaultHopMs(30 * MIN)).isEqualTo(MIN);
    assertThat(WindowContract.defaultHopMs(7 * 24 * H)).isEqualTo(H);
    assertThat(WindowContract.align(-1, 1000)).isEqualTo(-1000);
  }
}
