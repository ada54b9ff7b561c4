package dev.tessera.orchestrator.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StandardStepsTest {

  private static StepRequest request(Map<String, Object> vars) {
    return new StepRequest("wf", WorkflowKind.FEATURE_ENGINEERING, "x", 1, vars);
  }

  @Test
  void deriveComputesSplitSharesAndRefusesSplitsThatDoNotAddUp() {
    assertThat(StandardSteps.derive(request(Map.of("rows", 100, "trainRows", 70,
        "validationRows", 20, "testRows", 10))))
        .containsEntry("trainFraction", 0.7).containsEntry("testFraction", 0.1);
    assertThatThrownBy(() -> StandardSteps.derive(request(Map.of("rows", 100, "trainRows", 70,
        "validationRows", 20, "testRows", 5)))).hasMessageContaining("95");
  }

  @Test
  void validateRefusesEmptyLeakyOrIncompleteSets() {
    assertThat(StandardSteps.validate(request(Map.of("rows", 10, "leakageViolations", 0,
        "completeness", 0.995)))).containsEntry("validated", true);
    assertThatThrownBy(() -> StandardSteps.validate(request(Map.of("rows", 0))))
        .hasMessageContaining("no rows");
    assertThatThrownBy(() -> StandardSteps.validate(request(Map.of("rows", 5,
        "leakageViolations", 2)))).hasMessageContaining("leakage");
    assertThatThrownBy(() -> StandardSteps.validate(request(Map.of("rows", 5,
        "completeness", 0.9)))).hasMessageContaining("completeness");
  }

  @Test
  void evaluateNeedsAnAucInTheUnitInterval() {
    assertThat(StandardSteps.evaluate(request(Map.of("auc", 0.8)))).containsEntry("auc", 0.8);
    assertThatThrownBy(() -> StandardSteps.evaluate(request(Map.of("auc", 1.2))))
        .hasMessageContaining("1.2");
    assertThatThrownBy(() -> StandardSteps.evaluate(request(Map.of())))
        .hasMessageContaining("auc");
  }

  private static List<Double> sample(Random random, int n, double center) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(center * Math.exp(0.2 * random.nextGaussian()));
    }
    return out;
  }

  @Test
  void analyseCanaryDecidesFromTheSignalSamples() {
    Random random = new Random(3);
    Map<String, Object> same = StandardSteps.analyseCanary(request(Map.of(
        "baselineLatencyMs", sample(random, 40, 50), "canaryLatencyMs", sample(random, 40, 50),
        "baselineErrorRate", sample(random, 20, 0.01),
        "canaryErrorRate", sample(random, 20, 0.01))), 0.05);
    Map<String, Object> slow = StandardSteps.analyseCanary(request(Map.of(
        "baselineLatencyMs", sample(random, 40, 50), "canaryLatencyMs", sample(random, 40, 80),
        "baselineErrorRate", sample(random, 20, 0.01),
        "canaryErrorRate", sample(random, 20, 0.01))), 0.05);

    assertThat(same).containsEntry("decisionSignal", "canary_passed").containsKey("latency");
    assertThat(slow).containsEntry("decisionSignal", "canary_failed")
        .containsEntry("passed", false);
    assertThatThrownBy(() -> StandardSteps.analyseCanary(request(Map.of()), 0.05))
        .hasMessageContaining("baselineLatencyMs");
  }
}
