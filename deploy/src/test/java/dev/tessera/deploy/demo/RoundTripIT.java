package dev.tessera.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.deploy.NodeConfig;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfrastructureExtension.class)
class RoundTripIT {

  @Test
  void eventsProducedToKafkaArePersistedBySharedEntitiesAndRecoveredByAFreshNode(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    RoundTrip.Options options = new RoundTrip.Options(7, 12, names.topic("events"), "it");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    RoundTrip.Result result = RoundTrip.run(infrastructure,
        NodeConfig.forLocal(infrastructure, names.keyspace("node"), 0), options,
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(result.produced()).isEqualTo(7 * 12);
    assertThat(result.before()).hasSize(7).allSatisfy((member, count) -> assertThat(count).isZero());
    assertThat(result.ingested()).allSatisfy((member, count) -> assertThat(count).isEqualTo(12));
    assertThat(result.recovered()).isEqualTo(result.ingested());
    result.recoveredRecentIds().forEach((member, ids) -> assertThat(ids).containsExactlyElementsOf(
        IntStream.range(0, 12).mapToObj(n -> RoundTrip.eventId("it", member, n)).toList()));
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("produced 84 events for 7 members");
  }

  @Test
  void aSecondRunOnTheSameKeyspaceAddsToWhatTheJournalAlreadyHolds(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    String keyspace = names.keyspace("node");
    String topic = names.topic("events");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    RoundTrip.run(infrastructure, NodeConfig.forLocal(infrastructure, keyspace, 0),
        new RoundTrip.Options(3, 4, topic, "first"), quiet);

    RoundTrip.Result second = RoundTrip.run(infrastructure,
        NodeConfig.forLocal(infrastructure, keyspace, 0),
        new RoundTrip.Options(3, 5, topic, "second"), quiet);

    assertThat(second.before().values()).containsOnly(4L);
    assertThat(second.recovered().values()).containsOnly(9L);
    List<String> recent = second.recoveredRecentIds().get("member-001");
    assertThat(recent).startsWith(RoundTrip.eventId("first", "member-001", 0))
        .endsWith(RoundTrip.eventId("second", "member-001", 4));
  }
}
