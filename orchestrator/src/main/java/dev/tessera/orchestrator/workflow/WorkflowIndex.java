package dev.tessera.orchestrator.workflow;

import dev.tessera.sharding.CborSerializable;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The list of workflows with their kind and status, for listing and for waking unfinished
 * workflows after a node restart. Workflows report every status change (and again after their
 * own recovery); an older report never replaces a newer one.
 *
 * <p>Why an index actor and not a projection: events-by-tag is off in this project and no
 * projection module is on the classpath; workflows are few (a handful per model per day) and one
 * event-sourced entity holds them all in memory. With very many workflows this should become a
 * Cassandra table keyed by (kind, status).
 *
 * <p>Persistence: Cassandra journal, persistence id {@code WorkflowIndex|all}, snapshots every 100
 * events. Sharding: a single entity {@link #ENTITY_ID} of {@link #ENTITY_KEY}.
 */
public final class WorkflowIndex
    extends EventSourcedBehaviorWithEnforcedReplies<WorkflowIndex.Command, WorkflowIndex.Event,
        WorkflowIndex.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "WorkflowIndex");
  public static final String ENTITY_ID = "all";

  public sealed interface Command extends CborSerializable {}

  public record Update(WorkflowSummary summary) implements Command {}

  /** Workflows of this kind and status (absent: any), newest start first. */
  public record ListWorkflows(Optional<WorkflowKind> kind, Optional<WorkflowStatus> status,
      ActorRef<Listing> replyTo) implements Command {}

  public record Listing(List<WorkflowSummary> workflows) implements CborSerializable {
    public Listing {
      workflows = List.copyOf(workflows);
    }
  }

  public sealed interface Event extends CborSerializable {}

  public record Indexed(WorkflowSummary summary) implements Event {}

  public record State(Map<String, WorkflowSummary> workflows) implements CborSerializable {
    public State {
      workflows = Collections.unmodifiableMap(new LinkedHashMap<>(workflows));
    }
  }

  private WorkflowIndex(String id) {
    super(PersistenceId.of(ENTITY_KEY.name(), id), JournalBackoff.strategy());
  }

  public static Behavior<Command> create(String id) {
    return new WorkflowIndex(id);
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, e -> create(e.getEntityId()))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  @Override
  public State emptyState() {
    return new State(Map.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Update.class, this::onUpdate)
        .onCommand(ListWorkflows.class, this::onList)
        .build();
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update command) {
    WorkflowSummary known = state.workflows().get(command.summary().workflowId());
    if (command.summary().equals(known)
        || (known != null && known.updatedAt() > command.summary().updatedAt())) {
      return Effect().noReply();
    }
    return Effect().persist(new Indexed(command.summary())).thenNoReply();
  }

  private ReplyEffect<Event, State> onList(State state, ListWorkflows command) {
    List<WorkflowSummary> matching = state.workflows().values().stream()
        .filter(s -> command.kind().map(k -> k == s.kind()).orElse(true))
        .filter(s -> command.status().map(k -> k == s.status()).orElse(true))
        .sorted(Comparator.comparingLong(WorkflowSummary::startedAt).reversed()
            .thenComparing(WorkflowSummary::workflowId))
        .toList();
    return Effect().reply(command.replyTo(), new Listing(matching));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Indexed.class, (state, event) -> {
          Map<String, WorkflowSummary> all = new LinkedHashMap<>(state.workflows());
          all.put(event.summary().workflowId(), event.summary());
          return new State(all);
        })
        .build();
  }
}
