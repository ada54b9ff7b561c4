package dev.tessera.simulations.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.engine.event.EventParser;
import dev.tessera.engine.event.ParseResult;
import dev.tessera.engine.event.ReasonCode;
import dev.tessera.engine.event.Violation;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The truth agrees with the kernel's parser on every record. */
class ParserAgreementTest {

  private final EventParser parser = EventParser.create();

  @Test
  void everyMalformedRecordIsRejectedWithExactlyItsExpectedReasons() {
    SimulationConfig config =
        SimulationConfig.builder(11).members(500).malformedFraction(0.1).build();
    List<SimulatedRecord> records = Simulation.generate(config, 30_000);
    long now = System.currentTimeMillis();
    Set<MalformedShape> seen = EnumSet.noneOf(MalformedShape.class);

    for (SimulatedRecord r : records) {
      if (r.kind() != RecordKind.MALFORMED) {
        continue;
      }
      seen.add(r.truth().shape());
      ParseResult result = parser.parse(r.value(), now);
      assertThat(result).as("%s", r).isInstanceOf(ParseResult.Invalid.class);
      Set<ReasonCode> reasons =
          ((ParseResult.Invalid) result)
              .violations().stream().map(Violation::reason).collect(Collectors.toSet());
      assertThat(reasons).as("%s: %s", r.truth().shape(), result).isEqualTo(r.truth().reasons());
    }
    assertThat(seen).containsExactlyInAnyOrder(MalformedShape.values());
  }

  @Test
  void everyValidDuplicateAndLateRecordParsesToItsTruthEvent() {
    SimulationConfig config =
        SimulationConfig.builder(12)
            .members(500)
            .duplicateFraction(0.05)
            .lateFraction(0.05)
            .build();
    long now = System.currentTimeMillis();

    for (SimulatedRecord r : Simulation.generate(config, 30_000)) {
      if (r.kind() == RecordKind.MALFORMED) {
        continue;
      }
      ParseResult result = parser.parse(r.value(), now);
      assertThat(result).as("%s", r).isEqualTo(new ParseResult.Valid(r.truth().event()));
    }
  }

  @Test
  void oversizeBodiesExceed64KibAndOthersDoNot() {
    SimulationConfig config =
        SimulationConfig.builder(13).members(100).malformedFraction(0.2).build();
    for (SimulatedRecord r : Simulation.generate(config, 5_000)) {
      boolean oversize = r.truth().shape() == MalformedShape.OVERSIZE;
      int length = r.value() == null ? 0 : r.value().length;
      assertThat(length > EventParser.DEFAULT_MAX_BYTES).as("%s", r).isEqualTo(oversize);
    }
  }
}
