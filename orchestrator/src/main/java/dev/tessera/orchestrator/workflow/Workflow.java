package dev.tessera.orchestrator.workflow;

import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalCondition;
import dev.tessera.orchestrator.step.StepRequest;
import dev.tessera.orchestrator.step.StepResult;
import dev.tessera.orchestrator.step.StepRunner;
import dev.tessera.sharding.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One workflow instance as a persistent finite-state machine: it runs its definition's phases in
 * order (steps, signal waits, an approval) and journals every transition with its time.
 *
 * <p>States: {@link Created} (nothing yet), {@link RunningStep} (an attempt in flight, or waiting
 * to retry), {@link WaitingForSignal}, {@link WaitingForApproval}, and the final {@link
 * Completed}, {@link Failed}, {@link Cancelled}. Protocol: {@link Start} (idempotent for the same
 * kind), {@link DeliverSignal} (from the hub; a signal that does not match is acknowledged and
 * ignored), {@link Approve}, {@link Reject}, {@link Cancel}, {@link Get}. Expected failures reply
 * {@code StatusReply.error("<code>: <message>")} with code {@code not_found}, {@code conflict} or
 * {@code invalid}.
 *
 * <p>Steps run outside the actor through a {@link StepRunner}; the result comes back as a message
 * (pipe to self). A failed or timed-out attempt is retried after an exponential backoff until
 * {@code max-attempts}, then the workflow fails. A step whose {@code StepSucceeded} is journaled
 * never runs again; a step that was in flight when the node stopped runs again on recovery
 * ({@code StepRestarted} in the history), so runners must be idempotent per {@link
 * StepRequest#idempotencyKey()}. Waits register with the signal hub on entry, on recovery and
 * every {@code wait-refresh}; their deadline is journaled, so a recovered wait keeps its deadline.
 *
 * <p>Persistence: pekko-persistence-cassandra journal, persistence id {@code Workflow|<id>},
 * snapshots every 100 events. Sharding: one entity per workflow id, {@link #ENTITY_KEY}.
 */
public final class Workflow
    extends EventSourcedBehaviorWithEnforcedReplies<Workflow.Command, Workflow.Event, Workflow.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Workflow");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** Starts the workflow; a second Start of the same kind replies with the current view. */
  public record Start(
      WorkflowKind kind, Map<String, Object> params, ActorRef<StatusReply<WorkflowView>> replyTo)
      implements Command {
    public Start {
      Objects.requireNonNull(kind, "kind");
      params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
  }

  /** A signal the hub found matching one of this workflow's waits. Always acknowledged. */
  public record DeliverSignal(Signal signal, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Manual approval of the canary: emits {@code canary_passed} and continues to the rollout. */
  public record Approve(String by, ActorRef<StatusReply<WorkflowView>> replyTo)
      implements Command {}

  /** Manual rejection of the canary: emits {@code canary_failed} and fails the workflow. */
  public record Reject(String by, String reason, ActorRef<StatusReply<WorkflowView>> replyTo)
      implements Command {}

  public record Cancel(String by, String reason, ActorRef<StatusReply<WorkflowView>> replyTo)
      implements Command {}

  public record Get(ActorRef<StatusReply<WorkflowView>> replyTo) implements Command {}

  private record StepFinished(int phase, int attempt, Map<String, Object> outputs, String error)
      implements Command {}

  private record StepTimeout(int phase, int attempt) implements Command {}

  private record RetryStep(int phase, int attempt) implements Command {}

  private record WaitTimeout(int phase) implements Command {}

  private record RefreshWait(int phase) implements Command {}

  private enum ResumeStep implements Command { INSTANCE }

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    long at();

    /** The event's fields for the history. */
    Map<String, Object> details();
  }

  public record Started(
      String workflowId, WorkflowKind kind, Map<String, Object> params, List<Phase> phases, long at)
      implements Event {
    public Started {
      params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
      phases = List.copyOf(phases);
    }

    public Map<String, Object> details() {
      return map("kind", kind.id(), "params", params,
          "phases", phases.stream().map(Phase::name).toList());
    }
  }

  public record StepStarted(int phase, String step, int attempt, long at) implements Event {
    public Map<String, Object> details() {
      return map("step", step, "attempt", attempt);
    }
  }

  /** An attempt in flight when the node stopped, run again on recovery. */
  public record StepRestarted(int phase, String step, int attempt, long at) implements Event {
    public Map<String, Object> details() {
      return map("step", step, "attempt", attempt);
    }
  }

  /** The step is done for good; {@code emitted} is the signal it emits, or null. */
  public record StepSucceeded(
      int phase, String step, int attempt, Map<String, Object> outputs, Signal emitted, long at)
      implements Event {
    public StepSucceeded {
      outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    public Map<String, Object> details() {
      return map("step", step, "attempt", attempt, "outputs", outputs,
          "emitted", emitted == null ? null : emitted.id());
    }
  }

  public record StepAttemptFailed(
      int phase, String step, int attempt, String error, long retryAt, long at) implements Event {
    public Map<String, Object> details() {
      return map("step", step, "attempt", attempt, "error", error, "retryAt", retryAt);
    }
  }

  /** The last attempt failed: the workflow fails. */
  public record StepFailed(int phase, String step, int attempts, String error, long at)
      implements Event {
    public Map<String, Object> details() {
      return map("step", step, "attempts", attempts, "error", error);
    }
  }

  public record WaitStarted(
      int phase,
      String name,
      SignalCondition condition,
      SignalCondition failCondition,
      boolean approval,
      long deadline,
      long at)
      implements Event {
    public Map<String, Object> details() {
      return map("phase", name, "condition", condition.render(),
          "failCondition", failCondition == null ? null : failCondition.render(),
          "approval", approval, "deadline", deadline);
    }
  }

  /** A matching signal; {@code failed} when it matched the fail condition. */
  public record SignalReceived(int phase, Signal signal, boolean failed, long at)
      implements Event {
    public Map<String, Object> details() {
      return map("signal", signal.name(), "id", signal.id(), "source", signal.source(),
          "payload", signal.payload(), "failed", failed);
    }
  }

  public record WaitTimedOut(int phase, String name, long at) implements Event {
    public Map<String, Object> details() {
      return map("phase", name);
    }
  }

  public record Approved(int phase, String by, Signal emitted, long at) implements Event {
    public Map<String, Object> details() {
      return map("by", by, "emitted", emitted.id());
    }
  }

  public record Rejected(int phase, String by, String reason, Signal emitted, long at)
      implements Event {
    public Map<String, Object> details() {
      return map("by", by, "reason", reason, "emitted", emitted.id());
    }
  }

  public record WorkflowCancelled(String by, String reason, long at) implements Event {
    public Map<String, Object> details() {
      return map("by", by, "reason", reason);
    }
  }

  public record WorkflowCompleted(long at) implements Event {
    public Map<String, Object> details() {
      return Map.of();
    }
  }

  public record WorkflowFailed(String reason, long at) implements Event {
    public Map<String, Object> details() {
      return map("reason", reason);
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * What every started workflow holds.
   *
   * @param phase index of the current phase in {@code phases}
   * @param emitted every signal this workflow emitted (re-published on recovery; the hub dedups)
   */
  public record Data(
      String workflowId,
      WorkflowKind kind,
      Map<String, Object> params,
      List<Phase> phases,
      int phase,
      Map<String, Object> vars,
      List<HistoryEntry> history,
      List<Signal> emitted,
      long startedAt,
      long updatedAt)
      implements CborSerializable {
    public Data {
      params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
      phases = List.copyOf(phases);
      vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
      history = List.copyOf(history);
      emitted = List.copyOf(emitted);
    }

    Phase current() {
      return phases.get(phase);
    }

    Data record(Event event) {
      List<HistoryEntry> more = new ArrayList<>(history);
      more.add(new HistoryEntry(event.at(), event.getClass().getSimpleName(), event.details()));
      return new Data(workflowId, kind, params, phases, phase, vars, more, emitted, startedAt,
          event.at());
    }

    Data atPhase(int index) {
      return new Data(workflowId, kind, params, phases, index, vars, history, emitted, startedAt,
          updatedAt);
    }

    Data withVars(Map<String, Object> more) {
      Map<String, Object> merged = new LinkedHashMap<>(vars);
      merged.putAll(more);
      return new Data(workflowId, kind, params, phases, phase, merged, history, emitted,
          startedAt, updatedAt);
    }

    Data withEmitted(Signal signal) {
      if (signal == null) {
        return this;
      }
      List<Signal> more = new ArrayList<>(emitted);
      more.add(signal);
      return new Data(workflowId, kind, params, phases, phase, vars, history, more, startedAt,
          updatedAt);
    }
  }

  public sealed interface State extends CborSerializable {}

  /** No workflow of this id was started. */
  public enum Created implements State { INSTANCE }

  /** Started; its first phase starts in the same journal write (never observed). */
  public record Starting(Data data) implements State {}

  /** A step's attempt is in flight, or (not {@code inFlight}) waits until {@code retryAt}. */
  public record RunningStep(Data data, int attempt, boolean inFlight, long retryAt)
      implements State {}

  public record WaitingForSignal(
      Data data, SignalCondition condition, SignalCondition failCondition, long deadline)
      implements State {}

  public record WaitingForApproval(
      Data data, SignalCondition condition, SignalCondition failCondition, long deadline)
      implements State {}

  public record Completed(Data data) implements State {}

  public record Failed(Data data, String reason) implements State {}

  public record Cancelled(Data data, String reason) implements State {}

  // ---------------------------------------------------------------- behaviour

  private final String workflowId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final WorkflowSettings settings;
  private final StepRunner runner;
  private final WorkflowPorts ports;
  private final Clock clock;

  // Side effects already done by this incarnation (not state: a restart does them again).
  private String launched;
  private int registeredPhase = -1;
  private List<String> registeredNames = List.of();
  private WorkflowStatus reported;
  private final Set<String> published = new HashSet<>();

  private Workflow(String workflowId, ActorContext<Command> context,
      TimerScheduler<Command> timers, WorkflowSettings settings, StepRunner runner,
      WorkflowPorts ports, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), workflowId), JournalBackoff.strategy());
    this.workflowId = workflowId;
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.runner = runner;
    this.ports = ports;
    this.clock = clock;
  }

  public static Behavior<Command> create(String workflowId, WorkflowSettings settings,
      StepRunner runner, WorkflowPorts ports, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new Workflow(workflowId, context, timers, settings, runner, ports, clock)));
  }

  /** Registers the entity type with sharding on this node. */
  public static void init(ActorSystem<?> system, WorkflowSettings settings, StepRunner runner,
      WorkflowPorts ports) {
    // Never passivated: an idle workflow still owns timers (step timeout, wait deadline) and
    // awaits its step's result.
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, entity ->
            create(entity.getEntityId(), settings, runner, ports, Clock.systemUTC()))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  @Override
  public State emptyState() {
    return Created.INSTANCE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  private void onRecovered(State state) {
    if (state instanceof RunningStep running && running.inFlight()) {
      context.getSelf().tell(ResumeStep.INSTANCE);
    } else {
      sideEffects(state);
    }
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(Created.class)
        .onCommand(Start.class, this::onStart)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Approve.class, (s, c) -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Reject.class, (s, c) -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Cancel.class, (s, c) -> Effect().reply(c.replyTo(), notFound()));
    builder.forStateType(RunningStep.class)
        .onCommand(StepFinished.class, this::onStepFinished)
        .onCommand(StepTimeout.class, this::onStepTimeout)
        .onCommand(RetryStep.class, this::onRetryStep)
        .onCommand(ResumeStep.class, this::onResumeStep);
    builder.forStateType(WaitingForSignal.class)
        .onCommand(DeliverSignal.class, (s, c) -> onSignal(s.data(), s.condition(),
            s.failCondition(), c))
        .onCommand(WaitTimeout.class, (s, c) -> onWaitTimeout(s.data(), c));
    builder.forStateType(WaitingForApproval.class)
        .onCommand(DeliverSignal.class, (s, c) -> onSignal(s.data(), s.condition(),
            s.failCondition(), c))
        .onCommand(WaitTimeout.class, (s, c) -> onWaitTimeout(s.data(), c))
        .onCommand(Approve.class, this::onApprove)
        .onCommand(Reject.class, this::onReject);
    builder.forAnyState()
        .onCommand(Start.class, this::onStartAgain)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(view(s))))
        .onCommand(DeliverSignal.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onCommand(Cancel.class, this::onCancel)
        .onCommand(Approve.class, (s, c) -> Effect().reply(c.replyTo(), notAwaitingApproval(s)))
        .onCommand(Reject.class, (s, c) -> Effect().reply(c.replyTo(), notAwaitingApproval(s)))
        .onCommand(RefreshWait.class, this::onRefreshWait)
        .onAnyCommand((s, c) -> Effect().noReply());
    return builder.build();
  }

  private ReplyEffect<Event, State> onStart(State state, Start command) {
    Map<String, Object> params;
    try {
      params = WorkflowDefinitions.normalise(command.kind(), command.params(), settings);
    } catch (IllegalArgumentException e) {
      return Effect().reply(command.replyTo(), StatusReply.error(e.getMessage()));
    }
    long now = clock.millis();
    Started started = new Started(workflowId, command.kind(), params,
        WorkflowDefinitions.phases(command.kind(), params), now);
    List<Event> events = new ArrayList<>(List.of(started));
    Data data = new Data(workflowId, command.kind(), params, started.phases(), 0, params,
        List.of(), List.of(), now, now);
    events.add(enter(data, 0, now));
    context.getLog().info("Workflow {} ({}) starts with {}", workflowId, command.kind(), params);
    return persistThenReply(events, command.replyTo());
  }

  private ReplyEffect<Event, State> onStartAgain(State state, Start command) {
    Data data = dataOf(state);
    if (data.kind() != command.kind()) {
      return Effect().reply(command.replyTo(), StatusReply.error("conflict: workflow "
          + workflowId + " exists with kind " + data.kind().id()));
    }
    return Effect().reply(command.replyTo(), StatusReply.success(view(state)));
  }

  private ReplyEffect<Event, State> onStepFinished(RunningStep state, StepFinished command) {
    if (!isCurrent(state, command.phase(), command.attempt()) || !state.inFlight()) {
      return Effect().noReply();
    }
    long now = clock.millis();
    if (command.error() != null) {
      return attemptFailed(state, command.error(), now);
    }
    Data data = state.data();
    Phase phase = data.current();
    Map<String, Object> outputs = command.outputs() == null ? Map.of() : command.outputs();
    Signal emitted;
    try {
      emitted = phase.emits() == null ? null
          : emit(data.withVars(outputs), resolveName(phase.emits(), data.withVars(outputs)), now);
    } catch (IllegalArgumentException e) {
      return attemptFailed(state, "cannot emit: " + e.getMessage(), now);
    }
    StepSucceeded succeeded =
        new StepSucceeded(data.phase(), phase.name(), state.attempt(), outputs, emitted, now);
    context.getLog().info("Workflow {} step {} succeeded (attempt {})", workflowId, phase.name(),
        state.attempt());
    List<Event> events = new ArrayList<>(List.of(succeeded));
    events.add(next(data.withVars(outputs), now));
    return persistNoReply(events);
  }

  private ReplyEffect<Event, State> onStepTimeout(RunningStep state, StepTimeout command) {
    if (!isCurrent(state, command.phase(), command.attempt()) || !state.inFlight()) {
      return Effect().noReply();
    }
    Data data = state.data();
    runner.cancel(workflowId + "/" + data.current().name());
    return attemptFailed(state, "timed out after "
        + settings.timeoutOf(data.kind(), data.current().name()), clock.millis());
  }

  private ReplyEffect<Event, State> attemptFailed(RunningStep state, String error, long now) {
    Data data = state.data();
    String step = data.current().name();
    if (state.attempt() >= settings.maxAttempts()) {
      context.getLog().error("Workflow {} step {} failed after {} attempts: {}", workflowId, step,
          state.attempt(), error);
      return persistNoReply(List.of(
          new StepFailed(data.phase(), step, state.attempt(), error, now)));
    }
    long retryAt = now + settings.backoffBefore(state.attempt() + 1).toMillis();
    context.getLog().warn("Workflow {} step {} attempt {} failed, retrying: {}", workflowId, step,
        state.attempt(), error);
    return persistNoReply(List.of(
        new StepAttemptFailed(data.phase(), step, state.attempt(), error, retryAt, now)));
  }

  private ReplyEffect<Event, State> onRetryStep(RunningStep state, RetryStep command) {
    if (!isCurrent(state, command.phase(), command.attempt()) || state.inFlight()) {
      return Effect().noReply();
    }
    Data data = state.data();
    return persistNoReply(List.of(new StepStarted(data.phase(), data.current().name(),
        state.attempt() + 1, clock.millis())));
  }

  private ReplyEffect<Event, State> onResumeStep(RunningStep state, ResumeStep command) {
    if (!state.inFlight()) {
      return Effect().noReply();
    }
    Data data = state.data();
    context.getLog().info("Workflow {} runs step {} again: it was in flight when the node stopped",
        workflowId, data.current().name());
    return persistNoReply(List.of(new StepRestarted(data.phase(), data.current().name(),
        state.attempt(), clock.millis())));
  }

  private ReplyEffect<Event, State> onSignal(Data data, SignalCondition condition,
      SignalCondition failCondition, DeliverSignal command) {
    Signal signal = command.signal();
    long now = clock.millis();
    if (condition.matches(signal)) {
      List<Event> events = new ArrayList<>(List.of(
          new SignalReceived(data.phase(), signal, false, now)));
      events.add(next(data.withVars(signal.payload()), now));
      return persistThenAck(events, command.replyTo());
    }
    if (failCondition != null && failCondition.matches(signal)) {
      return persistThenAck(List.of(new SignalReceived(data.phase(), signal, true, now)),
          command.replyTo());
    }
    return Effect().reply(command.replyTo(), StatusReply.ack());
  }

  private ReplyEffect<Event, State> onWaitTimeout(Data data, WaitTimeout command) {
    if (command.phase() != data.phase()) {
      return Effect().noReply();
    }
    context.getLog().error("Workflow {} waited too long in {}", workflowId, data.current().name());
    return persistNoReply(List.of(
        new WaitTimedOut(data.phase(), data.current().name(), clock.millis())));
  }

  private ReplyEffect<Event, State> onApprove(WaitingForApproval state, Approve command) {
    Data data = state.data();
    long now = clock.millis();
    Map<String, Object> payload = decisionPayload(data);
    payload.put("approvedBy", command.by());
    Signal signal = emit(data, "canary_passed", payload, now);
    List<Event> events = new ArrayList<>(List.of(
        new Approved(data.phase(), command.by(), signal, now)));
    events.add(next(data, now));
    return persistThenReply(events, command.replyTo());
  }

  private ReplyEffect<Event, State> onReject(WaitingForApproval state, Reject command) {
    Data data = state.data();
    long now = clock.millis();
    Map<String, Object> payload = decisionPayload(data);
    payload.put("rejectedBy", command.by());
    payload.put("reason", command.reason());
    Signal signal = emit(data, "canary_failed", payload, now);
    return persistThenReply(
        List.of(new Rejected(data.phase(), command.by(), command.reason(), signal, now)),
        command.replyTo());
  }

  private ReplyEffect<Event, State> onCancel(State state, Cancel command) {
    if (statusOf(state).isFinal()) {
      return Effect().reply(command.replyTo(), StatusReply.error("conflict: workflow "
          + workflowId + " is already " + statusOf(state).name().toLowerCase()));
    }
    context.getLog().info("Workflow {} cancelled by {}: {}", workflowId, command.by(),
        command.reason());
    return persistThenReply(
        List.of(new WorkflowCancelled(command.by(), command.reason(), clock.millis())),
        command.replyTo());
  }

  private ReplyEffect<Event, State> onRefreshWait(State state, RefreshWait command) {
    if (waitOf(state) != null && dataOf(state).phase() == command.phase()) {
      register(state);
    }
    return Effect().noReply();
  }

  // ---------------------------------------------------------------- transitions

  /** The event that leaves the finished current phase: the next phase's start, or completion. */
  private Event next(Data data, long now) {
    int following = data.phase() + 1;
    if (following == data.phases().size()) {
      return new WorkflowCompleted(now);
    }
    return enter(data, following, now);
  }

  private Event enter(Data data, int index, long now) {
    Phase phase = data.phases().get(index);
    if (phase.runsStep()) {
      return new StepStarted(index, phase.name(), 1, now);
    }
    try {
      SignalCondition condition = SignalCondition.resolve(phase.condition(), data.vars());
      SignalCondition fail = phase.failCondition() == null ? null
          : SignalCondition.resolve(phase.failCondition(), data.vars());
      return new WaitStarted(index, phase.name(), condition, fail,
          phase.type() == Phase.Type.APPROVAL, now + settings.waitTimeout().toMillis(), now);
    } catch (IllegalArgumentException e) {
      return new WorkflowFailed("phase " + phase.name() + ": " + e.getMessage(), now);
    }
  }

  private Signal emit(Data data, String name, long now) {
    return emit(data, name, new LinkedHashMap<>(data.vars()), now);
  }

  /** A signal of this workflow: its id is fixed per (name, workflow), so re-emitting is a no-op. */
  private Signal emit(Data data, String name, Map<String, Object> payload, long now) {
    Map<String, String> joinKeys = new LinkedHashMap<>();
    for (String key : List.of("group", "version", "modelId")) {
      if (data.vars().get(key) != null) {
        joinKeys.put(key, data.vars().get(key).toString());
      }
    }
    String id = name + "/" + (joinKeys.containsKey("group") && joinKeys.containsKey("version")
        ? joinKeys.get("group") + "/" + joinKeys.get("version") + "/" : "") + workflowId;
    return new Signal(id, name, now, "workflow/" + workflowId, joinKeys, payload);
  }

  private static Map<String, Object> decisionPayload(Data data) {
    Map<String, Object> payload = new LinkedHashMap<>();
    for (String key : List.of("group", "version", "modelId")) {
      if (data.vars().get(key) != null) {
        payload.put(key, data.vars().get(key));
      }
    }
    payload.put("manual", true);
    return payload;
  }

  private static String resolveName(String template, Data data) {
    if (!template.startsWith("${")) {
      return template;
    }
    Object value = data.vars().get(template.substring(2, template.length() - 1));
    if (value == null) {
      throw new IllegalArgumentException("the step did not output " + template);
    }
    return value.toString();
  }

  // ---------------------------------------------------------------- events to state

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(Workflow::apply);
  }

  static State apply(State state, Event event) {
    if (event instanceof Started s) {
      Data data = new Data(s.workflowId(), s.kind(), s.params(), s.phases(), 0, s.params(),
          List.of(), List.of(), s.at(), s.at());
      return new Starting(data.record(event));
    }
    Data data = dataOf(state).record(event);
    if (event instanceof StepStarted e) {
      return new RunningStep(data.atPhase(e.phase()), e.attempt(), true, 0);
    } else if (event instanceof StepRestarted e) {
      return new RunningStep(data, e.attempt(), true, 0);
    } else if (event instanceof StepSucceeded e) {
      RunningStep running = (RunningStep) state;
      return new RunningStep(data.withVars(e.outputs()).withEmitted(e.emitted()),
          running.attempt(), false, 0);
    } else if (event instanceof StepAttemptFailed e) {
      return new RunningStep(data, e.attempt(), false, e.retryAt());
    } else if (event instanceof StepFailed e) {
      return new Failed(data, "step " + e.step() + " failed after " + e.attempts()
          + " attempts: " + e.error());
    } else if (event instanceof WaitStarted e) {
      Data at = data.atPhase(e.phase());
      return e.approval()
          ? new WaitingForApproval(at, e.condition(), e.failCondition(), e.deadline())
          : new WaitingForSignal(at, e.condition(), e.failCondition(), e.deadline());
    } else if (event instanceof SignalReceived e) {
      if (e.failed()) {
        return new Failed(data.withVars(e.signal().payload()),
            "signal " + e.signal().name() + " (" + e.signal().id() + ") ends the workflow");
      }
      return withData(state, data.withVars(e.signal().payload()));
    } else if (event instanceof WaitTimedOut e) {
      return new Failed(data, "no matching signal in " + e.name() + " before its deadline");
    } else if (event instanceof Approved e) {
      return withData(state, data.withEmitted(e.emitted()));
    } else if (event instanceof Rejected e) {
      return new Failed(data.withEmitted(e.emitted()), "rejected by " + e.by() + ": " + e.reason());
    } else if (event instanceof WorkflowCancelled e) {
      return new Cancelled(data, "cancelled by " + e.by() + ": " + e.reason());
    } else if (event instanceof WorkflowCompleted) {
      return new Completed(data);
    } else if (event instanceof WorkflowFailed e) {
      return new Failed(data, e.reason());
    }
    throw new IllegalStateException("unknown event " + event);
  }

  private static State withData(State state, Data data) {
    if (state instanceof WaitingForSignal w) {
      return new WaitingForSignal(data, w.condition(), w.failCondition(), w.deadline());
    }
    if (state instanceof WaitingForApproval w) {
      return new WaitingForApproval(data, w.condition(), w.failCondition(), w.deadline());
    }
    throw new IllegalStateException("a signal or approval outside a wait: " + state);
  }

  static Data dataOf(State state) {
    if (state instanceof Starting s) {
      return s.data();
    } else if (state instanceof RunningStep s) {
      return s.data();
    } else if (state instanceof WaitingForSignal s) {
      return s.data();
    } else if (state instanceof WaitingForApproval s) {
      return s.data();
    } else if (state instanceof Completed s) {
      return s.data();
    } else if (state instanceof Failed s) {
      return s.data();
    } else if (state instanceof Cancelled s) {
      return s.data();
    }
    throw new IllegalStateException("workflow not started");
  }

  static WorkflowStatus statusOf(State state) {
    if (state instanceof RunningStep || state instanceof Starting) {
      return WorkflowStatus.RUNNING_STEP;
    } else if (state instanceof WaitingForSignal) {
      return WorkflowStatus.WAITING_FOR_SIGNAL;
    } else if (state instanceof WaitingForApproval) {
      return WorkflowStatus.WAITING_FOR_APPROVAL;
    } else if (state instanceof Completed) {
      return WorkflowStatus.COMPLETED;
    } else if (state instanceof Failed) {
      return WorkflowStatus.FAILED;
    } else if (state instanceof Cancelled) {
      return WorkflowStatus.CANCELLED;
    }
    return WorkflowStatus.CREATED;
  }

  /** The awaited conditions of a waiting state (fail condition second, may be absent). */
  private static List<SignalCondition> waitOf(State state) {
    List<SignalCondition> conditions = new ArrayList<>();
    if (state instanceof WaitingForSignal w) {
      conditions.add(w.condition());
      if (w.failCondition() != null) {
        conditions.add(w.failCondition());
      }
    } else if (state instanceof WaitingForApproval w) {
      conditions.add(w.condition());
      if (w.failCondition() != null) {
        conditions.add(w.failCondition());
      }
    } else {
      return null;
    }
    return conditions;
  }

  static WorkflowView view(State state) {
    Data data = dataOf(state);
    int attempt = state instanceof RunningStep r ? r.attempt() : 0;
    List<SignalCondition> waiting = waitOf(state);
    String reason = state instanceof Failed f ? f.reason()
        : state instanceof Cancelled c ? c.reason() : null;
    return new WorkflowView(data.workflowId(), data.kind(), statusOf(state),
        data.current().name(), attempt, waiting == null ? null : waiting.get(0).render(), reason,
        data.params(), data.vars(), data.phases().stream().map(Phase::name).toList(),
        data.history(), data.startedAt(), data.updatedAt());
  }

  // ---------------------------------------------------------------- side effects

  private ReplyEffect<Event, State> persistNoReply(List<Event> events) {
    return Effect().persist(events).thenRun(this::sideEffects).thenNoReply();
  }

  private ReplyEffect<Event, State> persistThenReply(List<Event> events,
      ActorRef<StatusReply<WorkflowView>> replyTo) {
    return Effect().persist(events).thenRun(this::sideEffects)
        .thenReply(replyTo, state -> StatusReply.success(view(state)));
  }

  private ReplyEffect<Event, State> persistThenAck(List<Event> events,
      ActorRef<StatusReply<Done>> replyTo) {
    return Effect().persist(events).thenRun(this::sideEffects)
        .thenReply(replyTo, state -> StatusReply.ack());
  }

  /**
   * Brings the world in line with the state: launches the step attempt in flight, arms its timer,
   * registers waits, publishes emitted signals, reports the status. Idempotent; also run after
   * recovery.
   */
  private void sideEffects(State state) {
    if (state instanceof Created) {
      return;
    }
    Data data = dataOf(state);
    for (Signal signal : data.emitted()) {
      if (published.add(signal.id())) {
        ports.publish(signal);
      }
    }
    WorkflowStatus status = statusOf(state);
    if (status != reported) {
      reported = status;
      ports.statusChanged(view(state).summary());
    }
    if (!(state instanceof RunningStep r && r.inFlight())) {
      timers.cancel("step-timeout");
    }
    if (state instanceof RunningStep running) {
      onRunning(running);
    } else {
      timers.cancel("retry");
    }
    if (waitOf(state) != null) {
      if (registeredPhase != data.phase()) {
        if (registeredPhase != -1) {
          registeredNames.forEach(name -> ports.cancelWait(workflowId, name));
        }
        register(state);
        long remaining = Math.max(0, waitDeadline(state) - clock.millis());
        timers.startSingleTimer("wait-timeout", new WaitTimeout(data.phase()),
            Duration.ofMillis(remaining));
        timers.startTimerWithFixedDelay("wait-refresh", new RefreshWait(data.phase()),
            settings.waitRefresh());
      }
    } else if (registeredPhase != -1) {
      registeredNames.forEach(name -> ports.cancelWait(workflowId, name));
      registeredPhase = -1;
      registeredNames = List.of();
      timers.cancel("wait-timeout");
      timers.cancel("wait-refresh");
    }
    if (state instanceof Cancelled) {
      runner.cancel(workflowId + "/" + data.current().name());
    }
  }

  private void onRunning(RunningStep running) {
    Data data = running.data();
    String step = data.current().name();
    String key = data.phase() + "/" + running.attempt();
    if (running.inFlight()) {
      timers.cancel("retry");
      if (!key.equals(launched)) {
        launched = key;
        launch(data, step, running.attempt());
      }
    } else if (running.retryAt() > 0 && !timers.isTimerActive("retry")) {
      long delay = Math.max(0, running.retryAt() - clock.millis());
      timers.startSingleTimer("retry", new RetryStep(data.phase(), running.attempt()),
          Duration.ofMillis(delay));
    }
  }

  private void launch(Data data, String step, int attempt) {
    StepRequest request = new StepRequest(workflowId, data.kind(), step, attempt, data.vars());
    context.getLog().info("Workflow {} runs step {} (attempt {})", workflowId, step, attempt);
    CompletionStage<StepResult> result;
    try {
      result = runner.run(request);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    int phase = data.phase();
    context.pipeToSelf(result, (ok, error) -> error == null
        ? new StepFinished(phase, attempt, ok == null ? Map.of() : ok.outputs(), null)
        : new StepFinished(phase, attempt, null, describe(error)));
    timers.startSingleTimer("step-timeout", new StepTimeout(phase, attempt),
        settings.timeoutOf(data.kind(), step));
  }

  private void register(State state) {
    Data data = dataOf(state);
    List<SignalCondition> conditions = waitOf(state);
    conditions.forEach(condition -> ports.awaitSignal(workflowId, condition));
    registeredPhase = data.phase();
    registeredNames = conditions.stream().map(SignalCondition::name).toList();
  }

  private static long waitDeadline(State state) {
    if (state instanceof WaitingForSignal w) {
      return w.deadline();
    }
    return ((WaitingForApproval) state).deadline();
  }

  private static String describe(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  private static boolean isCurrent(RunningStep state, int phase, int attempt) {
    return state.data().phase() == phase && state.attempt() == attempt;
  }

  private StatusReply<WorkflowView> notFound() {
    return StatusReply.error("not_found: workflow " + workflowId + " does not exist");
  }

  private StatusReply<WorkflowView> notAwaitingApproval(State state) {
    return StatusReply.error("conflict: workflow " + workflowId + " is not waiting for approval"
        + " (status " + statusOf(state).name().toLowerCase() + ")");
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
