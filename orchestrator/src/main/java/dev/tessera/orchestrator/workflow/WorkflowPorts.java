package dev.tessera.orchestrator.workflow;

import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalCondition;

/**
 * What a workflow entity tells the rest of the orchestrator, as an interface so that tests can
 * record it. In a node: the sharded {@code SignalHub} and the {@code WorkflowIndex}
 * ({@code ClusterPorts}).
 */
public interface WorkflowPorts {

  /** Ask the hub for the signal: it delivers a matching one, stored or future, once. */
  void awaitSignal(String workflowId, SignalCondition condition);

  /** The workflow no longer waits for signals of this name. */
  void cancelWait(String workflowId, String signalName);

  /** A signal this workflow emits (to the hub, and to Kafka when configured). */
  void publish(Signal signal);

  /** The workflow's status changed (for listing by kind and status). */
  void statusChanged(WorkflowSummary summary);
}
