package dev.tessera.sharding.store;

import static dev.tessera.sharding.store.Snapshots.GROUP;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SnapshotTableTest {

  private final SnapshotTable table = new SnapshotTable(1_000);

  @Test
  void aNewerVersionReplacesTheStoredOne() {
    assertThat(table.put(Snapshots.of("m1", 1, 10_000))).isTrue();
    assertThat(table.put(Snapshots.of("m1", 2, 10_000))).isTrue();

    assertThat(version(table.get("m1", GROUP, 0))).isEqualTo(2);
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void anOlderOrEqualVersionIsRejectedAndCounted() {
    table.put(Snapshots.of("m1", 5, 10_000));

    assertThat(table.put(Snapshots.of("m1", 4, 20_000))).isFalse();
    assertThat(table.put(Snapshots.of("m1", 5, 20_000))).isFalse();

    Lookup lookup = table.get("m1", GROUP, 0);
    assertThat(version(lookup)).isEqualTo(5);
    assertThat(((Lookup.Present) lookup).snapshot().expiresAt()).isEqualTo(10_000);
    assertThat(table.staleRejected()).isEqualTo(2);
    assertThat(table.puts()).isEqualTo(3);
  }

  @Test
  void keysAreMemberAndGroup() {
    table.put(Snapshots.of("m1", 1, 10_000));
    StoredSnapshot other = new StoredSnapshot("m1", "other_group", 3, 1, Map.of("x", 1L), 0, 0, 0,
        10_000, Map.of());
    table.put(other);

    assertThat(table.get("m1", "other_group", 0)).isEqualTo(new Lookup.Present(other));
    assertThat(table.get("m1", GROUP, 0)).isInstanceOf(Lookup.Present.class);
    assertThat(table.size()).isEqualTo(2);
  }

  @Test
  void anUnknownKeyIsNotFound() {
    table.put(Snapshots.of("m1", 1, 10_000));

    assertThat(table.get("m2", GROUP, 0)).isSameAs(Lookup.NotFound.INSTANCE);
    assertThat(table.get("m1", "no_such_group", 0)).isSameAs(Lookup.NotFound.INSTANCE);
  }

  @Test
  void aKeyExpiresExactlyAtExpiresAt() {
    StoredSnapshot snapshot = Snapshots.of("m1", 1, 10_000);
    table.put(snapshot);

    assertThat(table.get("m1", GROUP, 9_999)).isEqualTo(new Lookup.Present(snapshot));
    assertThat(table.get("m1", GROUP, 10_000)).isEqualTo(new Lookup.Expired(snapshot));
    assertThat(table.get("m1", GROUP, 10_001)).isEqualTo(new Lookup.Expired(snapshot));
  }

  @Test
  void aPresentReadAllocatesNoLookup() {
    table.put(Snapshots.of("m1", 1, 10_000));

    assertThat(table.get("m1", GROUP, 0)).isSameAs(table.get("m1", GROUP, 1));
  }

  @Test
  void theSweepEvictsExactlyTheExpiredKeys() {
    table.put(Snapshots.of("a", 1, 3_000));
    table.put(Snapshots.of("b", 1, 1_000));
    table.put(Snapshots.of("c", 1, 2_000));
    table.put(Snapshots.of("d", 1, 2_001));

    assertThat(table.evictExpired(999)).isZero();
    assertThat(table.evictExpired(2_000)).isEqualTo(2);

    assertThat(table.get("b", GROUP, 0)).isSameAs(Lookup.NotFound.INSTANCE);
    assertThat(table.get("c", GROUP, 0)).isSameAs(Lookup.NotFound.INSTANCE);
    assertThat(table.get("d", GROUP, 0)).isInstanceOf(Lookup.Present.class);
    assertThat(table.size()).isEqualTo(2);
    assertThat(table.evicted()).isEqualTo(2);
  }

  @Test
  void theSweepFollowsAnExpiryThatMovedWithANewVersion() {
    table.put(Snapshots.of("a", 1, 1_000));
    table.put(Snapshots.of("b", 1, 5_000));
    table.put(Snapshots.of("a", 2, 9_000)); // a later event pushes a's expiry out
    table.put(Snapshots.of("b", 2, 2_000)); // cannot happen with event-time TTLs, but must work

    assertThat(table.evictExpired(5_000)).isEqualTo(1);
    assertThat(table.get("b", GROUP, 0)).isSameAs(Lookup.NotFound.INSTANCE);
    assertThat(version(table.get("a", GROUP, 0))).isEqualTo(2);
  }

  @Test
  void aFullTableEvictsTheSoonestExpiringKeysFirst() {
    SnapshotTable small = new SnapshotTable(3);
    small.put(Snapshots.of("a", 1, 3_000));
    small.put(Snapshots.of("b", 1, 1_000));
    small.put(Snapshots.of("c", 1, 2_000));

    assertThat(small.put(Snapshots.of("d", 1, 4_000))).isTrue();
    assertThat(small.put(Snapshots.of("e", 1, 5_000))).isTrue();

    assertThat(small.size()).isEqualTo(3);
    assertThat(small.evictedForCapacity()).isEqualTo(2);
    assertThat(small.get("b", GROUP, 0)).isSameAs(Lookup.NotFound.INSTANCE);
    assertThat(small.get("c", GROUP, 0)).isSameAs(Lookup.NotFound.INSTANCE);
    for (String kept : List.of("a", "d", "e")) {
      assertThat(small.get(kept, GROUP, 0)).isInstanceOf(Lookup.Present.class);
    }
  }

  @Test
  void aFullTableRefusesANewKeyThatWouldExpireFirst() {
    SnapshotTable small = new SnapshotTable(2);
    small.put(Snapshots.of("a", 1, 3_000));
    small.put(Snapshots.of("b", 1, 2_000));

    assertThat(small.put(Snapshots.of("c", 1, 1_000))).isFalse();
    assertThat(small.put(Snapshots.of("a", 2, 3_000))).isTrue(); // existing keys still update

    assertThat(small.get("c", GROUP, 0)).isSameAs(Lookup.NotFound.INSTANCE);
    assertThat(small.size()).isEqualTo(2);
    assertThat(small.evictedForCapacity()).isEqualTo(1);
  }

  @Test
  void theHeapStaysOrderedUnderRandomPutsAndSweeps() {
    SnapshotTable small = new SnapshotTable(200);
    java.util.Random random = new java.util.Random(42);
    Map<String, Long> versions = new LinkedHashMap<>();
    long now = 0;
    for (int i = 0; i < 20_000; i++) {
      String member = "m" + random.nextInt(400);
      long version = versions.merge(member, 1L, Long::sum);
      small.put(Snapshots.of(member, version, now + 1 + random.nextInt(5_000)));
      if (i % 100 == 0) {
        now += 50;
        small.evictExpired(now);
        for (String m : versions.keySet()) {
          Lookup lookup = small.get(m, GROUP, now);
          assertThat(lookup).isNotInstanceOf(Lookup.Expired.class);
        }
      }
    }
    assertThat(small.size()).isLessThanOrEqualTo(200);
    assertThat(small.approximateBytes())
        .isEqualTo((long) small.size() * SnapshotTable.estimateBytes(Snapshots.of("m1", 1, 1)));
  }

  @Test
  void readersNeverSeeAVersionDecreaseWhileTheWriterPuts() throws Exception {
    int keys = 8;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> failure = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(3);
    List<Thread> readers = new ArrayList<>();
    long[] reads = new long[3];
    for (int r = 0; r < 3; r++) {
      int reader = r;
      readers.add(new Thread(() -> {
        long[] seen = new long[keys];
        started.countDown();
        while (!stop.get()) {
          for (int k = 0; k < keys; k++) {
            Lookup lookup = table.get("m" + k, GROUP, 0);
            if (lookup instanceof Lookup.Present present) {
              long version = present.snapshot().snapshotVersion();
              if (version < seen[k]) {
                failure.compareAndSet(null, "m" + k + ": " + seen[k] + " then " + version);
              }
              seen[k] = version;
              reads[reader]++;
            }
          }
        }
      }));
    }
    readers.forEach(Thread::start);
    started.await();
    long deadline = System.nanoTime() + 300_000_000L;
    long version = 0;
    while (System.nanoTime() < deadline) {
      version++;
      for (int k = 0; k < keys; k++) {
        table.put(Snapshots.of("m" + k, version, Long.MAX_VALUE));
        table.put(Snapshots.of("m" + k, version - 1, Long.MAX_VALUE)); // stale, must be ignored
      }
    }
    stop.set(true);
    for (Thread reader : readers) {
      reader.join();
    }

    assertThat(failure.get()).isNull();
    assertThat(reads).doesNotContain(0L);
    assertThat(version(table.get("m0", GROUP, 0))).isEqualTo(version);
  }

  @Test
  void theByteBoundEvictsAsManySoonestExpiringKeysAsANewKeyNeeds() {
    int entryBytes = SnapshotTable.estimateBytes(Snapshots.of("m1", 1, 1));
    SnapshotTable bounded = new SnapshotTable(1_000, 3L * entryBytes);
    assertThat(bounded.put(Snapshots.of("m1", 1, 400))).isTrue();
    assertThat(bounded.put(Snapshots.of("m2", 1, 100))).isTrue();
    assertThat(bounded.put(Snapshots.of("m3", 1, 300))).isTrue();

    assertThat(bounded.put(Snapshots.of("m4", 1, 200))).isTrue();
    assertThat(bounded.size()).isEqualTo(3);
    assertThat(bounded.approximateBytes()).isLessThanOrEqualTo(3L * entryBytes);
    assertThat(bounded.get("m2", GROUP, 0)).as("the soonest-expiring key went")
        .isEqualTo(Lookup.NotFound.INSTANCE);
    assertThat(bounded.get("m4", GROUP, 0)).isInstanceOf(Lookup.Present.class);

    assertThat(bounded.put(Snapshots.of("m5", 1, 150)))
        .as("a new key expiring before every stored one is not stored").isFalse();
    assertThat(bounded.evictedForCapacity()).isEqualTo(2);

    // A wide snapshot (the default group's 17 features) displaces as many small keys as it needs.
    StoredSnapshot wide = Snapshots.engagement("wide", 1, 300, 1);
    int wideBytes = SnapshotTable.estimateBytes(wide);
    assertThat(wideBytes).isGreaterThan(2 * entryBytes);
    SnapshotTable sized = new SnapshotTable(1_000, wideBytes + entryBytes / 2);
    assertThat(sized.put(Snapshots.of("a", 1, 100))).isTrue();
    assertThat(sized.put(Snapshots.of("b", 1, 200))).isTrue();
    assertThat(sized.put(wide)).isTrue();
    assertThat(sized.size()).isEqualTo(1);
    assertThat(sized.evictedForCapacity()).isEqualTo(2);
    assertThat(sized.get("wide", GROUP, 0)).isInstanceOf(Lookup.Present.class);
    assertThat(new SnapshotTable(1_000, wideBytes - 1).put(wide))
        .as("a key larger than the whole bound is not stored").isFalse();
  }

  @Test
  void estimateIsWithinAFactorOfTwoOfTheMeasuredHeap() {
    int n = 100_000;
    SnapshotTable big = new SnapshotTable(n);
    Snapshots.engagement("warm-up", 1, Long.MAX_VALUE, 1); // shares the key sets before measuring
    for (int i = 0; i < 8; i++) {
      big.put(Snapshots.engagement("warm-up-" + i, 1, Long.MAX_VALUE, i));
    }
    long before = usedHeapAfterGc();
    for (int i = 0; i < n - 8; i++) {
      big.put(Snapshots.engagement(String.format("member-%07d", i), 1, Long.MAX_VALUE - i, i));
    }
    long after = usedHeapAfterGc();

    double measured = (after - before) / (double) (n - 8);
    double estimated = big.approximateBytes() / (double) big.size();
    System.out.printf("online store: %d snapshots of the default group's shape: %.0f bytes per"
        + " entry measured (heap after GC), %.0f estimated%n", n, measured, estimated);
    assertThat(big.size()).isEqualTo(n);
    assertThat(estimated).isBetween(measured / 2, measured * 2);
  }

  private static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
    }
    return used;
  }

  private static long version(Lookup lookup) {
    assertThat(lookup).isInstanceOf(Lookup.Present.class);
    return ((Lookup.Present) lookup).snapshot().snapshotVersion();
  }
}
