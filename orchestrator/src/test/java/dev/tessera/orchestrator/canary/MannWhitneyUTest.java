package dev.tessera.orchestrator.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Reference values: by hand where short, otherwise from scipy 1.17 {@code mannwhitneyu(second,
 * first, alternative=..., method='asymptotic', use_continuity=True)} and {@code norm.cdf}.
 */
class MannWhitneyUTest {

  @Test
  void completelySeparatedSamplesMatchTheHandComputedStatistic() {
    double[] first = {1, 2, 3, 4, 5, 6, 7, 8};
    double[] second = {9, 10, 11, 12, 13, 14, 15, 16};

    MannWhitneyU.Result r = MannWhitneyU.test(first, second);

    // R1 = 1+..+8 = 36, U1 = 36 - 36 = 0, U2 = 64; mean 32, var = 64/12 * 17 = 90.667,
    // z = (64 - 32 - 0.5) / sqrt(90.667) = 3.30822
    assertThat(r.u1()).isEqualTo(0);
    assertThat(r.u2()).isEqualTo(64);
    assertThat(r.z()).isCloseTo(31.5 / Math.sqrt(64.0 / 12 * 17), within(1e-12));
    assertThat(r.pGreater()).isCloseTo(0.00046955284955859495, within(1e-12));
    assertThat(r.pTwoSided()).isCloseTo(0.0009391056991171899, within(1e-12));
  }

  @Test
  void tiesUseAverageRanksAndTheTieCorrectedVariance() {
    double[] first = {3, 4, 2, 6, 2, 5, 4, 4, 3, 7};
    double[] second = {9, 7, 5, 10, 6, 8, 4, 7, 9, 8};

    MannWhitneyU.Result r = MannWhitneyU.test(first, second);

    assertThat(r.u2()).isEqualTo(90.5);
    assertThat(r.u1() + r.u2()).isEqualTo(100);
    assertThat(r.pGreater()).isCloseTo(0.001156803439691886, within(1e-12));
    assertThat(r.pTwoSided()).isCloseTo(0.002313606879383772, within(1e-12));
  }

  @Test
  void similarSamplesGiveALargePValue() {
    double[] first = {10, 12, 11, 14, 13, 15, 12, 11};
    double[] second = {12, 11, 13, 10, 14, 12, 15, 11, 13};

    MannWhitneyU.Result r = MannWhitneyU.test(first, second);

    assertThat(r.u2()).isEqualTo(37.5);
    assertThat(r.pGreater()).isCloseTo(0.4610226718137239, within(1e-12));
    assertThat(r.pTwoSided()).isCloseTo(0.9220453436274478, within(1e-12));
  }

  @Test
  void theSecondSampleBeingSmallerIsNotEvidenceOfBeingGreater() {
    double[] first = {9, 10, 11, 12, 13, 14, 15, 16};
    double[] second = {1, 2, 3, 4, 5, 6, 7, 8};

    MannWhitneyU.Result r = MannWhitneyU.test(first, second);

    assertThat(r.u2()).isEqualTo(0);
    assertThat(r.pGreater()).isGreaterThan(0.99);
    assertThat(r.pTwoSided()).isCloseTo(0.0009391056991171899, within(1e-12));
  }

  @Test
  void allValuesTiedMeansNoEvidenceEitherWay() {
    double[] same = {5, 5, 5, 5, 5, 5, 5, 5};

    MannWhitneyU.Result r = MannWhitneyU.test(same, same);

    assertThat(r.pGreater()).isEqualTo(1);
    assertThat(r.pTwoSided()).isEqualTo(1);
  }

  @Test
  void refusesSamplesTooSmallForTheApproximationAndNaN() {
    assertThatThrownBy(() -> MannWhitneyU.test(new double[7], new double[10]))
        .hasMessageContaining("at least 8");
    double[] withNaN = {1, 2, 3, 4, 5, 6, 7, Double.NaN};
    assertThatThrownBy(() -> MannWhitneyU.test(withNaN, new double[8]))
        .hasMessageContaining("NaN");
  }

  @Test
  void normalDistributionFunctionMatchesReferenceValues() {
    assertThat(MannWhitneyU.Normal.cdf(0)).isCloseTo(0.5, within(1e-15));
    assertThat(MannWhitneyU.Normal.cdf(1.0)).isCloseTo(0.8413447460685429, within(1e-14));
    assertThat(MannWhitneyU.Normal.cdf(-1.96)).isCloseTo(0.024997895148220435, within(1e-14));
    assertThat(MannWhitneyU.Normal.cdf(3.5)).isCloseTo(0.9997673709209645, within(1e-14));
    // far tail: tiny absolute error, relative error about 1e-8
    assertThat(MannWhitneyU.Normal.cdf(-8.2) / 1.2019351542735735e-16).isCloseTo(1, within(1e-7));
    assertThat(MannWhitneyU.Normal.cdf(10)).isEqualTo(1.0);
  }
}
