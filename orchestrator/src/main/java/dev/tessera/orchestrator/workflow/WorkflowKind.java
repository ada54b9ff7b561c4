package dev.tessera.orchestrator.workflow;

import java.util.Arrays;
import java.util.Locale;

/** The three workflow kinds of the seed, with their external (URL and JSON) ids. */
public enum WorkflowKind {
  FEATURE_ENGINEERING("feature-engineering"),
  MODEL_TRAINING("model-training"),
  MODEL_DEPLOYMENT("model-deployment");

  private final String id;

  WorkflowKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** By external id ({@code model-training}) or enum name, case-insensitive. */
  public static WorkflowKind fromId(String id) {
    for (WorkflowKind kind : values()) {
      if (kind.id.equalsIgnoreCase(id) || kind.name().equalsIgnoreCase(id)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown workflow kind '" + id + "' (one of "
        + Arrays.stream(values()).map(WorkflowKind::id).toList() + ")");
  }

  @Override
  public String toString() {
    return id.toLowerCase(Locale.ROOT);
  }
}
