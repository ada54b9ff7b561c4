package dev.tessera.orchestrator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A one-node cluster on the real Cassandra journal, for the orchestrator's integration tests. */
public final class OrchestratorTestNode {
  private OrchestratorTestNode() {}

  /** Cluster on a free loopback port, journal and snapshots in the given keyspaces. */
  public static Config config(String contactPoint, String journalKeyspace,
      String snapshotKeyspace, String overrides) {
    return ConfigFactory.parseString(overrides + """

        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        datastax-java-driver.basic.contact-points = ["%s"]
        pekko.persistence.cassandra.journal.keyspace = %s
        pekko.persistence.cassandra.snapshot.keyspace = %s
        """.formatted(contactPoint, journalKeyspace, snapshotKeyspace))
        .withFallback(ConfigFactory.load()).resolve();
  }

  /** Starts a node that joins itself and waits until it is up. */
  public static ActorSystem<Void> start(Config config) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "orchestrator-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    while (cluster.selfMember().status() != MemberStatus.up()) {
      Thread.sleep(50);
    }
    return system;
  }

  public static void stop(ActorSystem<?> system) {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
