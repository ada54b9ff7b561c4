package dev.tessera.orchestrator.testing;

import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalCondition;
import dev.tessera.orchestrator.workflow.WorkflowPorts;
import dev.tessera.orchestrator.workflow.WorkflowSummary;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what workflows tell the hub and the index. */
public final class RecordingPorts implements WorkflowPorts {
  public final List<SignalCondition> awaits = new CopyOnWriteArrayList<>();
  public final List<String> cancelledWaits = new CopyOnWriteArrayList<>();
  public final List<Signal> published = new CopyOnWriteArrayList<>();
  public final List<WorkflowSummary> statuses = new CopyOnWriteArrayList<>();

  @Override
  public void awaitSignal(String workflowId, SignalCondition condition) {
    awaits.add(condition);
  }

  @Override
  public void cancelWait(String workflowId, String signalName) {
    cancelledWaits.add(signalName);
  }

  @Override
  public void publish(Signal signal) {
    published.add(signal);
  }

  @Override
  public void statusChanged(WorkflowSummary summary) {
    statuses.add(summary);
  }
}
