package dev.tessera.orchestrator.workflow;

import dev.tessera.sharding.CborSerializable;
import java.util.Objects;

/**
 * One phase of a workflow definition. A {@code STEP} runs work through a {@code StepRunner} and,
 * when {@code emits} is set, emits a signal of that name on success ({@code ${var}} resolves from
 * the step's outputs: the canary analysis emits {@code ${decisionSignal}}). An {@code AWAIT} waits
 * for a signal matching {@code condition} (a template resolved from the workflow's variables when
 * the phase starts); one matching {@code failCondition}, if set, fails the workflow. An {@code
 * APPROVAL} is an await that also takes a manual approve or reject.
 */
public record Phase(Type type, String name, String condition, String failCondition, String emits)
    implements CborSerializable {

  public enum Type { STEP, AWAIT, APPROVAL }

  public Phase {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    if (type != Type.STEP && condition == null) {
      throw new IllegalArgumentException("phase " + name + " waits but has no condition");
    }
  }

  public static Phase step(String name) {
    return new Phase(Type.STEP, name, null, null, null);
  }

  public static Phase step(String name, String emits) {
    return new Phase(Type.STEP, name, null, null, emits);
  }

  public static Phase await(String name, String condition) {
    return new Phase(Type.AWAIT, name, condition, null, null);
  }

  public static Phase approval(String name, String condition, String failCondition) {
    return new Phase(Type.APPROVAL, name, condition, failCondition, null);
  }

  public boolean runsStep() {
    return type == Type.STEP;
  }
}
