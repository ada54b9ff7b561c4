package dev.tessera.orchestrator.workflow;

import dev.tessera.sharding.CborSerializable;
import java.util.Objects;

/** A workflow in a listing: its kind, status and current phase, as of {@code updatedAt}. */
public record WorkflowSummary(
    String workflowId, WorkflowKind kind, WorkflowStatus status, String phase, long startedAt,
    long updatedAt) implements CborSerializable {
  public WorkflowSummary {
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(status, "status");
  }
}
