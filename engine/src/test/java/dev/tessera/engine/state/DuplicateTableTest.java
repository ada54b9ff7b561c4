package dev.tessera.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DuplicateTableTest {

  @Test
  void findsEveryKeyLikeAHashMapAcrossMergesAndSweeps() {
    Random random = new Random(5);
    DuplicateTable table = new DuplicateTable();
    Map<Long, Long> expected = new HashMap<>();
    long[] horizon = new long[8];
    for (int i = 0; i < 20_000; i++) {
      long key = (random.nextLong() & ~7L) | random.nextInt(5);
      if (random.nextInt(10) == 0 && !expected.isEmpty()) {
        key = expected.keySet().iterator().next();
      }
      long time = i;
      assertThat(table.timeOf(key)).isEqualTo(expected.getOrDefault(key, DuplicateTable.ABSENT));
      table.putLastLookedUp(key, time);
      expected.put(key, time);
      if (i % 1000 == 999) {
        java.util.Arrays.fill(horizon, i);
        table.sweep(horizon, 3000, i - 3000);
        long from = i - 3000;
        expected.values().removeIf(t -> t < from);
        assertThat(table.size()).isEqualTo(expected.size());
      }
    }
    for (Map.Entry<Long, Long> e : expected.entrySet()) {
      assertThat(table.timeOf(e.getKey())).isEqualTo(e.getValue());
    }
    table.trim();
    for (int i = 1; i < table.size; i++) {
      assertThat(table.keys[i - 1]).isLessThan(table.keys[i]);
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
    table.add(4, 5); // older than everything kept: the window holding it holds 3 newer values anyway
    assertThat(table.seenFrom(4, 0)).isFalse();
    table.evictBefore(25);
    assertThat(table.countFrom(0)).isEqualTo(2);
    assertThat(table.seenFrom(1, 0)).isFalse();
    assertThat(table.seenFrom(3, 40)).isTrue();
  }
}
