package dev.tessera.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupFailureIT {

  @Test
  void portInUseNamesTheSettingAndLeavesNoServerRunning(@TempDir Path tmp) throws Exception {
    EmbeddedSettings settings = EmbeddedSettings.load().withDataDir(tmp).withFreePorts();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.cassandra().port()));

      assertThatThrownBy(() -> LocalInfrastructure.start(settings, true))
          .isInstanceOf(InfrastructureException.class)
          .hasMessageContaining("Cassandra CQL port " + settings.cassandra().port())
          .hasMessageContaining("already in use")
          .hasMessageContaining("tessera.embedded.cassandra.port");
    }
    // Kafka may have started in parallel: it must have been stopped again.
    assertThat(EmbeddedKafka.find(settings)).isEmpty();
    assertThat(Ports.isListening(settings.host(), settings.kafka().port())).isFalse();
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().orElse("").contains(tmp.toString())))
        .isEmpty();
  }

  @Test
  void unwritableDataDirectoryNamesTheSetting(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
    EmbeddedSettings settings = EmbeddedSettings.load().withDataDir(file.resolve("data")).withFreePorts();

    assertThatThrownBy(() -> EmbeddedKafka.start(settings, true))
        .isInstanceOf(InfrastructureException.class)
        .hasMessageContaining("is not writable")
        .hasMessageContaining("tessera.embedded.data-dir");
  }

  @Test
  void aSecondBrokerOnTheSameDataDirectoryIsRefused(@TempDir Path tmp) {
    EmbeddedSettings settings = EmbeddedSettings.load().withDataDir(tmp).withFreePorts();
    try (EmbeddedKafka first = EmbeddedKafka.start(settings, true)) {
      EmbeddedSettings again = settings.withFreePorts();
      assertThatThrownBy(() -> EmbeddedKafka.start(again, true))
          .isInstanceOf(InfrastructureException.class)
          .hasMessageContaining("already runs on " + settings.kafkaDir());
      assertThat(first.isServing()).isTrue();
    }
  }
}
