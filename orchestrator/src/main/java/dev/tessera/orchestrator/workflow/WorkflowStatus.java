package dev.tessera.orchestrator.workflow;

/** Where a workflow is; the last three are final. */
public enum WorkflowStatus {
  /** Known but not started (no such workflow). */
  CREATED,
  RUNNING_STEP,
  WAITING_FOR_SIGNAL,
  WAITING_FOR_APPROVAL,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
