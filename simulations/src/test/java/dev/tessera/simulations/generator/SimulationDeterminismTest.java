package dev.tessera.simulations.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationDeterminismTest {

  @Test
  void sameSeedAndConfigGiveTheSameBytesAndTruth() {
    SimulationConfig config =
        SimulationConfig.builder(42).members(300).malformedFraction(0.01).build();
    List<SimulatedRecord> first = Simulation.generate(config, 20_000);
    List<SimulatedRecord> second = Simulation.generate(config, 20_000);

    assertThat(second).isEqualTo(first);
    assertThat(Simulation.create(config).reference())
        .isEqualTo(Simulation.create(config).reference());
  }

  @Test
  void anotherSeedGivesAnotherStream() {
    List<SimulatedRecord> a = Simulation.generate(SimulationConfig.defaults(1), 1_000);
    List<SimulatedRecord> b = Simulation.generate(SimulationConfig.defaults(2), 1_000);

    assertThat(a).isNotEqualTo(b);
    assertThat(a.get(0).truth().eventId()).isNotEqualTo(b.get(0).truth().eventId());
  }

  @Test
  void recordsIteratorRestartsFromTheFirstRecord() {
    Simulation sim = Simulation.create(SimulationConfig.defaults(7));
    var it = sim.records();
    SimulatedRecord firstOfIterator = it.next();

    assertThat(sim.generate(1)).containsExactly(firstOfIterator);
  }

  @Test
  void spanOfADryRunBoundsEveryEventTimeOfTheRealRun() {
    SimulationConfig config = SimulationConfig.builder(9).members(200).build();
    Simulation sim = Simulation.create(config);
    long max =
        sim.generate(30_000).stream()
            .filter(r -> r.truth().event() != null)
            .mapToLong(r -> r.truth().event().eventTime())
            .max()
            .orElseThrow();

    assertThat(config.startTimeMs() + sim.spanMs(30_000)).isEqualTo(max);
  }

  @Test
  void theStartTimeShiftsEventTimesOnly() {
    SimulationConfig config = SimulationConfig.builder(5).members(100).build();
    long shift = 86_400_000L;
    List<SimulatedRecord> a = Simulation.generate(config, 2_000);
    List<SimulatedRecord> b =
        Simulation.generate(config.withStartTimeMs(config.startTimeMs() + shift), 2_000);

    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).kind()).isEqualTo(a.get(i).kind());
      if (a.get(i).truth().event() != null) {
        assertThat(b.get(i).truth().event().eventTime() - a.get(i).truth().event().eventTime())
            .isEqualTo(shift);
      }
    }
  }
}
