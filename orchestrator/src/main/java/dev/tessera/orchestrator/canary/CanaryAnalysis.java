package dev.tessera.orchestrator.canary;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a canary is no worse than its baseline, from metric samples taken over the same
 * period: request latency (ms) and error rate (errors per request, one value per interval).
 *
 * <p>Test: for each metric, a one-sided {@link MannWhitneyU} test of "the canary's values tend to
 * be larger than the baseline's". Both metrics are tested, so each uses {@code alpha / 2}
 * (Bonferroni): the canary fails when either p-value is below that, i.e. when there is
 * significant evidence that it is slower or errs more; otherwise it passes. A non-parametric test
 * because latencies are skewed and error rates bounded; ranks make one slow outlier count once.
 */
public final class CanaryAnalysis {

  /** Samples of one metric. */
  public record Samples(String metric, double[] baseline, double[] canary) {
    public Samples {
      Objects.requireNonNull(metric, "metric");
      baseline = baseline.clone();
      canary = canary.clone();
    }
  }

  /** One metric's statistics. */
  public record MetricResult(
      String metric,
      int baselineCount,
      int canaryCount,
      double baselineMedian,
      double canaryMedian,
      double u,
      double z,
      double p,
      boolean worse) {}

  /** The decision with the statistics behind it. */
  public record Result(boolean passed, double alpha, double alphaPerMetric,
      List<MetricResult> metrics) {
    public Result {
      metrics = List.copyOf(metrics);
    }

    /** JSON-like form for a signal's payload. */
    public Map<String, Object> toPayload() {
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("passed", passed);
      payload.put("test", "mann-whitney-u one-sided (canary greater), normal approximation,"
          + " tie and continuity corrected, Bonferroni over metrics");
      payload.put("alpha", alpha);
      payload.put("alphaPerMetric", alphaPerMetric);
      for (MetricResult m : metrics) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("baselineCount", m.baselineCount());
        stats.put("canaryCount", m.canaryCount());
        stats.put("baselineMedian", m.baselineMedian());
        stats.put("canaryMedian", m.canaryMedian());
        stats.put("u", m.u());
        stats.put("z", m.z());
        stats.put("p", m.p());
        stats.put("worse", m.worse());
        payload.put(m.metric(), stats);
      }
      return payload;
    }
  }

  private CanaryAnalysis() {}

  /**
   * @param alpha the family-wise significance level, in (0, 1)
   */
  public static Result analyse(List<Samples> samples, double alpha) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no metric samples to analyse");
    }
    double perMetric = alpha / samples.size();
    List<MetricResult> results = samples.stream().map(s -> {
      MannWhitneyU.Result r = MannWhitneyU.test(s.baseline(), s.canary());
      return new MetricResult(s.metric(), s.baseline().length, s.canary().length,
          median(s.baseline()), median(s.canary()), r.u2(), r.z(), r.pGreater(),
          r.pGreater() < perMetric);
    }).toList();
    boolean passed = results.stream().noneMatch(MetricResult::worse);
    return new Result(passed, alpha, perMetric, results);
  }

  /** Latency and error-rate samples: the usual canary comparison. */
  public static Result analyse(double[] baselineLatency, double[] canaryLatency,
      double[] baselineErrorRate, double[] canaryErrorRate, double alpha) {
    return analyse(List.of(new Samples("latency", baselineLatency, canaryLatency),
        new Samples("errorRate", baselineErrorRate, canaryErrorRate)), alpha);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
