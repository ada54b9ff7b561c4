package dev.tessera.orchestrator;

import dev.tessera.orchestrator.hub.HubPorts;
import dev.tessera.orchestrator.hub.SignalHub;
import dev.tessera.orchestrator.kafka.SignalProducer;
import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalCondition;
import dev.tessera.orchestrator.workflow.Workflow;
import dev.tessera.orchestrator.workflow.WorkflowIndex;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import dev.tessera.orchestrator.workflow.WorkflowPorts;
import dev.tessera.orchestrator.workflow.WorkflowSummary;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Workflows, hubs and the index talking through Cluster Sharding on this node's cluster. */
final class ClusterPorts implements WorkflowPorts, HubPorts {
  private static final Logger log = LoggerFactory.getLogger(ClusterPorts.class);

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final SignalProducer producer;

  ClusterPorts(ActorSystem<?> system, Duration timeout, SignalProducer producer) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
    this.producer = producer;
  }

  @Override
  public void awaitSignal(String workflowId, SignalCondition condition) {
    sharding.entityRefFor(SignalHub.ENTITY_KEY, condition.name())
        .tell(new SignalHub.Await(workflowId, condition));
  }

  @Override
  public void cancelWait(String workflowId, String signalName) {
    sharding.entityRefFor(SignalHub.ENTITY_KEY, signalName)
        .tell(new SignalHub.CancelWait(workflowId));
  }

  @Override
  public void publish(Signal signal) {
    sharding.entityRefFor(SignalHub.ENTITY_KEY, signal.name())
        .<SignalHub.Published>askWithStatus(reply -> new SignalHub.Publish(signal, reply), timeout)
        .whenComplete((published, error) -> {
          if (error != null) {
            // The workflow publishes its signals again when it recovers; the hub dedups.
            log.warn("Signal {} not taken by the hub yet: {}", signal.id(), error.toString());
          }
        });
    if (producer != null) {
      producer.send(signal);
    }
  }

  @Override
  public void statusChanged(WorkflowSummary summary) {
    sharding.entityRefFor(WorkflowIndex.ENTITY_KEY, WorkflowIndex.ENTITY_ID)
        .tell(new WorkflowIndex.Update(summary));
  }

  @Override
  public CompletionStage<Done> deliver(String workflowId, Signal signal) {
    return sharding.entityRefFor(Workflow.ENTITY_KEY, workflowId)
        .askWithStatus(reply -> new Workflow.DeliverSignal(signal, reply), timeout);
  }

  @Override
  public CompletionStage<Done> start(String workflowId, WorkflowKind kind,
      Map<String, Object> params) {
    return sharding.entityRefFor(Workflow.ENTITY_KEY, workflowId)
        .<dev.tessera.orchestrator.workflow.WorkflowView>askWithStatus(
            reply -> new Workflow.Start(kind, params, reply), timeout)
        .handle((view, error) -> {
          Throwable cause = error instanceof java.util.concurrent.CompletionException
              && error.getCause() != null ? error.getCause() : error;
          if (cause instanceof StatusReply.ErrorMessage refused) {
            // Retrying cannot help (another kind under this id, or bad parameters): someone must act.
            log.error("Chained workflow {} ({}) not started: {}", workflowId, kind.id(),
                refused.getMessage());
            return Done.getInstance();
          }
          if (cause != null) {
            throw new java.util.concurrent.CompletionException(cause);
          }
          return Done.getInstance();
        });
  }
}
