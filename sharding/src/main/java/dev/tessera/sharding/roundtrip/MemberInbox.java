package dev.tessera.sharding.roundtrip;

import dev.tessera.sharding.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The events one member sent, as a sharded, event-sourced entity: the foundation's proof that
 * sharding, the Cassandra journal and recovery work together (see MemberInboxIT).
 *
 * <p>Protocol: {@link Record} appends an event unless its id is among the recent ones (a Kafka
 * redelivery after a crash before the offset commit), replying {@code StatusReply.ack()} in both
 * cases; {@link GetSummary} replies with the count and the most recent ids.
 *
 * <p>Persistence: journal through pekko-persistence-cassandra, persistence id {@code
 * MemberInbox|<memberId>}; no snapshots (the state is small). Sharding: one entity per member id,
 * entity type {@link #ENTITY_KEY}. The feature engine itself runs in {@code
 * dev.tessera.sharding.member.MemberFeatures}; this entity is not on its path.
 */
public final class MemberInbox
    extends EventSourcedBehaviorWithEnforcedReplies<
        MemberInbox.Command, MemberInbox.Event, MemberInbox.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "MemberInbox");

  /** How many recent event ids the entity remembers to recognise redeliveries. */
  static final int RECENT_IDS = 64;

  public sealed interface Command extends CborSerializable {}

  /** Append one event of this member. */
  public record Record(
      String eventId, String type, long eventTime, ActorRef<StatusReply<Done>> replyTo)
      implements Command {
    public Record {
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(type, "type");
    }
  }

  public record GetSummary(ActorRef<Summary> replyTo) implements Command {}

  /** What the entity holds: how many events it recorded, and the ids of the latest ones. */
  public record Summary(String memberId, long eventCount, List<String> recentEventIds)
      implements CborSerializable {
    public Summary {
      recentEventIds = List.copyOf(recentEventIds);
    }
  }

  public sealed interface Event extends CborSerializable {}

  public record Recorded(String eventId, String type, long eventTime) implements Event {}

  public record State(long eventCount, List<String> recentEventIds) implements CborSerializable {
    static final State EMPTY = new State(0, List.of());

    public State {
      recentEventIds = List.copyOf(recentEventIds);
    }

    State record(String eventId) {
      List<String> recent = new ArrayList<>(recentEventIds);
      recent.add(eventId);
      if (recent.size() > RECENT_IDS) {
        recent.remove(0);
      }
      return new State(eventCount + 1, recent);
    }
  }

  private final String memberId;

  private MemberInbox(String memberId) {
    super(PersistenceId.of(ENTITY_KEY.name(), memberId));
    this.memberId = memberId;
  }

  public static Behavior<Command> create(String memberId) {
    return new MemberInbox(memberId);
  }

  /** Registers the entity type with sharding on this node. */
  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, context -> MemberInbox.create(context.getEntityId())));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Record.class, this::onRecord)
        .onCommand(GetSummary.class, this::onGetSummary)
        .build();
  }

  private ReplyEffect<Event, State> onRecord(State state, Record command) {
    if (state.recentEventIds().contains(command.eventId())) {
      return Effect().reply(command.replyTo(), StatusReply.ack());
    }
    return Effect()
        .persist(new Recorded(command.eventId(), command.type(), command.eventTime()))
        .thenReply(command.replyTo(), updated -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onGetSummary(State state, GetSummary command) {
    return Effect()
        .reply(command.replyTo(),
            new Summary(memberId, state.eventCount(), state.recentEventIds()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Recorded.class, (state, event) -> state.record(event.eventId()))
        .build();
  }
}
