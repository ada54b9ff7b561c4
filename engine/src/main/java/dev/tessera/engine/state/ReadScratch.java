package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Per-thread working memory of vector reads for one plan, so neither idle states nor reads carry
 * it: slot frames, category credits, and a memo of accumulator values (features share accumulators,
 * e.g. {@code impressions_1h}, {@code ctr_1h} and {@code engagement_rate_1h}).
 */
final class ReadScratch {
  final double[] slots;
  final int[][] ids = {new int[8]};
  final long[] memoFrom;
  final long[] memoTo;
  final double[] memoValue;
  final double[][] credits;

  ReadScratch(GroupPlan plan) {
    slots = new double[plan.maxWidth];
    int n = plan.accs.length;
    memoFrom = new long[n];
    memoTo = new long[n];
    memoValue = new double[n];
    credits = new double[n][];
  }

  void reset() {
    Arrays.fill(memoFrom, Long.MIN_VALUE);
  }

  /** A zeroed credits array of at least n entries for accumulator a. */
  double[] credits(int a, int n) {
    double[] c = credits[a];
    if (c == null || c.length < n) {
      c = new double[Math.max(n, 16)];
      credits[a] = c;
    } else {
      Arrays.fill(c, 0, n, 0.0);
    }
    return c;
  }
}
