package dev.tessera.sharding.roundtrip;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.EmbeddedCassandra;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An event-sourced sharded entity journaled in the real Cassandra, recovered by a fresh node. */
@ExtendWith(LocalInfrastructureExtension.class)
class MemberInboxIT {

  private static ActorSystem<Void> node(Config config) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "inbox-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    while (cluster.selfMember().status() != MemberStatus.up()) {
      Thread.sleep(50);
    }
    MemberInbox.init(system);
    return system;
  }

  @Test
  void eventsPersistedThroughPekkoPersistenceCassandraAreRecoveredByAFreshActorSystem(
      EmbeddedCassandra cassandra, TestNamespace names) throws Exception {
    Config config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        datastax-java-driver.basic.contact-points = ["%s:%d"]
        pekko.persistence.cassandra.journal.keyspace = %s
        pekko.persistence.cassandra.snapshot.keyspace = %s
        """.formatted(cassandra.host(), cassandra.port(), names.keyspace("journal"),
            names.keyspace("snapshot"))).withFallback(ConfigFactory.load()).resolve();

    ActorSystem<Void> first = node(config);
    try {
      var sharding = ClusterSharding.get(first);
      for (int i = 0; i < 5; i++) {
        String member = "m" + (i % 2);
        int n = i;
        sharding.entityRefFor(MemberInbox.ENTITY_KEY, member)
            .<Done>askWithStatus(reply -> new MemberInbox.Record("e" + n, "play", n, reply),
                Duration.ofSeconds(20))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } finally {
      first.terminate();
      first.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    ActorSystem<Void> second = node(config);
    try {
      var sharding = ClusterSharding.get(second);
      MemberInbox.Summary m0 = sharding.entityRefFor(MemberInbox.ENTITY_KEY, "m0")
          .ask(MemberInbox.GetSummary::new, Duration.ofSeconds(20))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      MemberInbox.Summary m1 = sharding.entityRefFor(MemberInbox.ENTITY_KEY, "m1")
          .ask(MemberInbox.GetSummary::new, Duration.ofSeconds(20))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(m0.eventCount()).isEqualTo(3);
      assertThat(m0.recentEventIds()).containsExactly("e0", "e2", "e4");
      assertThat(m1.recentEventIds()).containsExactly("e1", "e3");
    } finally {
      second.terminate();
      second.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
