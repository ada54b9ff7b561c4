package dev.tessera.orchestrator.hub;

import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalCondition;
import dev.tessera.orchestrator.workflow.JournalBackoff;
import dev.tessera.sharding.CborSerializable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * The signals of one name: it records them (a repeated id is a no-op), keeps the latest for
 * waiters that register later, delivers each matching signal to the workflows waiting for it, and
 * starts chained workflows ({@link ChainRule}).
 *
 * <p>Protocol: {@link Publish} replies {@link Published#ACCEPTED} or {@link Published#DUPLICATE};
 * {@link Await} registers (or refreshes) a workflow's wait and delivers at once the newest kept
 * signal that matches (an early signal); {@link CancelWait}; {@link GetSignals}. A delivery is
 * retried after {@code redelivery-delay} until the workflow acknowledges it, then the wait is
 * released; a chained start is retried the same way and journaled once done, so a crash between
 * recording a signal and starting its workflow starts it on recovery.
 *
 * <p>Persistence: Cassandra journal, persistence id {@code SignalHub|<signal name>}, snapshots
 * every 100 events (kept signals and ids are bounded by {@code max-signals} and {@code
 * max-ids}). Sharding: one entity per signal name, {@link #ENTITY_KEY}.
 */
public final class SignalHub
    extends EventSourcedBehaviorWithEnforcedReplies<SignalHub.Command, SignalHub.Event,
        SignalHub.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "SignalHub");

  public sealed interface Command extends CborSerializable {}

  public enum Published implements CborSerializable { ACCEPTED, DUPLICATE }

  public record Publish(Signal signal, ActorRef<StatusReply<Published>> replyTo)
      implements Command {}

  /** From a workflow: deliver me a signal matching this condition (once). */
  public record Await(String workflowId, SignalCondition condition) implements Command {}

  public record CancelWait(String workflowId) implements Command {}

  public record GetSignals(ActorRef<SignalsView> replyTo) implements Command {}

  /** What the hub holds: kept signals (oldest first) and open waits by workflow id. */
  public record SignalsView(String name, List<Signal> signals, Map<String, String> waits,
      int pendingChains) implements CborSerializable {
    public SignalsView {
      signals = List.copyOf(signals);
      waits = Map.copyOf(waits);
    }
  }

  private record DeliveryDone(String workflowId, String signalId, String error)
      implements Command {}

  private record ChainDone(String signalId, String workflowId, String error) implements Command {}

  private record Retry(String key) implements Command {}

  public sealed interface Event extends CborSerializable {}

  /** A new signal; {@code chained} when chaining rules start workflows for it. */
  public record SignalRecorded(Signal signal, boolean chained, long at) implements Event {}

  public record WaitRegistered(String workflowId, SignalCondition condition, long at)
      implements Event {}

  /** The wait ended: delivered (signalId set) or cancelled (signalId null). */
  public record WaitReleased(String workflowId, String signalId, long at) implements Event {}

  public record ChainStarted(String signalId, String workflowId, long at) implements Event {}

  /**
   * @param pendingChains ids of kept signals whose chained workflows are not known started
   */
  public record State(List<Signal> signals, List<String> ids,
      Map<String, SignalCondition> waits, List<String> pendingChains)
      implements CborSerializable {
    public State {
      signals = List.copyOf(signals);
      ids = List.copyOf(ids);
      waits = Collections.unmodifiableMap(new LinkedHashMap<>(waits));
      pendingChains = List.copyOf(pendingChains);
    }

    static final State EMPTY = new State(List.of(), List.of(), Map.of(), List.of());

    /** The newest kept signal matching the condition. */
    Optional<Signal> newestMatch(SignalCondition condition) {
      for (int i = signals.size() - 1; i >= 0; i--) {
        if (condition.matches(signals.get(i))) {
          return Optional.of(signals.get(i));
        }
      }
      return Optional.empty();
    }

    Optional<Signal> byId(String id) {
      return signals.stream().filter(s -> s.id().equals(id)).findFirst();
    }
  }

  private final String name;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final HubSettings settings;
  private final HubPorts ports;
  private final Clock clock;

  private SignalHub(String name, ActorContext<Command> context, TimerScheduler<Command> timers,
      HubSettings settings, HubPorts ports, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), name), JournalBackoff.strategy());
    this.name = name;
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.ports = ports;
    this.clock = clock;
  }

  public static Behavior<Command> create(String name, HubSettings settings, HubPorts ports,
      Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new SignalHub(name, context, timers, settings, ports, clock)));
  }

  public static void init(ActorSystem<?> system, HubSettings settings, HubPorts ports) {
    // Never passivated: a hub owns retry timers; there is one per signal name.
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, entity ->
            create(entity.getEntityId(), settings, ports, Clock.systemUTC()))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
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
    state.pendingChains().forEach(id -> state.byId(id).ifPresent(this::chain));
    state.waits().forEach((workflowId, condition) ->
        state.newestMatch(condition).ifPresent(signal -> deliver(workflowId, signal)));
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Publish.class, this::onPublish)
        .onCommand(Await.class, this::onAwait)
        .onCommand(CancelWait.class, this::onCancelWait)
        .onCommand(GetSignals.class, (state, command) -> Effect().reply(command.replyTo(),
            new SignalsView(name, state.signals(), renderWaits(state), state.pendingChains().size())))
        .onCommand(DeliveryDone.class, this::onDeliveryDone)
        .onCommand(ChainDone.class, this::onChainDone)
        .onCommand(Retry.class, this::onRetry)
        .build();
  }

  private ReplyEffect<Event, State> onPublish(State state, Publish command) {
    Signal signal = command.signal();
    if (!signal.name().equals(name)) {
      return Effect().reply(command.replyTo(), StatusReply.error("invalid: signal "
          + signal.id() + " is named " + signal.name() + ", not " + name));
    }
    if (state.ids().contains(signal.id())) {
      context.getLog().debug("Signal {} again: ignored", signal.id());
      return Effect().reply(command.replyTo(), StatusReply.success(Published.DUPLICATE));
    }
    context.getLog().info("Signal {} from {} recorded", signal.id(), signal.source());
    boolean chained = !settings.chainsOf(name).isEmpty();
    return Effect().persist(new SignalRecorded(signal, chained, clock.millis()))
        .thenRun(updated -> {
          updated.waits().forEach((workflowId, condition) -> {
            if (condition.matches(signal)) {
              deliver(workflowId, signal);
            }
          });
          if (updated.pendingChains().contains(signal.id())) {
            chain(signal);
          }
        })
        .thenReply(command.replyTo(), updated -> StatusReply.success(Published.ACCEPTED));
  }

  private ReplyEffect<Event, State> onAwait(State state, Await command) {
    Optional<Signal> early = state.newestMatch(command.condition());
    if (command.condition().equals(state.waits().get(command.workflowId()))) {
      early.ifPresent(signal -> deliver(command.workflowId(), signal));
      return Effect().noReply();
    }
    return Effect().persist(new WaitRegistered(command.workflowId(), command.condition(),
            clock.millis()))
        .thenRun(updated -> early.ifPresent(signal -> deliver(command.workflowId(), signal)))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onCancelWait(State state, CancelWait command) {
    if (!state.waits().containsKey(command.workflowId())) {
      return Effect().noReply();
    }
    return Effect().persist(new WaitReleased(command.workflowId(), null, clock.millis()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onDeliveryDone(State state, DeliveryDone command) {
    if (command.error() != null) {
      context.getLog().warn("Delivering signal {} to workflow {} failed, retrying: {}",
          command.signalId(), command.workflowId(), command.error());
      timers.startSingleTimer("deliver:" + command.workflowId(),
          new Retry("deliver:" + command.workflowId()), settings.redeliveryDelay());
      return Effect().noReply();
    }
    if (!state.waits().containsKey(command.workflowId())) {
      return Effect().noReply();
    }
    return Effect().persist(new WaitReleased(command.workflowId(), command.signalId(),
        clock.millis())).thenNoReply();
  }

  private ReplyEffect<Event, State> onChainDone(State state, ChainDone command) {
    if (command.error() != null) {
      context.getLog().warn("Starting workflow {} for signal {} failed, retrying: {}",
          command.workflowId(), command.signalId(), command.error());
      timers.startSingleTimer("chain:" + command.signalId(), new Retry("chain:"
          + command.signalId()), settings.redeliveryDelay());
      return Effect().noReply();
    }
    if (!state.pendingChains().contains(command.signalId())) {
      return Effect().noReply();
    }
    return Effect().persist(new ChainStarted(command.signalId(), command.workflowId(),
        clock.millis())).thenNoReply();
  }

  private ReplyEffect<Event, State> onRetry(State state, Retry command) {
    String key = command.key();
    String id = key.substring(key.indexOf(':') + 1);
    if (key.startsWith("deliver:")) {
      SignalCondition condition = state.waits().get(id);
      if (condition != null) {
        state.newestMatch(condition).ifPresent(signal -> deliver(id, signal));
      }
    } else if (state.pendingChains().contains(id)) {
      state.byId(id).ifPresent(this::chain);
    }
    return Effect().noReply();
  }

  private void deliver(String workflowId, Signal signal) {
    context.pipeToSelf(ports.deliver(workflowId, signal), (done, error) ->
        new DeliveryDone(workflowId, signal.id(), error == null ? null : error.toString()));
  }

  private void chain(Signal signal) {
    for (ChainRule rule : settings.chainsOf(name)) {
      String workflowId = rule.workflowId(signal);
      context.getLog().info("Signal {} starts {} workflow {}", signal.id(), rule.kind().id(),
          workflowId);
      context.pipeToSelf(ports.start(workflowId, rule.kind(), rule.paramsOf(signal)),
          (done, error) -> new ChainDone(signal.id(), workflowId,
              error == null ? null : error.toString()));
    }
  }

  private static Map<String, String> renderWaits(State state) {
    Map<String, String> out = new LinkedHashMap<>();
    state.waits().forEach((id, condition) -> out.put(id, condition.render()));
    return out;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(SignalRecorded.class, this::recorded)
        .onEvent(WaitRegistered.class, (state, event) -> {
          Map<String, SignalCondition> waits = new LinkedHashMap<>(state.waits());
          waits.put(event.workflowId(), event.condition());
          return new State(state.signals(), state.ids(), waits, state.pendingChains());
        })
        .onEvent(WaitReleased.class, (state, event) -> {
          Map<String, SignalCondition> waits = new LinkedHashMap<>(state.waits());
          waits.remove(event.workflowId());
          return new State(state.signals(), state.ids(), waits, state.pendingChains());
        })
        .onEvent(ChainStarted.class, (state, event) -> {
          List<String> pending = new ArrayList<>(state.pendingChains());
          pending.remove(event.signalId());
          return new State(state.signals(), state.ids(), state.waits(), pending);
        })
        .build();
  }

  private State recorded(State state, SignalRecorded event) {
    List<Signal> signals = new ArrayList<>(state.signals());
    signals.add(event.signal());
    List<String> pending = new ArrayList<>(state.pendingChains());
    if (event.chained()) {
      pending.add(event.signal().id());
    }
    while (signals.size() > settings.maxSignals()) {
      pending.remove(signals.remove(0).id());
    }
    Set<String> ids = new LinkedHashSet<>(state.ids());
    ids.add(event.signal().id());
    List<String> kept = new ArrayList<>(ids);
    if (kept.size() > settings.maxIds()) {
      kept = kept.subList(kept.size() - settings.maxIds(), kept.size());
    }
    return new State(signals, kept, state.waits(), pending);
  }
}
