package dev.tessera.simulations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulateOptionsTest {

  private static final SimulationSettings SETTINGS =
      SimulationSettings.create(ConfigFactory.load());

  private static SimulateOptions parse(String... args) {
    return SimulateOptions.parse(List.of(args), SETTINGS, 77);
  }

  @Test
  void parsesTheIssuesCommandLine() {
    SimulateOptions o =
        parse("--members", "500", "--rate", "2000", "--duration", "30s", "--seed", "42");

    assertThat(o.config().members()).isEqualTo(500);
    assertThat(o.config().seed()).isEqualTo(42);
    assertThat(o.rate()).isEqualTo(2000);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.plannedRecords()).isEqualTo(60_000);
    assertThat(o.topics().raw()).isEqualTo("member-events");
    assertThat(o.topics().content()).isEqualTo("content-metadata");
    assertThat(o.topics().profiles()).isEqualTo("member-profiles");
    assertThat(o.bootstrapServers()).isEqualTo(SETTINGS.bootstrapServers());
  }

  @Test
  void acceptsEqualsFormPercentagesAndEveryOption() {
    SimulateOptions o =
        parse(
            "--events=1000",
            "--rate=0",
            "--duplicates=2%",
            "--malformed",
            "0.01",
            "--late",
            "0.5%",
            "--unknown-titles",
            "0.1",
            "--bad-keys",
            "0",
            "--titles",
            "300",
            "--bootstrap",
            "h:1",
            "--raw-topic",
            "r",
            "--content-topic",
            "c",
            "--profiles-topic",
            "p",
            "--partitions",
            "3",
            "--truth",
            "out.jsonl");

    assertThat(o.config().duplicateFraction()).isEqualTo(0.02);
    assertThat(o.config().malformedFraction()).isEqualTo(0.01);
    assertThat(o.config().lateFraction()).isEqualTo(0.005);
    assertThat(o.config().unknownTitleFraction()).isEqualTo(0.1);
    assertThat(o.config().badKeyFraction()).isZero();
    assertThat(o.config().titles()).isEqualTo(300);
    assertThat(o.config().seed()).as("the random seed when none is given").isEqualTo(77);
    assertThat(o.plannedRecords()).isEqualTo(1_000);
    assertThat(o.bootstrapServers()).isEqualTo("h:1");
    assertThat(o.topics().raw()).isEqualTo("r");
    assertThat(o.topics().rawPartitions()).isEqualTo(3);
    assertThat(o.truthFile()).isEqualTo(Path.of("out.jsonl"));
  }

  @Test
  void durationUnitsAndUnpacedDurationsAreUnderstood() {
    assertThat(parse("--duration", "500ms").duration()).isEqualTo(Duration.ofMillis(500));
    assertThat(parse("--duration", "5m").duration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(parse("--duration", "1h").duration()).isEqualTo(Duration.ofHours(1));
    assertThat(parse("--duration", "10s", "--rate", "0").plannedRecords()).isEqualTo(-1);
  }

  @Test
  void rejectsBadArgumentsWithOneLineMessages() {
    assertRejected("give --duration D (e.g. 30s, 5m) or --events N", "--members", "10");
    assertRejected(
        "give either --duration or --events, not both", "--duration", "5s", "--events", "9");
    assertRejected("unknown option --speed", "--speed", "3");
    assertRejected("unexpected argument 'now'", "now");
    assertRejected("--members needs a value", "--events", "5", "--members");
    assertRejected("--members: not a whole number: 'many'", "--events", "5", "--members", "many");
    assertRejected("--members must be between 1 and 1000000", "--events", "5", "--members", "0");
    assertRejected("--rate must be between", "--events", "5", "--rate", "-1");
    assertRejected(
        "--duration: expected e.g. 500ms, 30s, 5m or 1h, got '5 minutes'",
        "--duration",
        "5 minutes");
    assertRejected(
        "--duplicates must be between 0.0 and 1.0", "--events", "5", "--duplicates", "2");
    assertRejected("must sum to <= 0.5", "--events", "5", "--duplicates", "0.3", "--late", "0.3");
    assertRejected("--events must be between 1 and", "--events", "0");
    assertRejected("--truth must not be empty", "--events", "5", "--truth", " ");
  }

  @Test
  void helpNeedsNothingElse() {
    assertThat(parse("--help").help()).isTrue();
  }

  private static void assertRejected(String message, String... args) {
    assertThatThrownBy(() -> parse(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
