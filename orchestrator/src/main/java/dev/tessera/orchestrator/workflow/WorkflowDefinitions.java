package dev.tessera.orchestrator.workflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three workflows of the seed as phase lists, and the parameters each needs. A workflow's
 * phases are fixed when it starts (they are part of its {@code Started} event), so a journal
 * replays the definition it ran with.
 *
 * <ul>
 *   <li>feature-engineering (group, version): extract, derive, validate; validate emits {@code
 *       features_ready}.
 *   <li>model-training (group, version, min-rows): awaits {@code features_ready} of its group and
 *       version with at least min-rows rows; load, train, evaluate; evaluate emits {@code
 *       model_trained}.
 *   <li>model-deployment (group, version, min-auc, approval = auto | manual): awaits {@code
 *       model_trained} of its group and version with an AUC of at least min-auc; register, canary,
 *       awaits {@code canary_metrics} for its model, analyse-canary (emits {@code canary_passed} or
 *       {@code canary_failed} when approval is auto), awaits approval ({@code canary_passed} for
 *       its model, or a manual approve; {@code canary_failed} or a manual reject fails it), rollout.
 * </ul>
 */
public final class WorkflowDefinitions {
  private WorkflowDefinitions() {}

  /** Parameters with the kind's defaults filled in; refuses missing or malformed ones. */
  public static Map<String, Object> normalise(WorkflowKind kind, Map<String, Object> params,
      WorkflowSettings settings) {
    Map<String, Object> out = new LinkedHashMap<>(params);
    requireText(out, "group");
    requireText(out, "version");
    switch (kind) {
      case FEATURE_ENGINEERING -> { }
      case MODEL_TRAINING -> number(out, "min-rows", settings.defaultMinRows());
      case MODEL_DEPLOYMENT -> {
        number(out, "min-auc", settings.defaultMinAuc());
        Object approval = out.getOrDefault("approval", settings.defaultApproval());
        if (!"auto".equals(approval) && !"manual".equals(approval)) {
          throw new IllegalArgumentException(
              "invalid: parameter approval must be auto or manual, got '" + approval + "'");
        }
        out.put("approval", approval);
      }
    }
    return out;
  }

  /** The phases of a workflow of this kind with these (normalised) parameters. */
  public static List<Phase> phases(WorkflowKind kind, Map<String, Object> params) {
    return switch (kind) {
      case FEATURE_ENGINEERING -> List.of(
          Phase.step("extract"), Phase.step("derive"), Phase.step("validate", "features_ready"));
      case MODEL_TRAINING -> List.of(
          Phase.await("await-features", "features_ready where group == ${group}"
              + " and version == ${version} and rows >= ${min-rows}"),
          Phase.step("load"), Phase.step("train"), Phase.step("evaluate", "model_trained"));
      case MODEL_DEPLOYMENT -> List.of(
          Phase.await("await-model", "model_trained where group == ${group}"
              + " and version == ${version} and auc >= ${min-auc}"),
          Phase.step("register"),
          Phase.step("canary"),
          Phase.await("await-canary-metrics", "canary_metrics where modelId == ${modelId}"),
          "auto".equals(params.get("approval"))
              ? Phase.step("analyse-canary", "${decisionSignal}")
              : Phase.step("analyse-canary"),
          Phase.approval("approve-rollout", "canary_passed where modelId == ${modelId}",
              "canary_failed where modelId == ${modelId}"),
          Phase.step("rollout"));
    };
  }

  private static void requireText(Map<String, Object> params, String key) {
    Object value = params.get(key);
    if (value == null || value.toString().isBlank()) {
      throw new IllegalArgumentException("invalid: parameter " + key + " is required");
    }
    params.put(key, value.toString());
  }

  private static void number(Map<String, Object> params, String key, double fallback) {
    Object value = params.getOrDefault(key, fallback);
    try {
      params.put(key, value instanceof Number n ? n : Double.parseDouble(value.toString()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid: parameter " + key + " must be a number, got '" + value + "'");
    }
  }
}
