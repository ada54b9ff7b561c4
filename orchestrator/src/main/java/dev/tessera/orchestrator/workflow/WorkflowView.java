package dev.tessera.orchestrator.workflow;

import dev.tessera.sharding.CborSerializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow's state and full history, as {@code GET /workflows/{id}} shows it.
 *
 * @param phase the current phase's name (the last one when final)
 * @param attempt the current step's attempt (0 when not running a step)
 * @param waitingFor the condition awaited, rendered, when waiting
 * @param reason why it failed or was cancelled
 * @param vars parameters, received signal payloads and step outputs (later ones win)
 */
public record WorkflowView(
    String workflowId,
    WorkflowKind kind,
    WorkflowStatus status,
    String phase,
    int attempt,
    String waitingFor,
    String reason,
    Map<String, Object> params,
    Map<String, Object> vars,
    List<String> phases,
    List<HistoryEntry> history,
    long startedAt,
    long updatedAt)
    implements CborSerializable {
  public WorkflowView {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
    phases = List.copyOf(phases);
    history = List.copyOf(history);
  }

  public WorkflowSummary summary() {
    return new WorkflowSummary(workflowId, kind, status, phase, startedAt, updatedAt);
  }
}
