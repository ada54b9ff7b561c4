package dev.tessera.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tessera.embedded.LocalInfrastructure;

/** Node configuration: {@code application.conf} with the addresses of local servers laid over it. */
public final class NodeConfig {
  private NodeConfig() {}

  /**
   * The node's configuration pointed at {@code infrastructure}, with journal, snapshot and member
   * state keyspaces named {@code <keyspacePrefix>_journal}, {@code _snapshot}, {@code _features}
   * and {@code _registry}.
   *
   * @param remotePort the Artery port; 0 picks a free one
   */
  public static Config forLocal(
      LocalInfrastructure infrastructure, String keyspacePrefix, int remotePort) {
    String contactPoint =
        infrastructure.cassandra().host() + ":" + infrastructure.cassandra().port();
    return ConfigFactory.empty()
        .withValue("tessera.kafka.bootstrap-servers",
            ConfigValueFactory.fromAnyRef(infrastructure.kafka().bootstrapServers()))
        .withValue("tessera.cassandra.contact-point", ConfigValueFactory.fromAnyRef(contactPoint))
        .withValue("datastax-java-driver.basic.contact-points",
            ConfigValueFactory.fromIterable(java.util.List.of(contactPoint)))
        .withValue("pekko.persistence.cassandra.journal.keyspace",
            ConfigValueFactory.fromAnyRef(keyspacePrefix + "_journal"))
        .withValue("pekko.persistence.cassandra.snapshot.keyspace",
            ConfigValueFactory.fromAnyRef(keyspacePrefix + "_snapshot"))
        .withValue("tessera.features.state.keyspace",
            ConfigValueFactory.fromAnyRef(keyspacePrefix + "_features"))
        .withValue("tessera.orchestrator.registry.keyspace",
            ConfigValueFactory.fromAnyRef(keyspacePrefix + "_registry"))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(remotePort))
        .withFallback(ConfigFactory.load());
  }
}
