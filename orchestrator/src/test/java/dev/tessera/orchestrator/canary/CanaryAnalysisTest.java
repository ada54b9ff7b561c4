package dev.tessera.orchestrator.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CanaryAnalysisTest {

  private static double[] latencies(Random random, int n, double medianMs) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = medianMs * Math.exp(0.3 * random.nextGaussian());
    }
    return values;
  }

  private static double[] errorRates(Random random, int n, double rate) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      int errors = 0;
      for (int r = 0; r < 1000; r++) {
        errors += random.nextDouble() < rate ? 1 : 0;
      }
      values[i] = errors / 1000.0;
    }
    return values;
  }

  @Test
  void aCanaryLikeItsBaselinePasses() {
    Random random = new Random(11);
    CanaryAnalysis.Result result = CanaryAnalysis.analyse(latencies(random, 60, 40),
        latencies(random, 60, 40), errorRates(random, 30, 0.01), errorRates(random, 30, 0.01),
        0.05);

    assertThat(result.passed()).isTrue();
    assertThat(result.alphaPerMetric()).isEqualTo(0.025);
    assertThat(result.metrics()).extracting(CanaryAnalysis.MetricResult::metric)
        .containsExactly("latency", "errorRate");
    assertThat(result.metrics()).allSatisfy(m -> assertThat(m.p()).isGreaterThan(0.025));
  }

  @Test
  void aSlowerCanaryFailsOnLatency() {
    Random random = new Random(12);
    CanaryAnalysis.Result result = CanaryAnalysis.analyse(latencies(random, 60, 40),
        latencies(random, 60, 60), errorRates(random, 30, 0.01), errorRates(random, 30, 0.01),
        0.05);

    assertThat(result.passed()).isFalse();
    CanaryAnalysis.MetricResult latency = result.metrics().get(0);
    assertThat(latency.worse()).isTrue();
    assertThat(latency.p()).isLessThan(0.001);
    assertThat(latency.canaryMedian()).isGreaterThan(latency.baselineMedian());
    assertThat(result.metrics().get(1).worse()).isFalse();
  }

  @Test
  void aCanaryThatErrsMoreFailsOnErrorRate() {
    Random random = new Random(13);
    CanaryAnalysis.Result result = CanaryAnalysis.analyse(latencies(random, 60, 40),
        latencies(random, 60, 40), errorRates(random, 30, 0.01), errorRates(random, 30, 0.03),
        0.05);

    assertThat(result.passed()).isFalse();
    assertThat(result.metrics().get(1).worse()).isTrue();
  }

  @Test
  void aFasterCanaryIsNotAFailure() {
    Random random = new Random(14);
    CanaryAnalysis.Result result = CanaryAnalysis.analyse(latencies(random, 60, 40),
        latencies(random, 60, 25), errorRates(random, 30, 0.02), errorRates(random, 30, 0.005),
        0.05);

    assertThat(result.passed()).isTrue();
  }

  @Test
  void payloadCarriesTheStatistics() {
    Random random = new Random(15);
    Map<String, Object> payload = CanaryAnalysis.analyse(latencies(random, 20, 40),
        latencies(random, 20, 80), errorRates(random, 10, 0.01), errorRates(random, 10, 0.01),
        0.05).toPayload();

    assertThat(payload).containsEntry("passed", false).containsEntry("alpha", 0.05);
    assertThat(payload.get("latency")).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> latency = (Map<String, Object>) payload.get("latency");
    assertThat(latency).containsKeys("u", "z", "p", "canaryMedian");
  }

  @Test
  void refusesAnAlphaOutsideTheUnitInterval() {
    assertThatThrownBy(() -> CanaryAnalysis.analyse(new double[8], new double[8], new double[8],
        new double[8], 1.5)).hasMessageContaining("alpha");
  }
}
