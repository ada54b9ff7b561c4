package dev.tessera.deploy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {
  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void joinsThroughSeedNodesByDefault() {
    assertThat(NodeSettings.create(ConfigFactory.load()).bootstrap())
        .isEqualTo(NodeSettings.Bootstrap.SEED_NODES);
  }

  @Test
  void bootstrapsThroughKubernetesWithKubernetesConf() {
    NodeSettings settings = NodeSettings.create(with("include classpath(\"kubernetes.conf\")"));
    assertThat(settings.bootstrap()).isEqualTo(NodeSettings.Bootstrap.KUBERNETES);
    assertThat(settings.joinTimeout()).hasMinutes(5);
  }

  @Test
  void rejectsAnUnknownBootstrapNamingTheKey() {
    assertThatThrownBy(() -> NodeSettings.create(with("tessera.node.bootstrap = consul")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tessera.node.bootstrap = 'consul'");
  }
}
