package dev.tessera.sharding.store;

import static dev.tessera.sharding.store.Snapshots.GROUP;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OnlineStoreTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  /** A sweep interval long enough that it never runs during a test. */
  private static final StoreSettings NO_SWEEP = new StoreSettings(Duration.ofHours(1), 100);

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aPutSnapshotIsReadThroughTheActorAndTheTable() {
    SnapshotTable table = new SnapshotTable(100);
    ActorRef<OnlineStore.Command> store = testKit.spawn(OnlineStore.create(NO_SWEEP, table));
    TestProbe<Lookup> reader = testKit.createTestProbe();
    StoredSnapshot snapshot = Snapshots.engagement("m1", 1, 10_000, 3);

    store.tell(new OnlineStore.Put(snapshot));
    store.tell(new OnlineStore.Get("m1", GROUP, 5_000, reader.getRef()));
    store.tell(new OnlineStore.Get("m1", GROUP, 10_000, reader.getRef()));
    store.tell(new OnlineStore.Get("m2", GROUP, 5_000, reader.getRef()));

    reader.expectMessage(new Lookup.Present(snapshot));
    reader.expectMessage(new Lookup.Expired(snapshot));
    reader.expectMessage(Lookup.NotFound.INSTANCE);
    assertThat(table.get("m1", GROUP, 5_000)).isEqualTo(new Lookup.Present(snapshot));
  }

  @Test
  void aStalePutIsCountedAndIgnored() {
    SnapshotTable table = new SnapshotTable(100);
    ActorRef<OnlineStore.Command> store = testKit.spawn(OnlineStore.create(NO_SWEEP, table));
    TestProbe<Lookup> reader = testKit.createTestProbe();
    TestProbe<OnlineStore.Stats> stats = testKit.createTestProbe();

    store.tell(new OnlineStore.Put(Snapshots.of("m1", 2, 10_000)));
    store.tell(new OnlineStore.Put(Snapshots.of("m1", 1, 10_000)));
    store.tell(new OnlineStore.Put(Snapshots.of("m1", 2, 10_000)));
    store.tell(new OnlineStore.Get("m1", GROUP, 0, reader.getRef()));
    store.tell(new OnlineStore.GetStats(stats.getRef()));

    Lookup lookup = reader.receiveMessage();
    assertThat(((Lookup.Present) lookup).snapshot().snapshotVersion()).isEqualTo(2);
    OnlineStore.Stats received = stats.receiveMessage();
    assertThat(received.puts()).isEqualTo(3);
    assertThat(received.staleRejected()).isEqualTo(2);
    assertThat(received.entries()).isEqualTo(1);
  }

  @Test
  void theSweepEvictsKeysExpiredByTheWallClock() {
    SnapshotTable table = new SnapshotTable(100);
    StoreSettings settings = new StoreSettings(Duration.ofMillis(50), 100);
    ActorRef<OnlineStore.Command> store = testKit.spawn(OnlineStore.create(settings, table));
    TestProbe<OnlineStore.Stats> stats = testKit.createTestProbe();
    long now = System.currentTimeMillis();

    store.tell(new OnlineStore.Put(Snapshots.of("past", 1, now - 1_000)));
    store.tell(new OnlineStore.Put(Snapshots.of("future", 1, now + 3_600_000)));

    stats.awaitAssert(Duration.ofSeconds(3), () -> {
      store.tell(new OnlineStore.GetStats(stats.getRef()));
      OnlineStore.Stats received = stats.receiveMessage();
      assertThat(received.evicted()).isEqualTo(1);
      assertThat(received.entries()).isEqualTo(1);
      return null;
    });
    assertThat(table.get("past", GROUP, now - 2_000)).isSameAs(Lookup.NotFound.INSTANCE);
    assertThat(table.get("future", GROUP, now)).isInstanceOf(Lookup.Present.class);
  }

  @Test
  void statsCountEntriesBytesAndCapacityEvictions() {
    SnapshotTable table = new SnapshotTable(2);
    ActorRef<OnlineStore.Command> store =
        testKit.spawn(OnlineStore.create(new StoreSettings(Duration.ofHours(1), 2), table));
    TestProbe<OnlineStore.Stats> stats = testKit.createTestProbe();

    store.tell(new OnlineStore.Put(Snapshots.engagement("a", 1, 1_000, 1)));
    store.tell(new OnlineStore.Put(Snapshots.engagement("b", 1, 2_000, 2)));
    store.tell(new OnlineStore.Put(Snapshots.engagement("c", 1, 3_000, 3)));
    store.tell(new OnlineStore.GetStats(stats.getRef()));

    OnlineStore.Stats received = stats.receiveMessage();
    assertThat(received.entries()).isEqualTo(2);
    assertThat(received.puts()).isEqualTo(3);
    assertThat(received.evictedForCapacity()).isEqualTo(1);
    assertThat(received.evicted()).isZero();
    assertThat(received.approximateBytes()).isEqualTo(table.approximateBytes())
        .isEqualTo(SnapshotTable.estimateBytes(Snapshots.engagement("b", 1, 2_000, 2))
            + SnapshotTable.estimateBytes(Snapshots.engagement("c", 1, 3_000, 3)));
  }

  @Test
  void absorbsABurstOfPutsAndPrintsTheRate() {
    int n = 200_000;
    StoredSnapshot[] snapshots = new StoredSnapshot[n];
    for (int i = 0; i < n; i++) {
      snapshots[i] = Snapshots.engagement("member-" + (i % 50_000), 1 + i / 50_000, 10_000, i);
    }
    SnapshotTable table = new SnapshotTable(100_000);
    ActorRef<OnlineStore.Command> store =
        testKit.spawn(OnlineStore.create(new StoreSettings(Duration.ofHours(1), 100_000), table));
    TestProbe<OnlineStore.Stats> stats = testKit.createTestProbe();

    long start = System.nanoTime();
    for (StoredSnapshot snapshot : snapshots) {
      store.tell(new OnlineStore.Put(snapshot));
    }
    store.tell(new OnlineStore.GetStats(stats.getRef()));
    OnlineStore.Stats received = stats.receiveMessage(Duration.ofSeconds(30));
    double seconds = (System.nanoTime() - start) / 1e9;

    System.out.printf("online store: %d puts through the actor (one sender) in %.2f s: %.0f"
        + " puts/s%n", n, seconds, n / seconds);
    assertThat(received.puts()).isEqualTo(n);
    assertThat(received.entries()).isEqualTo(50_000);
    assertThat(received.staleRejected()).isZero();
  }
}
