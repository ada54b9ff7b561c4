package dev.tessera.engine.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each intermediate merges across tiles to the same result as updating with every event directly.
 */
class SlotAggregatorTest {

  private static double direct(SlotAggregator agg, long[] times, double[] values, long asOf) {
    double[] s = new double[agg.width()];
    agg.init(s, 0);
    for (int i = 0; i < times.length; i++) {
      agg.update(s, 0, asOf, times[i], values[i]);
    }
    return agg.result(s, 0, asOf, asOf);
  }

  /**
   * Events in time order, split into tiles of tileMs, each tile anchored at its start, merged
   * oldest first.
   */
  private static double tiled(
      SlotAggregator agg, long[] times, double[] values, long tileMs, long asOf) {
    double[] acc = new double[agg.width()];
    agg.init(acc, 0);
    int i = 0;
    while (i < times.length) {
      long start = Math.floorDiv(times[i], tileMs) * tileMs;
      double[] tile = new double[agg.width()];
      agg.init(tile, 0);
      // update the tile in reverse order: within a tile, order must not matter
      int j = i;
      while (j < times.length && times[j] < start + tileMs) {
        j++;
      }
      for (int k = j - 1; k >= i; k--) {
        agg.update(tile, 0, start, times[k], values[k]);
      }
      agg.merge(acc, 0, asOf, tile, 0, start);
      i = j;
    }
    return agg.result(acc, 0, asOf, asOf);
  }

  @Test
  void tiledMergeEqualsDirectUpdateForEveryAggregator() {
    Random random = new Random(17);
    SlotAggregator[] aggs = {
      SlotAggregator.count(),
      SlotAggregator.sum(),
      SlotAggregator.min(),
      SlotAggregator.max(),
      SlotAggregator.last(),
      new SlotAggregator.DecayedSum(3_600_000),
      new SlotAggregator.Session(1_800_000)
    };
    for (int round = 0; round < 2000; round++) {
      int n = random.nextInt(30);
      long[] times = new long[n];
      double[] values = new double[n];
      long t = 1_767_225_600_000L;
      for (int i = 0; i < n; i++) {
        t += random.nextInt(4) == 0 ? random.nextInt(3_600_000) : random.nextInt(120_000);
        times[i] = t;
        values[i] = random.nextInt(1000);
      }
      long asOf = t + random.nextInt(3_600_000);
      for (SlotAggregator agg : aggs) {
        double expected = direct(agg, times, values, asOf);
        double actual = tiled(agg, times, values, 300_000, asOf);
        if (Double.isNaN(expected)) {
          assertThat(actual).as("%s", agg).isNaN();
        } else {
          assertThat(actual)
              .as("%s round %d", agg.getClass().getSimpleName(), round)
              .isCloseTo(expected, within(1e-9 * Math.max(1, Math.abs(expected))));
        }
      }
    }
  }

  @Test
  void sessionBreaksOnGapsAndExpiresAfterTheGap() {
    SlotAggregator agg = new SlotAggregator.Session(1000);
    double[] s = new double[3];
    agg.init(s, 0);
    agg.update(s, 0, 0, 0, 0);
    agg.update(s, 0, 0, 1000, 0);
    agg.update(s, 0, 0, 2500, 0); // gap 1500 > 1000: new run
    agg.update(s, 0, 0, 3000, 0);
    assertThat(agg.result(s, 0, 0, 4000)).isEqualTo(0.5);
    assertThat(agg.result(s, 0, 0, 4001)).isEqualTo(0.0);
  }

  @Test
  void sharesAndEntropyOfCredits() {
    assertThat(CategoryMath.shares(Map.of("a", 3.0, "b", 1.0, "c", 0.0)))
        .containsExactly(Map.entry("a", 0.75), Map.entry("b", 0.25));
    assertThat(CategoryMath.entropy(Map.of("a", 1.0, "b", 1.0)))
        .isCloseTo(Math.log(2), within(1e-15));
    assertThat(CategoryMath.entropy(Map.of())).isEqualTo(0.0);
    assertThat(CategoryMath.shares(Map.of("a", 0.0))).isEmpty();
  }
}
