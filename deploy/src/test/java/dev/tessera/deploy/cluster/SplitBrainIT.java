package dev.tessera.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.sharding.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Split Brain Resolver as the node configures it (deploy's cluster.conf: keep-majority), on
 * three actor systems in this JVM with a sharded entity type. One node is cut off from the other
 * two in both directions (Artery's test-mode blackhole, what Pekko's multi-node TestConductor
 * uses); nothing is told to leave or down anything. Only {@code stable-after} is shortened (2 s
 * instead of 20 s) to keep the test short.
 */
class SplitBrainIT {
  private static final Logger log = LoggerFactory.getLogger(SplitBrainIT.class);
  private static final Duration STEP = Duration.ofSeconds(45);

  /** Replies with the address of the node the entity lives on. */
  record WhereAreYou(ActorRef<Here> replyTo) implements CborSerializable {}

  record Here(String address) implements CborSerializable {}

  private static final EntityTypeKey<WhereAreYou> PROBE =
      EntityTypeKey.create(WhereAreYou.class, "split-brain-probe");

  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void terminateAll() throws Exception {
    // Youngest first, one at a time: nodes leaving together wait on each other's exit.
    for (int i = systems.size() - 1; i >= 0; i--) {
      systems.get(i).terminate();
      systems.get(i).getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void isolatedNodeIsDownedAndItsShardsMoveToTheMajority() throws Exception {
    cutOffAndRecover(2);
  }

  /** The oldest node is the leader and hosts the shard coordinator: both move as well. */
  @Test
  void isolatedOldestNodeIsDownedAndTheCoordinatorAndItsShardsMove() throws Exception {
    cutOffAndRecover(0);
  }

  /** Three nodes, the one at {@code isolatedIndex} (0 = oldest) cut off from the two others. */
  private void cutOffAndRecover(int isolatedIndex) throws Exception {
    for (int i = 0; i < 3; i++) {
      start();
    }
    ActorSystem<Void> isolated = systems.get(isolatedIndex);
    // By index: typed ActorSystems are ActorRefs, equal when their paths are (same system name).
    List<ActorSystem<Void>> majority = new ArrayList<>(systems);
    majority.remove(isolatedIndex);
    assertThat(isolated.settings().config()
        .getString("pekko.cluster.split-brain-resolver.active-strategy"))
        .isEqualTo("keep-majority");
    Address oldest = address(systems.get(0));
    for (ActorSystem<Void> system : systems) {
      Cluster.get(system).manager().tell(Join.create(oldest));
    }
    for (ActorSystem<Void> system : systems) {
      awaitTrue("3 members Up as seen by " + address(system), () -> upMembers(system) == 3);
    }
    for (ActorSystem<Void> system : systems) {
      ClusterSharding.get(system).init(Entity.of(PROBE, context -> probe()));
    }

    // An entity whose shard the coordinator placed on the node about to be cut off.
    ActorSystem<Void> asker = majority.get(0);
    String entityOnIsolated = awaitPresent("an entity living on " + address(isolated), () -> {
      Map<String, CompletableFuture<Here>> answers = new TreeMap<>();
      for (int i = 0; i < 60; i++) {
        answers.put("member-" + i, ask(asker, "member-" + i));
      }
      for (Map.Entry<String, CompletableFuture<Here>> answer : answers.entrySet()) {
        Optional<String> where = answered(answer.getValue());
        if (where.isPresent() && where.get().equals(address(isolated).toString())) {
          return Optional.of(answer.getKey());
        }
      }
      return Optional.empty();
    });
    log.info("Entity {} lives on {}: cutting that node off", entityOnIsolated, address(isolated));

    for (ActorSystem<Void> other : majority) {
      blackhole(isolated, address(other));
      blackhole(other, address(isolated));
    }
    long cut = System.nanoTime();

    // The majority downs and removes the isolated node; the isolated node downs itself and stops.
    for (ActorSystem<Void> system : majority) {
      awaitTrue("the isolated node removed, as seen by " + address(system), () ->
          !isMember(system, address(isolated)) && upMembers(system) == 2
              && Cluster.get(system).state().getUnreachable().isEmpty());
    }
    log.info("Isolated node removed by the majority after {} ms", elapsedMillis(cut));
    isolated.getWhenTerminated().toCompletableFuture().get(STEP.toSeconds(), TimeUnit.SECONDS);
    assertThat(Cluster.get(isolated).selfMember().status())
        .isIn(MemberStatus.down(), MemberStatus.removed());
    log.info("Isolated node terminated itself after {} ms", elapsedMillis(cut));

    // Its shard is allocated again, on a node of the majority.
    String nowOn = awaitPresent("entity " + entityOnIsolated + " answering again", () ->
        whereIs(majority.get(1), entityOnIsolated));
    assertThat(nowOn).isIn(address(majority.get(0)).toString(),
        address(majority.get(1)).toString());
    log.info("Entity {} answers from {} after {} ms", entityOnIsolated, nowOn,
        elapsedMillis(cut));
  }

  private ActorSystem<Void> start() {
    Config config = ConfigFactory.parseString("""
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        # Enables the blackhole management command (Pekko's own multi-node tests use it).
        pekko.remote.artery.advanced.test-mode = on
        pekko.cluster.split-brain-resolver.stable-after = 2s
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.cluster.sharding.number-of-shards = 30
        # The downed node must stop its actor system, never this JVM.
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """).withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tessera", config);
    systems.add(system);
    return system;
  }

  private static Behavior<WhereAreYou> probe() {
    return Behaviors.setup(context -> {
      String self = address(context.getSystem()).toString();
      return Behaviors.receive(WhereAreYou.class)
          .onMessage(WhereAreYou.class, message -> {
            message.replyTo().tell(new Here(self));
            return Behaviors.same();
          })
          .build();
    });
  }

  private static CompletableFuture<Here> ask(ActorSystem<Void> system, String entityId) {
    return ClusterSharding.get(system).entityRefFor(PROBE, entityId)
        .<Here>ask(WhereAreYou::new, Duration.ofSeconds(1)).toCompletableFuture();
  }

  /** Where the entity answered from, or empty if it did not answer within a second. */
  private static Optional<String> whereIs(ActorSystem<Void> system, String entityId)
      throws InterruptedException {
    return answered(ask(system, entityId));
  }

  private static Optional<String> answered(CompletableFuture<Here> answer)
      throws InterruptedException {
    try {
      return Optional.of(answer.get(2, TimeUnit.SECONDS).address());
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  /** Drops everything between this system and {@code other}, both directions, at this end. */
  @SuppressWarnings("deprecation") // Artery still takes the classic throttler's command
  private static void blackhole(ActorSystem<Void> system, Address other) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    ((RemoteActorRefProvider) classic.provider()).transport().managementCommand(
        new ThrottlerTransportAdapter.SetThrottle(other,
            ThrottlerTransportAdapter.bothDirection(),
            ThrottlerTransportAdapter.blackholeThrottleMode()));
  }

  private static Address address(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address();
  }

  private static long upMembers(ActorSystem<Void> system) {
    long up = 0;
    for (Member member : Cluster.get(system).state().getMembers()) {
      if (member.status() == MemberStatus.up()) {
        up++;
      }
    }
    return up;
  }

  private static boolean isMember(ActorSystem<Void> system, Address address) {
    for (Member member : Cluster.get(system).state().getMembers()) {
      if (member.address().equals(address)) {
        return true;
      }
    }
    return false;
  }

  private static long elapsedMillis(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  private static void awaitTrue(String what, Supplier<Boolean> condition)
      throws InterruptedException {
    awaitPresent(what, () -> condition.get() ? Optional.of(Boolean.TRUE) : Optional.empty());
  }

  private static <T> T awaitPresent(String what, SupplierOfOptional<T> attempt)
      throws InterruptedException {
    long deadline = System.nanoTime() + STEP.toNanos();
    while (true) {
      Optional<T> result = attempt.get();
      if (result.isPresent()) {
        return result.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + STEP.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @FunctionalInterface
  private interface SupplierOfOptional<T> {
    Optional<T> get() throws InterruptedException;
  }
}
