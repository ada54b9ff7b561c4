package dev.tessera.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
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

  @Test
  void nodeWithAWrongSettingNamesItsKeyAndExits2(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("node.conf");
    Files.writeString(config, "tessera.serving.batch-max-members = 0\n");
    assertThat(run("node", "--config", config.toString())).isEqualTo(2);
    assertThat(err()).contains("tessera.serving.batch-max-members").doesNotContain("at dev.");

    Files.writeString(config, "tessera.node.read-max-age = banana\n");
    err.reset();
    assertThat(run("node", "--config", config.toString())).isEqualTo(2);
    assertThat(err()).contains("read-max-age");

    Files.writeString(config, "tessera.serving.auth.operator-token = short\n");
    err.reset();
    assertThat(run("node", "--config", config.toString())).isEqualTo(2);
    assertThat(err()).contains("tessera.serving.auth.operator-token").doesNotContain("short");
  }

  @Test
  void nodeWithAMissingConfigFileExits2() {
    assertThat(run("node", "--config", "/no/such/file.conf")).isEqualTo(2);
    assertThat(err()).contains("no such configuration file: /no/such/file.conf");
  }

  @Test
  void aConfigFileValueReachesTheKeysDefinedFromIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, "tessera.cassandra.contact-point = \"10.1.2.3:9999\"\n"
        + "tessera.kafka.bootstrap-servers = \"10.1.2.3:9092\"\n");
    com.typesafe.config.Config config =
        dev.tessera.deploy.node.NodeCommand.load(java.util.List.of("--config", file.toString()));
    assertThat(config.getStringList("datastax-java-driver.basic.contact-points"))
        .containsExactly("10.1.2.3:9999");
    assertThat(config.getString("tessera.kafka.bootstrap-servers")).isEqualTo("10.1.2.3:9092");
  }
}
