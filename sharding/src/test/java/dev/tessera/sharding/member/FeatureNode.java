package dev.tessera.sharding.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A one-node cluster for the feature tests. */
final class FeatureNode {
  private FeatureNode() {}

  /** Cluster provider on a free loopback port, laid over {@code overrides} and the defaults. */
  static Config config(String overrides) {
    return ConfigFactory.parseString(overrides + """

        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load()).resolve();
  }

  /** Starts a node that joins itself and waits until it is up. */
  static ActorSystem<Void> start(Config config) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "features-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    while (cluster.selfMember().status() != MemberStatus.up()) {
      Thread.sleep(50);
    }
    return system;
  }

  static void stop(ActorSystem<?> system) {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
