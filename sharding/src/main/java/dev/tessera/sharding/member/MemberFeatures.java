package dev.tessera.sharding.member;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.window.Outcome;
import dev.tessera.sharding.CborSerializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * One member's features: a sharded entity holding the kernel's {@link MemberFeatureState} for every
 * feature group, fed batches of the member's events by the feature pipeline.
 *
 * <p>Protocol: {@link ApplyEvents} carries the member's events of one stream from one polled batch,
 * in that stream's Kafka offset order; the entity applies them to every group's state, publishes a
 * snapshot per group as of now to its {@link SnapshotSink}, and replies {@link Applied} with the
 * counts and the positions of late events (the pipeline side-routes them). {@link GetSnapshot}
 * reads a group's full vector as of any instant the state is exact for.
 *
 * <p>Sharding: entity type {@link #ENTITY_KEY}; shard id = the member's domain-topic partition
 * ({@link MemberShards}), allocated to the node consuming that partition. Persistence: none yet —
 * state is rebuilt from the domain topics; durable checkpoints come with the member-actor issue.
 */
public final class MemberFeatures extends AbstractBehavior<MemberFeatures.Command> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "MemberFeatures");

  public sealed interface Command extends CborSerializable {}

  /**
   * Apply these events of one stream, in its offset order.
   *
   * @param offsets the events' Kafka offsets (same length)
   */
  public record ApplyEvents(
      long batchId, EventStream stream, List<EnrichedEvent> events, long[] offsets,
      ActorRef<Applied> replyTo) implements Command {
    public ApplyEvents {
      events = List.copyOf(events);
      Objects.requireNonNull(offsets, "offsets");
      if (offsets.length != events.size()) {
        throw new IllegalArgumentException("one offset per event");
      }
    }
  }

  /**
   * What an {@link ApplyEvents} did.
   *
   * @param latePositions positions in the batch's event list of the late events
   */
  public record Applied(
      long batchId, String memberId, int accepted, int late, int duplicates, int alreadyApplied,
      int[] latePositions) implements CborSerializable {}

  /** The full vector of {@code group} as of {@code asOf}. */
  public record GetSnapshot(
      String group, long asOf, ActorRef<StatusReply<FeatureSnapshot>> replyTo) implements Command {}

  private final String memberId;
  private final Map<String, MemberFeatureState> states = new LinkedHashMap<>();
  private final SnapshotSink sink;
  private long snapshotVersion;

  private MemberFeatures(
      ActorContext<Command> context, String memberId, List<FeatureGroup> groups, SnapshotSink sink) {
    super(context);
    this.memberId = memberId;
    this.sink = sink;
    for (FeatureGroup group : groups) {
      states.put(group.name(), MemberFeatureState.create(group, memberId));
    }
  }

  public static Behavior<Command> create(
      String memberId, List<FeatureGroup> groups, SnapshotSink sink) {
    return Behaviors.setup(context -> new MemberFeatures(context, memberId, groups, sink));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ApplyEvents.class, this::onApplyEvents)
        .onMessage(GetSnapshot.class, this::onGetSnapshot)
        .build();
  }

  private Behavior<Command> onApplyEvents(ApplyEvents command) {
    int accepted = 0;
    int late = 0;
    int duplicates = 0;
    int already = 0;
    List<Integer> latePositions = new ArrayList<>(0);
    boolean first = true;
    for (MemberFeatureState state : states.values()) {
      List<EnrichedEvent> events = command.events();
      for (int i = 0; i < events.size(); i++) {
        Outcome outcome = state.apply(events.get(i), command.offsets()[i]);
        if (first) {
          switch (outcome) {
            case ACCEPTED -> accepted++;
            case LATE -> {
              late++;
              latePositions.add(i);
            }
            case DUPLICATE -> duplicates++;
            case ALREADY_APPLIED -> already++;
          }
        }
      }
      first = false;
    }
    publish(System.currentTimeMillis());
    command.replyTo().tell(new Applied(command.batchId(), memberId, accepted, late, duplicates,
        already, latePositions.stream().mapToInt(Integer::intValue).toArray()));
    return this;
  }

  private Behavior<Command> onGetSnapshot(GetSnapshot command) {
    MemberFeatureState state = states.get(command.group());
    if (state == null) {
      command.replyTo().tell(StatusReply.error("no feature group " + command.group()));
    } else if (state.exactFrom() != Long.MIN_VALUE && command.asOf() < state.exactFrom()) {
      command.replyTo().tell(StatusReply.error("as-of " + command.asOf()
          + " precedes the instant the state is exact from, " + state.exactFrom()));
    } else {
      command.replyTo().tell(
          StatusReply.success(state.snapshot(command.asOf(), System.currentTimeMillis())));
    }
    return this;
  }

  private void publish(long now) {
    // A hybrid clock: increases with every publication, and across restarts with the wall clock.
    snapshotVersion = Math.max(snapshotVersion + 1, now * 1000);
    for (MemberFeatureState state : states.values()) {
      long asOf = Math.max(now, state.exactFrom());
      long[] offsets = new long[EventStream.count()];
      for (EventStream stream : EventStream.values()) {
        offsets[stream.ordinal()] = state.lastOffset(stream);
      }
      sink.publish(state.snapshot(asOf, now), state.group().version(), snapshotVersion, offsets);
    }
  }
}
