package dev.tessera.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DuplicateTableTest {

  @Test
  void findsEveryLiveKeyLikeAHashMapAndDropsExpiredOnesWhenMerging() {
    Random random = new Random(5);
    long[] watermarks = new long[8];
    DuplicateTable table = new DuplicateTable(3000, watermarks);
    Map<Long, Long> expected = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      Arrays.fill(watermarks, i);
      long from = i - 3000;
      long key = (random.nextLong() & ~7L) | random.nextInt(5);
      if (random.nextInt(10) == 0 && !expected.isEmpty()) {
        key = expected.keySet().iterator().next();
      }
      long time = i;
      Long live = expected.get(key);
      long found = table.timeOf(key);
      if (live != null && live >= from) {
        assertThat(found).isEqualTo(live);
      } else {
        assertThat(found).isLessThan(from); // absent, or expired and not dropped yet
      }
      table.putLastLookedUp(key, time);
      expected.put(key, time);
      if (i % 1000 == 999) {
        table.trim();
        expected.values().removeIf(t -> t < from);
        assertThat(table.size()).isEqualTo(expected.size());
        for (int k = 1; k < table.size; k++) {
          assertThat(table.keys[k - 1]).isLessThan(table.keys[k]);
        }
      }
    }
    for (Map.Entry<Long, Long> e : expected.entrySet()) {
      assertThat(table.timeOf(e.getKey())).isEqualTo(e.getValue());
    }
  }

  @Test
  void blocksExactlyLikeTheContractOverMonthsOfEventTime() {
    Random random = new Random(9);
    long horizon = 10L * 24 * 3_600_000; // 32-bit offsets must be rebased several times
    long[] watermarks = new long[8];
    Arrays.fill(watermarks, Long.MIN_VALUE);
    DuplicateTable table = new DuplicateTable(horizon, watermarks);
    Map<Long, Long> model = new HashMap<>();
    java.util.List<Long> keys = new java.util.ArrayList<>();
    long time = 1_767_225_600_000L;
    for (int i = 0; i < 20_000; i++) {
      int stream = random.nextInt(3);
      time += random.nextInt(4 * 3_600_000);
      long t = time - (random.nextInt(10) == 0 ? random.nextInt(300_000) : 0);
      long key =
          !keys.isEmpty() && random.nextInt(5) == 0
              ? (keys.get(random.nextInt(keys.size())) & ~7L) | stream
              : (random.nextLong() & ~7L) | stream;
      long wm = watermarks[stream];
      Long first = model.get(key);
      boolean expected = first != null && first >= wm - horizon;
      long actualTime = table.timeOf(key);
      boolean actual = actualTime != DuplicateTable.ABSENT && actualTime >= wm - horizon;
      assertThat(actual).as("event %d", i).isEqualTo(expected);
      if (!actual) {
        table.putLastLookedUp(key, t);
        model.put(key, t);
        keys.add(key);
        watermarks[stream] = Math.max(wm, t);
      }
      if (i % 500 == 0) {
        table.trim();
      }
    }
  }

  @Test
  void distinguishesStreamsOfTheSameEventId() {
    assertThat(DuplicateTable.key("e1", 0)).isNotEqualTo(DuplicateTable.key("e1", 1));
    assertThat(DuplicateTable.key("e1", 3) & 7).isEqualTo(3);
  }

  @Test
  void distinctTableKeepsTheMostRecentValuesWhenFull() {
    DistinctTable table = new DistinctTable(3);
    table.add(0, 10);
    table.add(1, 20);
    table.add(2, 30);
    table.add(3, 40); // evicts id 0, seen longest ago
    assertThat(table.seenFrom(0, 0)).isFalse();
    assertThat(table.countFrom(0)).isEqualTo(3);
    table.add(
        4, 5); // older than everything kept: the window holding it holds 3 newer values anyway
    assertThat(table.seenFrom(4, 0)).isFalse();
    table.evictBefore(25, 0);
    assertThat(table.countFrom(0)).isEqualTo(2);
    assertThat(table.seenFrom(1, 0)).isFalse();
    assertThat(table.seenFrom(3, 40)).isTrue();
  }
}
