package dev.tessera.orchestrator.step;

import dev.tessera.orchestrator.OrchestratorSettings;
import dev.tessera.orchestrator.canary.CanaryAnalysis;
import dev.tessera.orchestrator.registry.ModelRegistry;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The real steps of the three workflows. Steps with a command in {@code
 * tessera.orchestrator.steps.commands} run as child processes ({@link ProcessStepRunner}: by
 * default extract runs {@code tessera batch training-set} and train runs {@code tessera batch
 * train}); the others are built in:
 *
 * <ul>
 *   <li>feature-engineering.derive: the split's shares ({@code trainFraction}, ...) from the
 *       extract's row counts; fails when the splits do not add up to {@code rows}.
 *   <li>feature-engineering.validate: fails unless {@code rows > 0}, {@code leakageViolations ==
 *       0} and {@code completeness >= min-completeness} (parameter, default 0.99) when present.
 *   <li>model-training.load: checks that the training set at {@code outputPath} exists.
 *   <li>model-training.evaluate: checks that training reported an {@code auc} in [0, 1].
 *   <li>model-deployment.register: writes the model ({@code modelPath}, metrics) to the {@link
 *       ModelRegistry}; its id is {@code <group>-v<version>-<workflow id>}.
 *   <li>model-deployment.canary / rollout: the model's registry stage becomes {@code canary} /
 *       {@code production} (the serving layer routes by stage).
 *   <li>model-deployment.analyse-canary: {@link CanaryAnalysis} of the {@code canary_metrics}
 *       signal's samples ({@code baselineLatencyMs}, {@code canaryLatencyMs}, {@code
 *       baselineErrorRate}, {@code canaryErrorRate}: arrays of numbers), outputs the statistics
 *       and {@code decisionSignal} ({@code canary_passed} or {@code canary_failed}).
 * </ul>
 */
public final class StandardSteps {
  private StandardSteps() {}

  public static StepRunner create(OrchestratorSettings settings, ModelRegistry registry,
      Executor blocking) {
    ProcessStepRunner processes = new ProcessStepRunner(settings.steps().commands(),
        settings.steps().workDir(), settings.steps().tesseraCommand(),
        settings.steps().killGrace(), blocking, settings.steps().variables(),
        settings.steps().environment());
    Map<String, StepRunner> runners = new LinkedHashMap<>();
    builtin(runners, WorkflowKind.FEATURE_ENGINEERING, "derive", StandardSteps::derive);
    builtin(runners, WorkflowKind.FEATURE_ENGINEERING, "validate", StandardSteps::validate);
    runners.put(key(WorkflowKind.MODEL_TRAINING, "load"), request -> CompletableFuture
        .supplyAsync(() -> StepResult.of(load(request)), blocking));
    builtin(runners, WorkflowKind.MODEL_TRAINING, "evaluate", StandardSteps::evaluate);
    runners.put(key(WorkflowKind.MODEL_DEPLOYMENT, "register"), r -> register(registry, r));
    runners.put(key(WorkflowKind.MODEL_DEPLOYMENT, "canary"), r -> stage(registry, r, "canary"));
    runners.put(key(WorkflowKind.MODEL_DEPLOYMENT, "rollout"),
        r -> stage(registry, r, "production"));
    builtin(runners, WorkflowKind.MODEL_DEPLOYMENT, "analyse-canary",
        r -> analyseCanary(r, settings.canaryAlpha()));
    for (String key : settings.steps().commands().keySet()) {
      runners.put(key, processes);
    }
    return new RoutingStepRunner(runners);
  }

  private static String key(WorkflowKind kind, String step) {
    return kind.id() + "." + step;
  }

