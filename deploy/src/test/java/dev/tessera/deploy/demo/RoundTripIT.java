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

/** The demo's run end to end: every member's served and restored vector equals the reference. */
@ExtendWith(LocalInfrastructureExtension.class)
class RoundTripIT {

  @Test
  void simulatedTrafficBecomesServedFeaturesEqualToTheReferenceAlsoAfterRestoringFromCassandra(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    RoundTrip.Result result = RoundTrip.run(infrastructure,
        NodeConfig.forLocal(infrastructure, names.keyspace("node"), 0),
        new RoundTrip.Options(60, 4000, 11, names.prefix() + "-"),
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(result.mismatches()).isEmpty();
    assertThat(result.members()).isPositive();
    assertThat(result.storedMatches()).isEqualTo(result.members());
    assertThat(result.recoveredMatches()).isEqualTo(result.members());
    assertThat(result.ingest().recordsIn()).isEqualTo(4000);
    assertThat(result.features().records()).isEqualTo(result.ingest().valid());
    assertThat(result.features().checkpoints()).isPositive();
    assertThat(result.samples()).isNotEmpty();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("simulated 4000 raw records");
  }
}
