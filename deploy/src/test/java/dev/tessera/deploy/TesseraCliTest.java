package dev.tessera.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TesseraCliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return TesseraCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void unknownCommandPrintsUsageAndExits2() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err()).contains("unknown command 'frobnicate'").contains("usage: tessera");
  }

  @Test
  void noCommandPrintsUsageAndExits2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("usage: tessera");
  }

  @Test
  void badDemoOptionIsOneLineAndExits2() {
    assertThat(run("demo", "--members", "-3")).isEqualTo(2);
    assertThat(err().strip()).isEqualTo(
        "tessera: demo: --members must be a whole number from 1 to 1000000, not '-3'");
    assertThat(run("demo", "--speed", "9")).isEqualTo(2);
    assertThat(err()).contains("unknown option --speed");
  }

  @Test
  void unknownInfraCommandExits2() {
    assertThat(run("infra", "restart")).isEqualTo(2);
    assertThat(err()).contains("unknown infra command 'restart'");
  }
}
