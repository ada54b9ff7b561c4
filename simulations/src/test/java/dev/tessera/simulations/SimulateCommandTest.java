package dev.tessera.simulations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulateCommandTest {

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

  private int run(String... args) {
    return SimulateCommand.run(
        List.of(args), new PrintStream(buffer, true, StandardCharsets.UTF_8));
  }

  private String output() {
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void badArgumentsExitWithTwoAndOneLine() {
    assertThat(run("--members", "x", "--events", "3")).isEqualTo(2);
    assertThat(output())
        .isEqualTo(
            "simulate: --members: not a whole number: 'x' (see --help)" + System.lineSeparator());
  }

  @Test
  void helpPrintsUsageAndExitsWithZero() {
    assertThat(run("--help")).isZero();
    assertThat(output()).startsWith("usage: tessera simulate").contains("--truth FILE");
  }

  @Test
  void anUnusableBrokerAddressFailsWithOneAndOneLine() {
    assertThat(run("--events", "10", "--bootstrap", "not-an-address")).isEqualTo(1);
    assertThat(output()).startsWith("simulate: failed: ").doesNotContain("\tat ");
    assertThat(output().strip().lines()).hasSize(1);
  }

  @Test
  void anUnwritableTruthFileFailsBeforeKafkaIsContacted() {
    assertThat(
            run(
                "--events",
                "10",
                "--truth",
                "/nonexistent-dir/truth.jsonl",
                "--bootstrap",
                "127.0.0.1:1"))
        .isEqualTo(1);
    assertThat(output())
        .isEqualTo(
            "simulate: failed: cannot write the truth file /nonexistent-dir/truth.jsonl"
                + " (NoSuchFileException)"
                + System.lineSeparator());
  }
}
