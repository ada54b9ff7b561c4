package dev.tessera.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.testing.FakeStepRunner;
import dev.tessera.orchestrator.testing.RecordingPorts;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every transition of the workflow FSM, with a fake step runner and recorded ports. */
class WorkflowTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString(
          "pekko.actor.serialization-bindings {\"dev.tessera.sharding.CborSerializable\" = jackson-cbor}")));

  private final FakeStepRunner runner = new FakeStepRunner();
  private final RecordingPorts ports = new RecordingPorts();
  private final String id = "wf-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private static WorkflowSettings settings(Duration stepTimeout, int maxAttempts,
      Duration waitTimeout) {
    return new WorkflowSettings(stepTimeout, Map.of(), maxAttempts, Duration.ofMillis(50),
        Duration.ofMillis(400), waitTimeout, Duration.ofMinutes(5), 1000, 0.7, "auto");
  }

  private EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State> workflow(
      WorkflowSettings settings) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        Workflow.create(id, settings, runner, ports, Clock.systemUTC()));
  }

  private EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State> workflow() {
    return workflow(settings(Duration.ofSeconds(10), 3, Duration.ofMinutes(10)));
  }

  private static StatusReply<WorkflowView> start(
      EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State> kit,
      WorkflowKind kind, Map<String, Object> params) {
    return kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Start(kind, params, replyTo)).reply();
  }

  private static WorkflowView view(
      EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State> kit) {
    return Workflow.view(kit.getState());
  }

  private static WorkflowView awaitView(
      EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State> kit,
      Predicate<WorkflowView> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    WorkflowView last = null;
    while (System.nanoTime() < deadline) {
      last = view(kit);
      if (condition.test(last)) {
        return last;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("condition not reached; last view: " + last);
  }

  private static WorkflowView awaitStatus(
      EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State> kit,
      WorkflowStatus status, String phase) {
    return awaitView(kit, v -> v.status() == status && v.phase().equals(phase));
  }

  private static List<String> events(WorkflowView view) {
    return view.history().stream().map(HistoryEntry::event).toList();
  }

  private static StatusReply<Done> deliver(
      EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State> kit,
      Signal signal) {
    return kit.<StatusReply<Done>>runCommand(
        replyTo -> new Workflow.DeliverSignal(signal, replyTo)).reply();
  }

  private static Signal featuresReady(String id, long rows) {
    return new Signal(id, "features_ready", 1L, "batch/training-set",
        Map.of("group", "member_engagement", "version", "1"),
        Map.of("group", "member_engagement", "version", 1, "rows", rows, "outputPath", "/tmp/x"));
  }

  private static final Map<String, Object> GROUP = Map.of("group", "member_engagement",
      "version", "1");

  // ------------------------------------------------------------------ steps

  @Test
  void startPersistsTheDefinitionAndRunsTheFirstStepOutsideTheActor() {
    var kit = workflow();
    var result = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Start(WorkflowKind.FEATURE_ENGINEERING, GROUP, replyTo));

    assertThat(result.reply().isSuccess()).isTrue();
    assertThat(result.events()).hasSize(2);
    assertThat(result.events().get(0)).isInstanceOf(Workflow.Started.class);
    assertThat(result.events().get(1)).isEqualTo(
        new Workflow.StepStarted(0, "extract", 1, ((Workflow.StepStarted) result.events().get(1)).at()));
    assertThat(result.state()).isInstanceOf(Workflow.RunningStep.class);
    assertThat(result.reply().getValue().phases()).containsExactly("extract", "derive", "validate");
    var request = runner.awaitRequest("extract", 1);
    assertThat(request.idempotencyKey()).isEqualTo(id + "/extract");
    assertThat(request.vars()).containsEntry("group", "member_engagement");
  }

  @Test
  void stepsRunInOrderAndTheLastEmitsFeaturesReadyWithTheOutputs() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);

    runner.succeed("extract", 1, Map.of("rawRows", 500));
    awaitStatus(kit, WorkflowStatus.RUNNING_STEP, "derive");
    runner.succeed("derive", 1, Map.of("rows", 12345));
    runner.succeed("validate", 1, Map.of("completeness", 0.995, "outputPath", "/data/ts"));
    WorkflowView done = awaitView(kit, v -> v.status() == WorkflowStatus.COMPLETED);

    assertThat(events(done)).containsExactly("Started", "StepStarted", "StepSucceeded",
        "StepStarted", "StepSucceeded", "StepStarted", "StepSucceeded", "WorkflowCompleted");
    assertThat(done.history()).allSatisfy(h -> assertThat(h.at()).isPositive());
    assertThat(ports.published).hasSize(1);
    Signal ready = ports.published.get(0);
    assertThat(ready.name()).isEqualTo("features_ready");
    assertThat(ready.id()).isEqualTo("features_ready/member_engagement/1/" + id);
    assertThat(ready.joinKeys()).containsEntry("group", "member_engagement");
    assertThat(ready.payload()).containsEntry("rows", 12345).containsEntry("rawRows", 500)
        .containsEntry("outputPath", "/data/ts").containsEntry("group", "member_engagement");
    assertThat(runner.awaitRequest("validate", 1).vars()).containsEntry("rows", 12345);
    assertThat(ports.statuses).extracting(WorkflowSummary::status)
        .containsExactly(WorkflowStatus.RUNNING_STEP, WorkflowStatus.COMPLETED);
  }

  @Test
  void aFailedAttemptIsRetriedAfterABackoffAndTheStepThenSucceeds() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);

    runner.fail("extract", 1, "disk full");
    WorkflowView retried = awaitView(kit, v -> v.attempt() == 2);
    runner.succeed("extract", 2, Map.of());

    awaitStatus(kit, WorkflowStatus.RUNNING_STEP, "derive");
    Map<String, Object> failure = retried.history().stream()
        .filter(h -> h.event().equals("StepAttemptFailed")).findFirst().orElseThrow().details();
    assertThat(failure).containsEntry("error", "disk full").containsEntry("attempt", 1);
    HistoryEntry failed = retried.history().get(2);
    HistoryEntry again = retried.history().get(3);
    assertThat(again.event()).isEqualTo("StepStarted");
    assertThat(again.at() - failed.at()).as("backoff of min-backoff").isGreaterThanOrEqualTo(45);
    assertThat(runner.runs("extract")).isEqualTo(2);
  }

  @Test
  void retriesExhaustedFailTheWorkflowWithTheLastError() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);

    runner.fail("extract", 1, "boom 1");
    runner.fail("extract", 2, "boom 2");
    runner.fail("extract", 3, "boom 3");
    WorkflowView failed = awaitView(kit, v -> v.status() == WorkflowStatus.FAILED);

    assertThat(failed.reason()).contains("extract").contains("3 attempts").contains("boom 3");
    assertThat(events(failed)).containsExactly("Started", "StepStarted", "StepAttemptFailed",
        "StepStarted", "StepAttemptFailed", "StepStarted", "StepFailed");
    assertThat(runner.runs("derive")).isZero();
  }

  @Test
  void aStepThatTimesOutIsCancelledAndRetriedThenFails() {
    var kit = workflow(settings(Duration.ofMillis(150), 2, Duration.ofMinutes(10)));
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);

    WorkflowView failed = awaitView(kit, v -> v.status() == WorkflowStatus.FAILED);

    assertThat(failed.reason()).contains("timed out after PT0.15S");
    assertThat(runner.runs("extract")).isEqualTo(2);
    assertThat(runner.cancelled()).containsExactly(id + "/extract", id + "/extract");
    // the late result of a timed-out attempt changes nothing
    runner.succeed("extract", 2, Map.of());
    assertThat(view(kit).status()).isEqualTo(WorkflowStatus.FAILED);
    assertThat(events(view(kit))).doesNotContain("StepSucceeded");
  }

  @Test
  void cancelStopsTheRunningStepAndASecondCancelIsAConflict() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);
    runner.awaitRequest("extract", 1);

    var cancel = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Cancel("ops", "wrong data", replyTo));
    var again = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Cancel("ops", "again", replyTo));

    assertThat(cancel.reply().getValue().status()).isEqualTo(WorkflowStatus.CANCELLED);
    assertThat(cancel.reply().getValue().reason()).isEqualTo("cancelled by ops: wrong data");
    assertThat(runner.cancelled()).contains(id + "/extract");
    assertThat(again.reply().isError()).isTrue();
    assertThat(again.reply().getError().getMessage()).startsWith("conflict:");
    assertThat(again.hasNoEvents()).isTrue();
    runner.succeed("extract", 1, Map.of());
    assertThat(view(kit).status()).isEqualTo(WorkflowStatus.CANCELLED);
  }

  // ------------------------------------------------------------------ signals

  @Test
  void trainingWaitsForFeaturesReadyAndIgnoresSignalsWhoseConditionIsNotMet() {
    var kit = workflow();
    WorkflowView waiting = start(kit, WorkflowKind.MODEL_TRAINING, GROUP).getValue();

    assertThat(waiting.status()).isEqualTo(WorkflowStatus.WAITING_FOR_SIGNAL);
    assertThat(waiting.waitingFor()).isEqualTo(
        "features_ready where group == member_engagement and version == '1' and rows >= 1000");
    assertThat(ports.awaits).extracting(Object::toString).containsExactly(waiting.waitingFor());

    var tooFew = kit.<StatusReply<Done>>runCommand(
        replyTo -> new Workflow.DeliverSignal(featuresReady("s-small", 999), replyTo));
    assertThat(tooFew.reply().isSuccess()).isTrue();
    assertThat(tooFew.hasNoEvents()).as("condition not met: no transition").isTrue();
    assertThat(view(kit).status()).isEqualTo(WorkflowStatus.WAITING_FOR_SIGNAL);

    var enough = kit.<StatusReply<Done>>runCommand(
        replyTo -> new Workflow.DeliverSignal(featuresReady("s-big", 5000), replyTo));
    assertThat(enough.events()).hasSize(2);
    assertThat(enough.events().get(0)).isInstanceOf(Workflow.SignalReceived.class);
    assertThat(runner.awaitRequest("load", 1).vars()).containsEntry("rows", 5000L)
        .containsEntry("outputPath", "/tmp/x");
    assertThat(ports.cancelledWaits).containsExactly("features_ready");
  }

  @Test
  void aRepeatedSignalIsANoOp() {
    var kit = workflow();
    start(kit, WorkflowKind.MODEL_TRAINING, GROUP);
    deliver(kit, featuresReady("s-1", 5000));

    var again = kit.<StatusReply<Done>>runCommand(
        replyTo -> new Workflow.DeliverSignal(featuresReady("s-1", 5000), replyTo));

    assertThat(again.reply().isSuccess()).isTrue();
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(events(view(kit))).containsExactly("Started", "WaitStarted", "SignalReceived",
        "StepStarted");
    assertThat(runner.runs("load")).isEqualTo(1);
  }

  @Test
  void aSignalThatArrivesWhileAStepRunsIsNotTakenByTheWorkflow() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);

    var early = kit.<StatusReply<Done>>runCommand(
        replyTo -> new Workflow.DeliverSignal(featuresReady("s-1", 5000), replyTo));

    assertThat(early.reply().isSuccess()).isTrue();
    assertThat(early.hasNoEvents()).isTrue();
  }

  @Test
  void noMatchingSignalBeforeTheDeadlineFailsTheWorkflow() {
    var kit = workflow(settings(Duration.ofSeconds(10), 3, Duration.ofMillis(200)));
    start(kit, WorkflowKind.MODEL_TRAINING, GROUP);

    WorkflowView failed = awaitView(kit, v -> v.status() == WorkflowStatus.FAILED);

    assertThat(failed.reason()).contains("await-features").contains("deadline");
    assertThat(events(failed)).containsExactly("Started", "WaitStarted", "WaitTimedOut");
    assertThat(ports.cancelledWaits).containsExactly("features_ready");
  }

  @Test
  void theLastTrainingStepEmitsModelTrainedWithTheMetrics() {
    var kit = workflow();
    start(kit, WorkflowKind.MODEL_TRAINING, GROUP);
    deliver(kit, featuresReady("s-1", 5000));

    runner.succeed("load", 1, Map.of("trainRows", 4000));
    runner.succeed("train", 1, Map.of("modelPath", "/m/1"));
    runner.succeed("evaluate", 1, Map.of("auc", 0.81));
    awaitView(kit, v -> v.status() == WorkflowStatus.COMPLETED);

    assertThat(ports.published).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("model_trained");
      assertThat(s.payload()).containsEntry("auc", 0.81).containsEntry("modelPath", "/m/1")
          .containsEntry("trainRows", 4000).containsEntry("group", "member_engagement");
    });
  }

  // ------------------------------------------------------------------ deployment

  private EventSourcedBehaviorTestKit<Workflow.Command, Workflow.Event, Workflow.State>
      deploymentUpToApproval(String approval) {
    var kit = workflow();
    start(kit, WorkflowKind.MODEL_DEPLOYMENT, Map.of("group", "member_engagement", "version", "1",
        "approval", approval));
    deliver(kit, new Signal("mt-1", "model_trained", 1, "workflow/t", Map.of(),
        Map.of("group", "member_engagement", "version", "1", "auc", 0.8, "modelPath", "/m")));
    runner.succeed("register", 1, Map.of("modelId", "model-7"));
    runner.succeed("canary", 1, Map.of("stage", "canary"));
    awaitStatus(kit, WorkflowStatus.WAITING_FOR_SIGNAL, "await-canary-metrics");
    deliver(kit, new Signal("cm-1", "canary_metrics", 1, "http", Map.of(),
        Map.of("modelId", "model-7", "baselineLatencyMs", List.of(1, 2))));
    runner.succeed("analyse-canary", 1, Map.of("decisionSignal", "canary_passed", "passed", true));
    awaitStatus(kit, WorkflowStatus.WAITING_FOR_APPROVAL, "approve-rollout");
    return kit;
  }

  @Test
  void aModelBelowTheMinimumAucDoesNotStartADeployment() {
    var kit = workflow();
    start(kit, WorkflowKind.MODEL_DEPLOYMENT, Map.of("group", "member_engagement", "version", "1",
        "min-auc", 0.75));

    var weak = kit.<StatusReply<Done>>runCommand(replyTo -> new Workflow.DeliverSignal(
        new Signal("mt-1", "model_trained", 1, "w", Map.of(),
            Map.of("group", "member_engagement", "version", "1", "auc", 0.74)), replyTo));

    assertThat(weak.hasNoEvents()).isTrue();
    assertThat(view(kit).waitingFor()).contains("auc >= 0.75");
  }

  @Test
  void automaticCanaryPassEmitsCanaryPassedWhichReleasesTheRollout() {
    var kit = deploymentUpToApproval("auto");

    Signal passed = ports.published.stream().filter(s -> s.name().equals("canary_passed"))
        .findFirst().orElseThrow();
    assertThat(passed.payload()).containsEntry("modelId", "model-7").containsEntry("passed", true);
    assertThat(view(kit).waitingFor()).isEqualTo("canary_passed where modelId == model-7");
    assertThat(ports.awaits).extracting(Object::toString)
        .contains("canary_failed where modelId == model-7");

    deliver(kit, passed);
    runner.succeed("rollout", 1, Map.of("stage", "production"));
    WorkflowView done = awaitView(kit, v -> v.status() == WorkflowStatus.COMPLETED);
    assertThat(done.vars()).containsEntry("stage", "production");
  }

  @Test
  void manualApprovalEmitsCanaryPassedAndRollsOut() {
    var kit = deploymentUpToApproval("manual");
    assertThat(ports.published).noneMatch(s -> s.name().startsWith("canary_"));

    var approved = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Approve("alice", replyTo));

    assertThat(approved.reply().getValue().status()).isEqualTo(WorkflowStatus.RUNNING_STEP);
    assertThat(approved.reply().getValue().phase()).isEqualTo("rollout");
    assertThat(ports.published).filteredOn(s -> s.name().equals("canary_passed")).singleElement()
        .satisfies(s -> assertThat(s.payload()).containsEntry("approvedBy", "alice")
            .containsEntry("manual", true).containsEntry("modelId", "model-7"));
    runner.succeed("rollout", 1, Map.of());
    awaitView(kit, v -> v.status() == WorkflowStatus.COMPLETED);
  }

  @Test
  void manualRejectionEmitsCanaryFailedAndFailsTheWorkflow() {
    var kit = deploymentUpToApproval("manual");

    var rejected = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Reject("bob", "p99 too high", replyTo));

    assertThat(rejected.reply().getValue().status()).isEqualTo(WorkflowStatus.FAILED);
    assertThat(rejected.reply().getValue().reason()).isEqualTo("rejected by bob: p99 too high");
    assertThat(ports.published).filteredOn(s -> s.name().equals("canary_failed")).hasSize(1);
    assertThat(runner.runs("rollout")).isZero();
  }

  @Test
  void aCanaryFailedSignalFailsTheWorkflow() {
    var kit = deploymentUpToApproval("manual");

    deliver(kit, new Signal("cf-1", "canary_failed", 1, "http", Map.of(),
        Map.of("modelId", "model-7")));

    WorkflowView failed = view(kit);
    assertThat(failed.status()).isEqualTo(WorkflowStatus.FAILED);
    assertThat(failed.reason()).contains("canary_failed");
    assertThat(runner.runs("rollout")).isZero();
  }

  @Test
  void approveOutsideTheApprovalPhaseIsAConflictAndUnknownWorkflowsAreNotFound() {
    var kit = workflow();
    var unknown = kit.<StatusReply<WorkflowView>>runCommand(Workflow.Get::new);
    assertThat(unknown.reply().getError().getMessage()).startsWith("not_found:");

    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);
    var approve = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Approve("alice", replyTo));

    assertThat(approve.reply().getError().getMessage()).startsWith("conflict:")
        .contains("running_step");
    assertThat(approve.hasNoEvents()).isTrue();
  }

  @Test
  void startIsIdempotentForTheSameKindAndRefusesAnotherKindOrMissingParameters() {
    var kit = workflow();
    var invalid = kit.<StatusReply<WorkflowView>>runCommand(replyTo ->
        new Workflow.Start(WorkflowKind.FEATURE_ENGINEERING, Map.of("group", "g"), replyTo));
    assertThat(invalid.reply().getError().getMessage()).isEqualTo(
        "invalid: parameter version is required");
    assertThat(invalid.hasNoEvents()).isTrue();

    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);
    var again = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Start(WorkflowKind.FEATURE_ENGINEERING, GROUP, replyTo));
    var other = kit.<StatusReply<WorkflowView>>runCommand(
        replyTo -> new Workflow.Start(WorkflowKind.MODEL_TRAINING, GROUP, replyTo));

    assertThat(again.reply().isSuccess()).isTrue();
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(other.reply().getError().getMessage()).startsWith("conflict:");
    assertThat(runner.runs("extract")).isEqualTo(1);
  }

  // ------------------------------------------------------------------ recovery

  @Test
  void afterARestartFinishedStepsAreNotRunAgainAndTheStepInFlightIs() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);
    runner.succeed("extract", 1, Map.of("rawRows", 10));
    runner.awaitRequest("derive", 1);
    runner.forgetPending();

    var restarted = kit.restart();
    assertThat(restarted.state()).isInstanceOf(Workflow.RunningStep.class);

    WorkflowView resumed = awaitView(kit, v -> events(v).contains("StepRestarted"));
    assertThat(runner.runs("extract")).isEqualTo(1);
    runner.awaitRequest("derive", 1);
    assertThat(runner.runs("derive")).isEqualTo(2);
    assertThat(resumed.vars()).containsEntry("rawRows", 10);
    runner.succeed("derive", 1, Map.of());
    runner.succeed("validate", 1, Map.of());
    WorkflowView done = awaitView(kit, v -> v.status() == WorkflowStatus.COMPLETED);
    assertThat(events(done)).containsExactly("Started", "StepStarted", "StepSucceeded",
        "StepStarted", "StepRestarted", "StepSucceeded", "StepStarted", "StepSucceeded",
        "WorkflowCompleted");
    assertThat(runner.runs("extract")).isEqualTo(1);
    assertThat(runner.runs("validate")).isEqualTo(1);
  }

  @Test
  void aCompletedWorkflowRestartsWithoutRunningAnythingAndRepublishesItsSignal() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);
    runner.succeed("extract", 1, Map.of());
    runner.succeed("derive", 1, Map.of());
    runner.succeed("validate", 1, Map.of("rows", 1));
    awaitView(kit, v -> v.status() == WorkflowStatus.COMPLETED);
    int runs = runner.requests().size();

    kit.restart();

    awaitView(kit, v -> ports.published.size() == 2);
    assertThat(ports.published.get(1)).isEqualTo(ports.published.get(0));
    assertThat(runner.requests()).hasSize(runs);
    assertThat(view(kit).status()).isEqualTo(WorkflowStatus.COMPLETED);
  }

  @Test
  void aRestartWhileWaitingRegistersTheWaitAgainAndKeepsItsDeadline() {
    var kit = workflow(settings(Duration.ofSeconds(10), 3, Duration.ofMillis(1500)));
    start(kit, WorkflowKind.MODEL_TRAINING, GROUP);
    long deadline = ((Workflow.WaitingForSignal) kit.getState()).deadline();

    var restarted = kit.restart();

    assertThat(((Workflow.WaitingForSignal) restarted.state()).deadline()).isEqualTo(deadline);
    awaitView(kit, v -> ports.awaits.size() == 2);
    assertThat(ports.awaits.get(1)).isEqualTo(ports.awaits.get(0));
    WorkflowView failed = awaitView(kit, v -> v.status() == WorkflowStatus.FAILED);
    HistoryEntry timedOut = failed.history().get(failed.history().size() - 1);
    assertThat(timedOut.event()).isEqualTo("WaitTimedOut");
    assertThat(timedOut.at()).isGreaterThanOrEqualTo(deadline - 5);
  }

  @Test
  void aRetryPendingAtRestartIsStillRunAfterItsBackoff() {
    var kit = workflow();
    start(kit, WorkflowKind.FEATURE_ENGINEERING, GROUP);
    runner.fail("extract", 1, "flaky");
    awaitView(kit, v -> events(v).contains("StepAttemptFailed"));

    kit.restart();

    runner.succeed("extract", 2, Map.of());
    awaitStatus(kit, WorkflowStatus.RUNNING_STEP, "derive");
    assertThat(runner.runs("extract")).isEqualTo(2);
  }
}
