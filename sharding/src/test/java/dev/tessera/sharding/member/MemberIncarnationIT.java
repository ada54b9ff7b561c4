package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member entity that stopped (hand-off, passivation) while a checkpoint was writing its state
 * starts again from the stored state, counting its batches from 0. The checkpoint's late {@code
 * Durable} answer, meant for the earlier incarnation, must not mark the new incarnation's unsaved
 * batches as durable: the next checkpoint would capture nothing for the member and commit offsets
 * past them. Real Cassandra under the entities.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class MemberIncarnationIT {

  @Test
  void aDurableMeantForAnEarlierIncarnationDoesNotCoverTheNextOnesBatches(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    Config config = FeatureNode.config("""
        datastax-java-driver.basic.contact-points = ["%s:%d"]
        tessera.features.state.keyspace = %s
        """.formatted(infrastructure.cassandra().host(), infrastructure.cassandra().port(),
        names.keyspace("state")));
    ActorSystem<Void> system = FeatureNode.start(config);
    ActorTestKit testKit = ActorTestKit.create(system);
    try {
      FeatureGroup group = FeatureRegistry.fromConfig(config).get("member_engagement", 1);
      MemberStateStore store =
          MemberStateStore.create(system, MemberStateStore.Settings.create(config), 6);
      TestProbe<MemberFeatures.Applied> applied = testKit.createTestProbe();
      TestProbe<MemberFeatures.Captured> captured = testKit.createTestProbe();
      long now = System.currentTimeMillis();

      // The first incarnation applies a batch; a checkpoint captures it (the write is in flight).
      ActorRef<MemberFeatures.Command> first = testKit.spawn(
          MemberFeatures.create("m1", List.of(group), SnapshotSink.none(), store, null));
      first.tell(apply(1, "e1", now - 60_000, 0, applied.ref()));
      applied.expectMessageClass(MemberFeatures.Applied.class);
      first.tell(new MemberFeatures.CaptureState(captured.ref()));
      MemberFeatures.Captured fromFirst = captured.receiveMessage();
      assertThat(fromFirst.writes()).isNotEmpty();
      testKit.stop(first);

      // The next incarnation loads the stored state (nothing yet) and applies one batch of its
      // own: its batch count equals the one the earlier incarnation's capture was taken at.
      ActorRef<MemberFeatures.Command> next = testKit.spawn(
          MemberFeatures.create("m1", List.of(group), SnapshotSink.none(), store, null));
      next.tell(apply(2, "e2", now - 30_000, 1, applied.ref()));
      applied.expectMessageClass(MemberFeatures.Applied.class);

      // The earlier incarnation's write completes; its Durable reaches the new incarnation.
      store.saveAll(fromFirst.writes()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      next.tell(new MemberFeatures.Durable(fromFirst.incarnation(), fromFirst.applied()));

      next.tell(new MemberFeatures.CaptureState(captured.ref()));
      MemberFeatures.Captured fromNext = captured.receiveMessage();
      assertThat(fromNext.incarnation()).isNotEqualTo(fromFirst.incarnation());
      assertThat(fromNext.writes())
          .as("the batch with e2 is not durable: the capture must hand its state over")
          .isNotEmpty();

      // Its own Durable does mark it durable.
      next.tell(new MemberFeatures.Durable(fromNext.incarnation(), fromNext.applied()));
      next.tell(new MemberFeatures.CaptureState(captured.ref()));
      assertThat(captured.receiveMessage().writes()).isEmpty();
    } finally {
      testKit.shutdownTestKit();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static MemberFeatures.ApplyEvents apply(long batchId, String eventId, long eventTime,
      long offset, ActorRef<MemberFeatures.Applied> replyTo) {
    return new MemberFeatures.ApplyEvents(batchId, EventStream.VIEWS, List.of(EnrichedEvent.of(
        Event.ofTitle(eventId, "m1", EventType.PLAY, eventTime, "t1"), "drama")),
        new long[] {offset}, replyTo);
  }
}