  private static void builtin(Map<String, StepRunner> runners, WorkflowKind kind, String step,
      Function<StepRequest, Map<String, Object>> work) {
    runners.put(key(kind, step), request -> {
      try {
        return CompletableFuture.completedFuture(StepResult.of(work.apply(request)));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    });
  }

  static Map<String, Object> derive(StepRequest request) {
    double rows = number(request, "rows");
    Map<String, Object> out = new LinkedHashMap<>();
    double sum = 0;
    for (String split : List.of("train", "validation", "test")) {
      Object value = request.vars().get(split + "Rows");
      if (value != null) {
        double n = number(request, split + "Rows");
        sum += n;
        out.put(split + "Fraction", rows == 0 ? 0.0 : n / rows);
      }
    }
    if (!out.isEmpty() && Math.abs(sum - rows) > 0.5) {
      throw new IllegalStateException("splits hold " + (long) sum + " rows, the set " + (long) rows);
    }
    return out;
  }

  static Map<String, Object> validate(StepRequest request) {
    double rows = number(request, "rows");
    if (rows <= 0) {
      throw new IllegalStateException("the training set has no rows");
    }
    if (request.vars().containsKey("leakageViolations")
        && number(request, "leakageViolations") != 0) {
      throw new IllegalStateException("leakage check found "
          + request.vars().get("leakageViolations") + " violations");
    }
    double min = request.vars().containsKey("min-completeness")
        ? number(request, "min-completeness") : 0.99;
    if (request.vars().containsKey("completeness") && number(request, "completeness") < min) {
      throw new IllegalStateException("completeness " + request.vars().get("completeness")
          + " is below " + min);
    }
    return Map.of("validated", true);
  }

  static Map<String, Object> load(StepRequest request) {
    Path input = Path.of(request.text("outputPath"));
    if (!Files.exists(input)) {
      throw new IllegalStateException("training set " + input + " does not exist");
    }
    return Map.of("inputPath", input.toAbsolutePath().toString());
  }

  static Map<String, Object> evaluate(StepRequest request) {
    double auc = number(request, "auc");
    if (!(auc >= 0 && auc <= 1)) {
      throw new IllegalStateException("auc " + auc + " is not in [0, 1]");
    }
    return Map.of("auc", auc, "evaluated", true);
  }

  static Map<String, Object> analyseCanary(StepRequest request, double alpha) {
    CanaryAnalysis.Result result = CanaryAnalysis.analyse(samples(request, "baselineLatencyMs"),
        samples(request, "canaryLatencyMs"), samples(request, "baselineErrorRate"),
        samples(request, "canaryErrorRate"), alpha);
    Map<String, Object> out = new LinkedHashMap<>(result.toPayload());
    out.put("decisionSignal", result.passed() ? "canary_passed" : "canary_failed");
    return out;
  }

  private static CompletionStage<StepResult> register(ModelRegistry registry, StepRequest r) {
    String group = r.text("group");
    String version = r.text("version");
    String modelId = group + "-v" + version + "-" + r.workflowId();
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (String key : List.of("auc", "trainRows", "validationRows", "metricsPath")) {
      if (r.vars().get(key) != null) {
        metrics.put(key, r.vars().get(key));
      }
    }
    String artifact = r.vars().get("modelPath") == null ? "" : r.text("modelPath");
    return registry.register(modelId, group, version, artifact, metrics, r.workflowId())
        .thenApply(done -> StepResult.of(Map.of("modelId", modelId, "stage", "registered")));
  }

  private static CompletionStage<StepResult> stage(ModelRegistry registry, StepRequest r,
      String stage) {
    return registry.setStage(r.text("modelId"), stage)
        .thenApply(done -> StepResult.of(Map.of("stage", stage)));
  }

  private static double number(StepRequest request, String var) {
    Object value = request.vars().get(var);
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(request.text(var));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("variable " + var + " is not a number: " + value);
    }
  }

  private static double[] samples(StepRequest request, String var) {
    Object value = request.vars().get(var);
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("canary analysis needs " + var + " (an array of numbers)");
    }
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number n)) {
        throw new IllegalArgumentException(var + "[" + i + "] is not a number");
      }
      out[i] = n.doubleValue();
    }
    return out;
  }
}
