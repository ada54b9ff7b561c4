package dev.tessera.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.deploy.NodeConfig;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfrastructureExtension.class)
class RoundTripIT {

  private static RoundTrip.Result run(LocalInfrastructure infrastructure, String keyspace,
      RoundTrip.Options options, ByteArrayOutputStream printed) throws Exception {
    return RoundTrip.run(infrastructure, NodeConfig.forLocal(infrastructure, keyspace, 0), options,
        new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @Test
  void simulatedEventsFlowThroughIngestionIntoShardedEntitiesAndAreRecoveredByAFreshNode(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    RoundTrip.Result result = run(infrastructure, names.keyspace("node"),
        new RoundTrip.Options(40, 3000, 11, names.prefix() + "-"), printed);

    assertThat(result.before().values()).containsOnly(0L);
    assertThat(result.ingested()).isEqualTo(result.expectedPerMember());
    assertThat(result.recovered()).isEqualTo(result.expectedPerMember());
    long expectedTotal = result.expectedPerMember().values().stream().mapToLong(Long::longValue).sum();
    assertThat(result.ingest().valid()).isEqualTo(expectedTotal);
    assertThat(result.ingest().recordsIn()).isEqualTo(3000);
    assertThat(result.ingest().duplicatesDropped() + result.ingest().invalid())
        .isEqualTo(3000 - expectedTotal);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("simulated 3000 raw records");
  }

  @Test
  void aSecondRunOnTheSameKeyspaceAddsToWhatTheJournalAlreadyHolds(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    String keyspace = names.keyspace("node");
    RoundTrip.Result first = run(infrastructure, keyspace,
        new RoundTrip.Options(10, 500, 1, names.prefix() + "-a-"), new ByteArrayOutputStream());

    RoundTrip.Result second = run(infrastructure, keyspace,
        new RoundTrip.Options(10, 500, 2, names.prefix() + "-b-"), new ByteArrayOutputStream());

    second.recovered().forEach((member, count) -> {
      long before = first.recovered().getOrDefault(member, 0L);
      assertThat(second.before().get(member)).isEqualTo(before);
      assertThat(count).isEqualTo(before + second.expectedPerMember().get(member));
    });
  }
}
