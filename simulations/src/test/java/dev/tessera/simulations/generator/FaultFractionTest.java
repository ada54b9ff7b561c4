package dev.tessera.simulations.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Over 100k records the default fault fractions hold within a few standard deviations. */
class FaultFractionTest {

  private static final int N = 100_000;
  private static List<SimulatedRecord> records;
  private static Map<RecordKind, Long> kinds;

  @BeforeAll
  static void generate() {
    records = Simulation.generate(SimulationConfig.builder(100).members(2_000).build(), N);
    kinds = new EnumMap<>(RecordKind.class);
    for (SimulatedRecord r : records) {
      kinds.merge(r.kind(), 1L, Long::sum);
    }
  }

  @Test
  void duplicatesMalformedAndLateRecordsHaveTheirDefaultFractions() {
    assertThat(fraction(RecordKind.DUPLICATE)).isCloseTo(0.005, within(0.0010));
    assertThat(fraction(RecordKind.MALFORMED)).isCloseTo(0.001, within(0.0004));
    assertThat(fraction(RecordKind.LATE)).isCloseTo(0.001, within(0.0004));
  }

  @Test
  void aSmallFractionOfKeysIsNullOrAnotherMembersId() {
    long bad = records.stream().filter(r -> !r.memberId().equals(r.keyString())).count();
    long nulls = records.stream().filter(r -> r.key() == null).count();

    assertThat(bad / (double) N).isCloseTo(0.01, within(0.002));
    assertThat(nulls).isBetween(bad / 4, bad * 3 / 4);
  }

  @Test
  void someValidEventsAreOutOfOrderButNeverBeyondTheDisorderBound() {
    long behind = 0;
    long maxBehind = 0;
    long latestSoFar = Long.MIN_VALUE;
    for (SimulatedRecord r : records) {
      if (r.kind() != RecordKind.VALID) {
        continue;
      }
      long t = r.truth().event().eventTime();
      if (t < latestSoFar) {
        behind++;
        maxBehind = Math.max(maxBehind, latestSoFar - t);
      }
      latestSoFar = Math.max(latestSoFar, t);
    }
    assertThat(behind / (double) N).isBetween(0.02, 0.08);
    assertThat(maxBehind).isLessThanOrEqualTo(120_000);
  }

  @Test
  void everyEventTypeOccurs() {
    Set<EventType> types =
        records.stream()
            .map(r -> r.truth().event())
            .filter(e -> e != null)
            .map(Event::type)
            .collect(java.util.stream.Collectors.toSet());
    assertThat(types).containsExactlyInAnyOrder(EventType.values());
  }

  @Test
  void aConfiguredFractionOfViewingsNamesTitlesMissingFromTheCatalogue() {
    SimulationConfig config =
        SimulationConfig.builder(101).members(2_000).unknownTitleFraction(0.02).build();
    Simulation sim = Simulation.create(config);
    Set<String> known = sim.reference().catalogue().keySet();
    long views = 0;
    long unknown = 0;
    for (SimulatedRecord r : sim.generate(N)) {
      Event e = r.truth().event();
      if (r.kind() == RecordKind.VALID
          && (e.type() == EventType.PLAY || e.type() == EventType.STOP)) {
        views++;
        if (!known.contains(e.titleId())) {
          unknown++;
        }
      }
    }
    assertThat(unknown / (double) views).isCloseTo(0.02, within(0.008));
    Set<String> defaultCatalogue =
        Simulation.create(SimulationConfig.builder(100).members(2_000).build())
            .reference()
            .catalogue()
            .keySet();
    long defaultUnknown =
        records.stream()
            .map(r -> r.truth().event())
            .filter(e -> e != null && e.titleId() != null)
            .filter(e -> !defaultCatalogue.contains(e.titleId()))
            .count();
    assertThat(defaultUnknown).as("the default 0.2% still names some").isPositive();
  }

  private static double fraction(RecordKind kind) {
    return kinds.getOrDefault(kind, 0L) / (double) N;
  }
}
