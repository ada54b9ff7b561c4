package dev.tessera.orchestrator;

import dev.tessera.orchestrator.hub.SignalHub;
import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.workflow.Workflow;
import dev.tessera.orchestrator.workflow.WorkflowIndex;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import dev.tessera.orchestrator.workflow.WorkflowStatus;
import dev.tessera.orchestrator.workflow.WorkflowSummary;
import dev.tessera.orchestrator.workflow.WorkflowView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The orchestrator's Java API for the node's HTTP layer. Every call is non-blocking; a stage that
 * fails with {@link OrchestratorException} is an expected failure with a code (not found,
 * conflict, invalid, unavailable); anything else is a bug or an outage.
 */
public final class WorkflowService {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final ActorSystem<?> system;

  WorkflowService(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  /**
   * Starts a workflow. Idempotent: starting an existing id of the same kind returns its view.
   *
   * @param workflowId the id to use, or null for {@code <kind>-<random>}
   */
  public CompletionStage<WorkflowView> start(String workflowId, WorkflowKind kind,
      Map<String, Object> params) {
    Objects.requireNonNull(kind, "kind");
    String id = workflowId != null ? workflowId
        : kind.id() + "-" + UUID.randomUUID().toString().substring(0, 8);
    return checkedId(id).thenCompose(ok -> ask(workflow(id)
        .askWithStatus(reply -> new Workflow.Start(kind, params == null ? Map.of() : params,
            reply), timeout)));
  }

  /** Posts a signal to its hub: ACCEPTED, or DUPLICATE when its id was seen before. */
  public CompletionStage<SignalHub.Published> postSignal(Signal signal) {
    return ask(sharding.entityRefFor(SignalHub.ENTITY_KEY, signal.name())
        .askWithStatus(reply -> new SignalHub.Publish(signal, reply), timeout));
  }

  public CompletionStage<WorkflowView> approve(String workflowId, String by) {
    return checkedId(workflowId).thenCompose(ok -> ask(workflow(workflowId)
        .askWithStatus(reply -> new Workflow.Approve(by, reply), timeout)));
  }

  public CompletionStage<WorkflowView> reject(String workflowId, String by, String reason) {
    return checkedId(workflowId).thenCompose(ok -> ask(workflow(workflowId)
        .askWithStatus(reply -> new Workflow.Reject(by, reason, reply), timeout)));
  }

  public CompletionStage<WorkflowView> cancel(String workflowId, String by, String reason) {
    return checkedId(workflowId).thenCompose(ok -> ask(workflow(workflowId)
        .askWithStatus(reply -> new Workflow.Cancel(by, reason, reply), timeout)));
  }

  /** The workflow's state and full history; fails NOT_FOUND for an unknown id. */
  public CompletionStage<WorkflowView> get(String workflowId) {
    return checkedId(workflowId).thenCompose(ok -> ask(workflow(workflowId)
        .askWithStatus(Workflow.Get::new, timeout)));
  }

  /** Workflows of a kind and status (empty: any), newest first, from the workflow index. */
  public CompletionStage<List<WorkflowSummary>> list(Optional<WorkflowKind> kind,
      Optional<WorkflowStatus> status) {
    return ask(sharding.entityRefFor(WorkflowIndex.ENTITY_KEY, WorkflowIndex.ENTITY_ID)
        .<WorkflowIndex.Listing>ask(reply -> new WorkflowIndex.ListWorkflows(kind, status, reply),
            timeout)
        .thenApply(WorkflowIndex.Listing::workflows));
  }

  /** The signals a hub keeps for a name, and the waits registered there. */
  public CompletionStage<SignalHub.SignalsView> signals(String name) {
    return ask(sharding.entityRefFor(SignalHub.ENTITY_KEY, name)
        .ask(SignalHub.GetSignals::new, timeout));
  }

  /**
   * Wakes every unfinished workflow of the index (after a node start): each recovers from its
   * journal and resumes (a step in flight at the crash runs again).
   */
  public CompletionStage<List<String>> resumeUnfinished() {
    return list(Optional.empty(), Optional.empty()).thenCompose(all -> {
      List<String> unfinished = all.stream().filter(s -> !s.status().isFinal())
          .map(WorkflowSummary::workflowId).toList();
      CompletableFuture<?>[] woken = unfinished.stream()
          .map(id -> get(id).toCompletableFuture().exceptionally(e -> null))
          .toArray(CompletableFuture[]::new);
      return CompletableFuture.allOf(woken).thenApply(done -> unfinished);
    });
  }

  ActorSystem<?> system() {
    return system;
  }

  private EntityRef<Workflow.Command> workflow(String id) {
    return sharding.entityRefFor(Workflow.ENTITY_KEY, id);
  }

  private static CompletionStage<Void> checkedId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return CompletableFuture.failedFuture(new OrchestratorException(
          OrchestratorException.Code.INVALID, "workflow id '" + id
              + "' must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}"));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Entity error replies and timeouts become OrchestratorExceptions. */
  private static <T> CompletionStage<T> ask(CompletionStage<T> reply) {
    return reply.handle((value, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(value);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (cause instanceof StatusReply.ErrorMessage refused) {
        return CompletableFuture.<T>failedFuture(
            OrchestratorException.fromReply(refused.getMessage()));
      }
      if (cause instanceof TimeoutException) {
        return CompletableFuture.<T>failedFuture(new OrchestratorException(
            OrchestratorException.Code.UNAVAILABLE, "no answer in time: " + cause.getMessage()));
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(stage -> stage);
  }
}
