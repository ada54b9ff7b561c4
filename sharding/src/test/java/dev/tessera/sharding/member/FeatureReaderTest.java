package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.EventType;
import dev.tessera.sharding.store.Lookup;
import dev.tessera.sharding.store.SnapshotTable;
import dev.tessera.sharding.store.StoredSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class FeatureReaderTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final FeatureGroup GROUP =
      FeatureRegistry.fromConfig(ConfigFactory.load()).get("member_engagement", 1);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void readsServeFreshVectorsRefreshStaleOnesAsWindowsSlideAndReportExpiryAndAbsence()
      throws Exception {
    SnapshotTable table = new SnapshotTable(1000);
    ActorRef<MemberFeatures.Command> member = testKit.spawn(
        MemberFeatures.create("m1", List.of(GROUP), new OnlineStoreSink(table), null, null));
    TestProbe<ClusterSharding.ShardCommand> ghostShard = testKit.createTestProbe();
    ActorRef<MemberFeatures.Command> ghost = testKit.spawn(
        MemberFeatures.create("ghost", List.of(GROUP), new OnlineStoreSink(table), null,
            ghostShard.ref()));
    Map<String, ActorRef<MemberFeatures.Command>> entities = Map.of("m1", member, "ghost", ghost);
    FeatureReader reader = new FeatureReader(testKit.system(), table, entities::get,
        Duration.ofSeconds(1), Duration.ofSeconds(5));

    long played = System.currentTimeMillis() - 10_000;
    TestProbe<MemberFeatures.Applied> applied = testKit.createTestProbe();
    member.tell(new MemberFeatures.ApplyEvents(1, EventStream.VIEWS, List.of(EnrichedEvent.of(
        Event.ofTitle("e1", "m1", EventType.PLAY, played, "t1"), "drama")), new long[] {0},
        applied.ref()));
    assertThat(applied.receiveMessage().accepted()).isEqualTo(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!(table.get("m1", GROUP.name(), played) instanceof Lookup.Present)
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    StoredSnapshot published = ((Lookup.Present) table.get("m1", GROUP.name(), played)).snapshot();

    long now = published.asOf() + 500;
    Lookup fresh = reader.read("m1", GROUP.name(), now).toCompletableFuture().get();
    assertThat(((Lookup.Present) fresh).snapshot().snapshotVersion())
        .as("within the hop: served from the store as it is").isEqualTo(published.snapshotVersion());

    long twoHoursLater = published.asOf() + 7_200_000;
    Lookup slid = reader.read("m1", GROUP.name(), twoHoursLater).toCompletableFuture().get();
    StoredSnapshot refreshed = ((Lookup.Present) slid).snapshot();
    assertThat(refreshed.asOf()).isEqualTo(twoHoursLater);
    assertThat(refreshed.snapshotVersion()).isGreaterThan(published.snapshotVersion());
    assertThat(published.values().get("plays_1h")).isEqualTo(1L);
    assertThat(refreshed.values().get("plays_1h")).as("the hour slid past the play").isEqualTo(0L);
    assertThat(refreshed.values().get("plays_24h")).isEqualTo(1L);
    assertThat(((Lookup.Present) table.get("m1", GROUP.name(), twoHoursLater)).snapshot()
        .snapshotVersion()).as("a refreshed vector answers its read; the store keeps what the "
            + "member's events published").isEqualTo(published.snapshotVersion());

    long pastTtl = played + GROUP.ttl().toMillis() + 1;
    assertThat(reader.read("m1", GROUP.name(), pastTtl).toCompletableFuture().get())
        .isInstanceOf(Lookup.Expired.class);

    assertThat(reader.read("ghost", GROUP.name(), now).toCompletableFuture().get())
        .isEqualTo(Lookup.NotFound.INSTANCE);
    assertThat(table.get("ghost", GROUP.name(), now)).as("absent members are not stored")
        .isEqualTo(Lookup.NotFound.INSTANCE);
    // Nor kept alive: reading an unknown id passivates its entity at once.
    assertThat(ghostShard.receiveMessage()).isInstanceOf(ClusterSharding.Passivate.class);
  }
}
