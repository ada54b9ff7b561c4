package dev.tessera.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.EmbeddedSettings;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.Ports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera infra}: detached servers that outlive the command and stop by PID. */
class InfraCommandIT {
  @TempDir Path tmp;
  private Map<String, String> properties;

  @BeforeEach
  void pointSettingsAtAPrivateDirectoryAndFreePorts() {
    properties = Map.of(
        "tessera.embedded.data-dir", tmp.resolve("data").toString(),
        "tessera.embedded.kafka.port", Integer.toString(Ports.freePort()),
        "tessera.embedded.kafka.controller-port", Integer.toString(Ports.freePort()),
        "tessera.embedded.cassandra.port", Integer.toString(Ports.freePort()),
        "tessera.embedded.cassandra.storage-port", Integer.toString(Ports.freePort()));
    properties.forEach(System::setProperty);
    ConfigFactory.invalidateCaches();
  }

  @AfterEach
  void stopWhateverIsLeftAndRestoreSettings() {
    LocalInfrastructure.find(EmbeddedSettings.load()).ifPresent(LocalInfrastructure::close);
    properties.keySet().forEach(System::clearProperty);
    ConfigFactory.invalidateCaches();
  }

  private String run(String command, int expectedExit) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = InfraCommand.run(List.of(command), new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(expectedExit);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void startStatusStopLifecycle() {
    EmbeddedSettings settings = EmbeddedSettings.load();
    assertThat(run("stop", 0)).contains("Nothing is running").contains("nothing to stop");
    assertThat(run("status", 0)).contains("kafka      stopped").contains("cassandra  stopped");

    String started = run("start", 0);
    assertThat(started).contains("Started in").contains(settings.kafkaBootstrapServers());
    // The servers outlive the command: found again by PID file, and they serve.
    LocalInfrastructure running = LocalInfrastructure.find(settings).orElseThrow();
    assertThat(running.kafka().isServing()).isTrue();
    assertThat(running.cassandra().isServing()).isTrue();
    assertThat(run("status", 0)).contains("kafka      running  pid " + running.kafka().pid())
        .contains("serving");
    assertThat(run("start", 0)).contains("Already running");

    String stopped = run("stop", 0);
    assertThat(stopped).contains("Stopped kafka (pid " + running.kafka().pid() + ")")
        .contains("Stopped cassandra (pid " + running.cassandra().pid() + ")");
    assertThat(ProcessHandle.of(running.kafka().pid()).map(ProcessHandle::isAlive)).isNotEqualTo(
        java.util.Optional.of(true));
    assertThat(Ports.isListening(settings.host(), settings.kafka().port())).isFalse();
    assertThat(Ports.isListening(settings.host(), settings.cassandra().port())).isFalse();
    assertThat(run("stop", 0)).contains("Nothing is running");
  }
}
