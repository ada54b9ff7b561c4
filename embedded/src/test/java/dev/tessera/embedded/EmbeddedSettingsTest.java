package dev.tessera.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedSettingsTest {

  private static EmbeddedSettings load(String overrides) {
    return EmbeddedSettings.create(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void defaultsAreLoopbackWithTheUsualPorts() {
    EmbeddedSettings settings = load("");
    assertThat(settings.host()).isEqualTo("127.0.0.1");
    assertThat(settings.kafka().port()).isPositive();
    assertThat(settings.kafkaBootstrapServers()).isEqualTo("127.0.0.1:" + settings.kafka().port());
    assertThat(settings.dataDir().isAbsolute()).isTrue();
  }

  @Test
  void portOutOfRangeNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.embedded.kafka.port = 70000"))
        .isInstanceOf(InfrastructureException.class)
        .hasMessageContaining("tessera.embedded.kafka.port = 70000");
  }

  @Test
  void nonLoopbackHostIsRefused() {
    assertThatThrownBy(() -> load("tessera.embedded.host = \"8.8.8.8\""))
        .isInstanceOf(InfrastructureException.class)
        .hasMessageContaining("tessera.embedded.host")
        .hasMessageContaining("not a loopback address");
  }

  @Test
  void malformedHeapNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.embedded.cassandra.heap = lots"))
        .isInstanceOf(InfrastructureException.class)
        .hasMessageContaining("tessera.embedded.cassandra.heap");
  }

  @Test
  void wrongTypeNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.embedded.cassandra.port = nine"))
        .isInstanceOf(InfrastructureException.class)
        .hasMessageContaining("cassandra.port");
  }

  @Test
  void aJavaHomeThatIsNotJdk17NamesTheSetting() {
    assertThatThrownBy(() -> JavaHomes.java17("/nonexistent/jdk", "tessera.embedded.cassandra.java-home"))
        .isInstanceOf(InfrastructureException.class)
        .hasMessageContaining("tessera.embedded.cassandra.java-home")
        .hasMessageContaining("not a JDK 17 home");
  }

  @Test
  void findsAJdk17OnThisMachine() {
    Path java = JavaHomes.java17("", "key");
    assertThat(java.getFileName().toString()).isEqualTo("java");
    assertThat(JavaHomes.featureVersion(java.getParent().getParent())).contains(17);
  }

  @Test
  void clusterIdsAreKafkaShaped() {
    for (int i = 0; i < 100; i++) {
      String id = EmbeddedKafka.randomClusterId();
      assertThat(id).hasSize(22).doesNotStartWith("-").matches("[A-Za-z0-9_-]+");
    }
  }
}
