package dev.tessera.simulations.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceJsonTest {

  @Test
  void titleValueHasTheExactShapeTheIngestionReads() {
    Title t = new Title("t-00042", List.of("drama", "comedy"), 5400, LocalDate.of(2019, 4, 12));

    assertThat(new String(ReferenceJson.value(t), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"titleId\":\"t-00042\",\"genres\":[\"drama\",\"comedy\"],\"durationSeconds\":5400,"
                + "\"releaseDate\":\"2019-04-12\"}");
    assertThat(ReferenceJson.key(t)).isEqualTo("t-00042".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void profileValueHasTheExactShapeTheIngestionReads() {
    MemberProfile p = new MemberProfile("m-000017", "NL", "premium", LocalDate.of(2023, 1, 30));

    assertThat(new String(ReferenceJson.value(p), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"memberId\":\"m-000017\",\"country\":\"NL\",\"plan\":\"premium\",\"signupDate\":\"2023-01-30\"}");
    assertThat(ReferenceJson.key(p)).isEqualTo("m-000017".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void catalogueMapHoldsEveryTitleAsKernelMetadata() {
    ReferenceData reference =
        ReferenceData.generate(SimulationConfig.builder(4).titles(50).members(20).build());

    assertThat(reference.catalogue()).hasSize(50).containsKey("t-00000").containsKey("t-00049");
    assertThat(reference.catalogue().get("t-00007"))
        .isEqualTo(reference.titles().get(7).metadata());
    assertThat(reference.members())
        .extracting(MemberProfile::memberId)
        .startsWith("m-000000", "m-000001");
    assertThat(reference.members())
        .allSatisfy(m -> assertThat(m.signupDate()).isBefore(LocalDate.of(2026, 1, 1)));
  }

  @Test
  void truthLineCarriesKindPlacementReasonsAndTheEvent() {
    SimulatedRecord valid =
        Simulation.generate(SimulationConfig.builder(5).duplicateFraction(0).build(), 1).get(0);
    String line = TruthJson.line(valid, 3, 17);

    assertThat(line)
        .startsWith("{\"seq\":0,\"kind\":\"VALID\",\"memberId\":\"" + valid.memberId() + "\"")
        .contains("\"partition\":3,\"offset\":17")
        .contains("\"reasons\":[]")
        .endsWith(",\"event\":" + new String(valid.value(), StandardCharsets.UTF_8) + "}");
  }
}
