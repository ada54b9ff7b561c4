package dev.tessera.orchestrator.canary;

import java.util.Arrays;
import java.util.Objects;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum) with the normal approximation, corrected for ties
 * and for continuity. Pure and deterministic.
 *
 * <p>Method: pool both samples and rank them (ties get the average of their ranks). With {@code
 * R1} the rank sum of the first sample, {@code U1 = R1 - n1(n1+1)/2} and {@code U2 = n1 n2 - U1}.
 * Under the null hypothesis (both samples from the same distribution) {@code U} has mean {@code
 * n1 n2 / 2} and, with {@code t} the size of each group of tied values and {@code n = n1 + n2},
 * variance {@code n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))}. The statistic {@code z =
 * (U2 - mean - 1/2) / sd} (the 1/2 is the continuity correction towards the mean) is compared
 * with the standard normal distribution.
 *
 * <p>{@link Result#pGreater()} is the one-sided p-value for "the second sample tends to be larger
 * than the first" (what a canary must not show for latency or error rate); {@link
 * Result#pTwoSided()} the two-sided one. Matches scipy's {@code mannwhitneyu(second, first,
 * alternative=..., method='asymptotic', use_continuity=True)}. The approximation is good from
 * about 8 values per sample; fewer are refused. When every value is tied the variance is zero and
 * the samples are indistinguishable: both p-values are 1.
 */
public final class MannWhitneyU {

  /** The smallest sample size accepted, per sample. */
  public static final int MIN_SAMPLE = 8;

  /**
   * @param u1 U of the first sample
   * @param u2 U of the second sample ({@code n1 n2 - u1})
   * @param z the continuity-corrected standard score of {@code u2} (0 when all values tie)
   * @param pGreater one-sided p-value: second sample stochastically greater
   * @param pTwoSided two-sided p-value
   */
  public record Result(double u1, double u2, double z, double pGreater, double pTwoSided) {}

  private MannWhitneyU() {}

  /** Tests whether {@code second} tends to be larger than (or differs from) {@code first}. */
  public static Result test(double[] first, double[] second) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    if (first.length < MIN_SAMPLE || second.length < MIN_SAMPLE) {
      throw new IllegalArgumentException("Mann-Whitney U needs at least " + MIN_SAMPLE
          + " values per sample, got " + first.length + " and " + second.length);
    }
    int n1 = first.length;
    int n2 = second.length;
    int n = n1 + n2;
    double[][] pooled = new double[n][];
    for (int i = 0; i < n1; i++) {
      pooled[i] = new double[] {checked(first[i]), 0};
    }
    for (int i = 0; i < n2; i++) {
      pooled[n1 + i] = new double[] {checked(second[i]), 1};
    }
    Arrays.sort(pooled, (a, b) -> Double.compare(a[0], b[0]));
    double rankSumFirst = 0;
    double tieTerm = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && pooled[j + 1][0] == pooled[i][0]) {
        j++;
      }
      double averageRank = (i + 1 + j + 1) / 2.0;
      for (int k = i; k <= j; k++) {
        if (pooled[k][1] == 0) {
          rankSumFirst += averageRank;
        }
      }
      double t = j - i + 1;
      tieTerm += t * t * t - t;
      i = j + 1;
    }
    double u1 = rankSumFirst - n1 * (n1 + 1) / 2.0;
    double u2 = (double) n1 * n2 - u1;
    double mean = n1 * (double) n2 / 2.0;
    double variance = n1 * (double) n2 / 12.0 * ((n + 1) - tieTerm / ((double) n * (n - 1)));
    if (variance <= 0) {
      return new Result(u1, u2, 0, 1, 1);
    }
    double sd = Math.sqrt(variance);
    double zGreater = (u2 - mean - 0.5) / sd;
    double deviation = Math.max(0, Math.abs(u2 - mean) - 0.5);
    double zTwo = deviation / sd;
    double pGreater = Normal.cdf(-zGreater);
    double pTwoSided = Math.min(1, 2 * Normal.cdf(-zTwo));
    return new Result(u1, u2, zGreater, pGreater, pTwoSided);
  }

  private static double checked(double value) {
    if (Double.isNaN(value)) {
      throw new IllegalArgumentException("a sample holds NaN");
    }
    return value;
  }

  /** The standard normal distribution function. */
  static final class Normal {
    private Normal() {}

    /**
     * Hart's (1968) double-precision algorithm as given by G. West, "Better approximations to
     * cumulative normal functions" (Wilmott, 2005): absolute error below 1e-14. Computes the tail
     * directly, so small tail probabilities keep about 8 significant digits (beyond |x| = 7.07 a
     * short continued fraction is used).
     */
    static double cdf(double x) {
      double abs = Math.abs(x);
      double tail;
      if (abs > 37) {
        tail = 0;
      } else {
        double e = Math.exp(-abs * abs / 2);
        if (abs < 7.07106781186547) {
          double b = 3.52624965998911e-02 * abs + 0.700383064443688;
          b = b * abs + 6.37396220353165;
          b = b * abs + 33.912866078383;
          b = b * abs + 112.079291497871;
          b = b * abs + 221.213596169931;
          b = b * abs + 220.206867912376;
          double numerator = e * b;
          b = 8.83883476483184e-02 * abs + 1.75566716318264;
          b = b * abs + 16.064177579207;
          b = b * abs + 86.7807322029461;
          b = b * abs + 296.564248779674;
          b = b * abs + 637.333633378831;
          b = b * abs + 793.826512519948;
          b = b * abs + 440.413735824752;
          tail = numerator / b;
        } else {
          double b = abs + 0.65;
          b = abs + 4 / b;
          b = abs + 3 / b;
          b = abs + 2 / b;
          b = abs + 1 / b;
          tail = e / b / 2.506628274631;
        }
      }
      return x > 0 ? 1 - tail : tail;
    }
  }
}
