package dev.tessera.simulations.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import dev.tessera.engine.event.TitleMetadata;
import dev.tessera.engine.window.WindowContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The truth means what the kernel's contract says, replayed in per-member order. */
class TruthInvariantsTest {

  private static final long LATENESS = WindowContract.DEFAULT_ALLOWED_LATENESS.toMillis();

  @Test
  void lateRecordsAreBeyondTheAllowedLatenessOfTheirMemberStreamWatermarkAndValidOnesNever() {
    SimulationConfig config = SimulationConfig.builder(31).members(300).lateFraction(0.02).build();
    Map<String, Long> watermarks = new HashMap<>();
    long late = 0;
    for (SimulatedRecord r : Simulation.generate(config, 50_000)) {
      Event e = r.truth().event();
      if (e == null) {
        continue;
      }
      String stream = e.memberId() + "/" + e.stream();
      long wm = watermarks.getOrDefault(stream, Long.MIN_VALUE);
      switch (r.kind()) {
        case LATE -> {
          late++;
          assertThat(WindowContract.isLate(e.eventTime(), wm, LATENESS)).as("%s", r).isTrue();
        }
        case VALID -> {
          assertThat(WindowContract.isLate(e.eventTime(), wm, LATENESS)).as("%s", r).isFalse();
          watermarks.put(stream, Math.max(wm, e.eventTime()));
        }
        default -> {}
      }
    }
    assertThat(late).isBetween(700L, 1_300L);
  }

  @Test
  void duplicatesRepeatTheKeyAndBodyOfAnEarlierValidRecord() {
    SimulationConfig config =
        SimulationConfig.builder(32).members(50).duplicateFraction(0.05).build();
    Map<String, SimulatedRecord> validById = new HashMap<>();
    Map<String, Long> watermarks = new HashMap<>();
    long duplicates = 0;
    for (SimulatedRecord r : Simulation.generate(config, 30_000)) {
      Event e = r.truth().event();
      String stream = e == null ? null : e.memberId() + "/" + e.stream();
      if (r.kind() == RecordKind.VALID) {
        assertThat(validById.put(r.truth().eventId(), r)).as("event ids are unique").isNull();
        watermarks.merge(stream, e.eventTime(), Math::max);
      } else if (r.kind() == RecordKind.DUPLICATE) {
        assertThat(WindowContract.isLate(e.eventTime(), watermarks.get(stream), LATENESS))
            .as("the kernel still remembers the first copy")
            .isFalse();
        duplicates++;
        SimulatedRecord original = validById.get(r.truth().eventId());
        assertThat(original).as("%s", r).isNotNull();
        assertThat(r.key()).isEqualTo(original.key());
        assertThat(r.value()).isEqualTo(original.value());
        assertThat(r.truth().event()).isEqualTo(original.truth().event());
        assertThat(r.truth().sequence()).isGreaterThan(original.truth().sequence());
      }
    }
    assertThat(duplicates).isBetween(1_200L, 1_800L);
  }

