package dev.tessera.orchestrator.step;

import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One attempt of a step.
 *
 * @param vars the workflow's variables: its parameters, the payloads of the signals it received
 *     and the outputs of its finished steps (later ones win)
 */
public record StepRequest(
    String workflowId, WorkflowKind kind, String step, int attempt, Map<String, Object> vars) {

  public StepRequest {
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(step, "step");
    vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
  }

  /** The same for every attempt of this step of this workflow: {@code <workflowId>/<step>}. */
  public String idempotencyKey() {
    return workflowId + "/" + step;
  }

  public String text(String var) {
    Object value = vars.get(var);
    if (value == null) {
      throw new IllegalArgumentException("step " + step + " needs the variable " + var);
    }
    return value.toString();
  }
}
