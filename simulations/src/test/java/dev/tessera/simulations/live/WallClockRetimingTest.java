package dev.tessera.simulations.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

class WallClockRetimingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyRecordKeepsItsDistanceBehindTheFrontierWhichIsNow() throws Exception {
    Iterator<SimulatedRecord> records = Simulation.create(SimulationConfig.builder(3).members(50)
        .lateFraction(0.05).disorderFraction(0.1).build()).records();
    WallClockRetiming retiming = new WallClockRetiming();
    long now = 1_800_000_000_000L;
    long frontier = Long.MIN_VALUE;
    int behind = 0;
    int malformed = 0;
    for (int i = 0; i < 5_000; i++, now += 7) {
      SimulatedRecord original = records.next();
      SimulatedRecord live = retiming.retime(original, now);
      if (original.kind() == RecordKind.MALFORMED) {
        assertThat(live).isSameAs(original);
        malformed++;
        continue;
      }
      long originalTime = original.truth().event().eventTime();
      frontier = Math.max(frontier, originalTime);
      JsonNode body = JSON.readTree(live.value());
      assertThat(body.path("eventTime").asLong()).isEqualTo(now - (frontier - originalTime));
      assertThat(body.path("eventId").asText()).isEqualTo(original.truth().event().eventId());
      assertThat(live.key()).isEqualTo(original.key());
      behind += originalTime < frontier ? 1 : 0;
    }
    assertThat(behind).as("late and out-of-order records stay behind").isPositive();
    assertThat(malformed).isPositive();
  }

  @Test
  void aRateBelowOnePerSecondIsRefused() {
    assertThatThrownBy(() -> new SteadyRate(0)).hasMessageContaining("at least 1");
  }
}