  @Test
  void funnelWatchTimesRatingsAndTelemetryAreInRange() {
    Simulation sim =
        Simulation.create(
            SimulationConfig.builder(33).members(500).malformedFraction(0).lateFraction(0).build());
    Map<String, TitleMetadata> catalogue = sim.reference().catalogue();
    Map<String, String> playing = new HashMap<>();
    Map<String, EventType> last = new HashMap<>();
    long stops = 0;
    for (SimulatedRecord r : sim.generate(60_000)) {
      Event e = r.truth().event();
      if (r.kind() != RecordKind.VALID) {
        continue;
      }
      switch (e.type()) {
        case PLAY -> {
          if (playing.containsKey(e.memberId())) {
            assertThat(playing.get(e.memberId()))
                .as("resume of the same title")
                .isEqualTo(e.titleId());
            assertThat(last.get(e.memberId())).isEqualTo(EventType.PAUSE);
          } else {
            assertThat(last.get(e.memberId()))
                .as("play follows a click")
                .isEqualTo(EventType.CLICK);
          }
          playing.put(e.memberId(), e.titleId());
        }
        case PAUSE -> assertThat(playing.get(e.memberId())).isEqualTo(e.titleId());
        case STOP -> {
          stops++;
          assertThat(playing.remove(e.memberId())).isEqualTo(e.titleId());
          assertThat(e.watchedSeconds()).isPositive();
          TitleMetadata title = catalogue.get(e.titleId());
          if (title != null) {
            assertThat(e.watchedSeconds()).isLessThanOrEqualTo(title.durationSeconds());
          }
        }
        case RATE -> assertThat(e.rating()).isBetween(1, 5);
        case DEVICE -> {
          assertThat(e.bandwidthKbps()).isPositive();
          assertThat(e.latencyMs()).isPositive();
          assertThat(e.resolution()).isIn("480p", "720p", "1080p", "2160p");
        }
        case SEARCH -> assertThat(e.query()).isNotBlank();
        default -> {}
      }
      last.put(e.memberId(), e.type());
    }
    assertThat(stops).isGreaterThan(500);
  }

  @Test
  void sessionsAreBurstsSeparatedByMoreThanThirtyMinutes() {
    Simulation sim =
        Simulation.create(
            SimulationConfig.builder(34).members(200).malformedFraction(0).lateFraction(0).build());
    Map<String, List<long[]>> byMember = new HashMap<>(); // eventTime, session
    for (SimulatedRecord r : sim.generate(40_000)) {
      if (r.kind() == RecordKind.VALID) {
        byMember
            .computeIfAbsent(r.memberId(), m -> new ArrayList<>())
            .add(new long[] {r.truth().event().eventTime(), r.truth().session()});
      }
    }
    long sessions = 0;
    for (List<long[]> events : byMember.values()) {
      events.sort((a, b) -> Long.compare(a[0], b[0]));
      for (int i = 1; i < events.size(); i++) {
        long gap = events.get(i)[0] - events.get(i - 1)[0];
        boolean newSession = events.get(i)[1] != events.get(i - 1)[1];
        assertThat(gap > 30 * 60_000L)
            .as("gap %d ms, new session %s", gap, newSession)
            .isEqualTo(newSession);
        if (newSession) {
          sessions++;
        }
      }
    }
    assertThat(sessions).isGreaterThan(200);
  }

  @Test
  void catalogueHasOneToThreeOfTwelveGenresAndZipfPopularity() {
    Simulation sim =
        Simulation.create(SimulationConfig.builder(35).members(1_000).titles(500).build());
    for (Title t : sim.reference().titles()) {
      assertThat(t.genres()).hasSizeBetween(1, 3).doesNotHaveDuplicates();
      assertThat(ReferenceData.GENRES).containsAll(t.genres());
      assertThat(t.durationSeconds()).isBetween(20 * 60, 181 * 60);
    }
    assertThat(sim.reference().titles().stream().flatMap(t -> t.genres().stream()).distinct())
        .hasSize(12);
    Map<String, Integer> impressions = new TreeMap<>();
    for (SimulatedRecord r : sim.generate(50_000)) {
      Event e = r.truth().event();
      if (e != null && e.type() == EventType.IMPRESSION) {
        impressions.merge(e.titleId(), 1, Integer::sum);
      }
    }
    int[] counts = impressions.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    int top = counts[counts.length - 1];
    int median = counts[counts.length / 2];
    assertThat(top).as("head of the Zipf curve").isGreaterThan(20 * Math.max(1, median));
    assertThat(Arrays.stream(counts).sum()).isGreaterThan(10_000);
  }

  @Test
  void eachStreamOfTheModelIsExercised() {
    long[] perStream = new long[EventStream.count()];
    for (SimulatedRecord r : Simulation.generate(SimulationConfig.defaults(36), 20_000)) {
      if (r.truth().event() != null) {
        perStream[r.truth().event().stream().ordinal()]++;
      }
    }
    assertThat(Arrays.stream(perStream).min().orElseThrow()).isGreaterThan(100);
  }
}
