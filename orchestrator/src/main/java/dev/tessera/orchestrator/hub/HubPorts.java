package dev.tessera.orchestrator.hub;

import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** What the hub asks of workflows; an interface so tests can fake them. */
public interface HubPorts {

  /** Hands a matching signal to a waiting workflow; completes once the workflow has it. */
  CompletionStage<Done> deliver(String workflowId, Signal signal);

  /** Starts (idempotently) a chained workflow. */
  CompletionStage<Done> start(String workflowId, WorkflowKind kind, Map<String, Object> params);
}
