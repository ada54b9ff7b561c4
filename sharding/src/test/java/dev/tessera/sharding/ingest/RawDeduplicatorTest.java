package dev.tessera.sharding.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RawDeduplicatorTest {

  @Test
  void aRepeatWithinTheWindowIsADuplicate() {
    RawDeduplicator dedup = new RawDeduplicator(600_000, 1000);
    assertThat(dedup.isDuplicate("e1", 1_000)).isFalse();
    assertThat(dedup.isDuplicate("e1", 601_000)).as("exactly at the window's end").isTrue();
    assertThat(dedup.isDuplicate("e2", 601_000)).isFalse();
  }

  @Test
  void aRepeatAfterTheWindowPasses() {
    RawDeduplicator dedup = new RawDeduplicator(600_000, 1000);
    dedup.isDuplicate("e1", 0);
    assertThat(dedup.isDuplicate("e1", 600_001)).isFalse();
    assertThat(dedup.isDuplicate("e1", 700_000)).as("within the new copy's window").isTrue();
  }

  @Test
  void everyCopyRefreshesTheWindow() {
    RawDeduplicator dedup = new RawDeduplicator(600_000, 1000);
    assertThat(dedup.isDuplicate("e1", 0)).isFalse();
    assertThat(dedup.isDuplicate("e1", 500_000)).isTrue();
    assertThat(dedup.isDuplicate("e1", 1_000_000)).as("within the window of the copy at 500 s")
        .isTrue();
  }

  @Test
  void oldIdsAreForgottenSoMemoryFollowsTheWindow() {
    RawDeduplicator dedup = new RawDeduplicator(1_000, 1_000_000);
    for (int i = 0; i < 10_000; i++) {
      dedup.isDuplicate("e" + i, i);
    }
    assertThat(dedup.size()).isBetween(1000, 1002);
    assertThat(dedup.forgottenForCapacity()).isZero();
  }

  @Test
  void theMemoryBoundForgetsTheOldestFirst() {
    RawDeduplicator dedup = new RawDeduplicator(600_000, 100);
    for (int i = 0; i < 150; i++) {
      dedup.isDuplicate("e" + i, i);
    }
    assertThat(dedup.size()).isEqualTo(100);
    assertThat(dedup.forgottenForCapacity()).isEqualTo(50);
    assertThat(dedup.isDuplicate("e149", 200)).isTrue();
    assertThat(dedup.isDuplicate("e10", 200)).as("forgotten for capacity").isFalse();
  }

  @Test
  void replayingFromTheWindowStartRebuildsTheSameDecisions() {
    Random random = new Random(42);
    long window = 5_000;
    List<String> ids = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 20_000; i++) {
      t += random.nextInt(3);
      ids.add("e" + random.nextInt(3000));
      times.add(t);
    }
    int cut = 12_345;
    RawDeduplicator original = new RawDeduplicator(window, 2000);
    List<Boolean> decisions = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      decisions.add(original.isDuplicate(ids.get(i), times.get(i)));
    }
    // After a crash at `cut`: replay from the first record within the window of the next one.
    RawDeduplicator rebuilt = new RawDeduplicator(window, 2000);
    int from = 0;
    while (times.get(from) < times.get(cut) - window) {
      from++;
    }
    for (int i = from; i < cut; i++) {
      rebuilt.isDuplicate(ids.get(i), times.get(i));
    }
    for (int i = cut; i < ids.size(); i++) {
      assertThat(rebuilt.isDuplicate(ids.get(i), times.get(i))).as("record %d", i)
          .isEqualTo(decisions.get(i));
    }
  }

  @Test
  void agreesWithAPlainMapOfLastCopiesWhenTheBoundIsNotReached() {
    // The definition, kept obviously: a duplicate iff the id's last copy is within the window.
    // Times mostly rise but sometimes step back (broker timestamps are the producers' clocks), and
    // ids recur at every distance, so entries are forgotten, probed around and moved constantly.
    for (int seed = 0; seed < 20; seed++) {
      Random random = new Random(seed);
      long window = 1 + random.nextInt(2_000);
      RawDeduplicator dedup = new RawDeduplicator(window, Integer.MAX_VALUE);
      Map<String, Long> lastCopy = new HashMap<>();
      long t = 1_000_000;
      for (int i = 0; i < 100_000; i++) {
        t += random.nextInt(10) == 0 ? -random.nextInt(500) : random.nextInt(5);
        String id = "e" + random.nextInt(1 + random.nextInt(20_000));
        Long previous = lastCopy.put(id, t);
        boolean expected = previous != null && t - previous <= window;
        assertThat(dedup.isDuplicate(id, t)).as("seed %d, record %d", seed, i)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void memoryFollowsTheWindowAcrossManyGenerations() {
    RawDeduplicator dedup = new RawDeduplicator(100, 1_000_000);
    for (int i = 0; i < 1_000_000; i++) {
      assertThat(dedup.isDuplicate("id-" + i, i)).isFalse();
    }
    assertThat(dedup.size()).isBetween(100, 102);
    assertThat(dedup.isDuplicate("id-999950", 1_000_000)).isTrue();
    assertThat(dedup.isDuplicate("id-999800", 1_000_000)).as("its copy left the window").isFalse();
  }
}
