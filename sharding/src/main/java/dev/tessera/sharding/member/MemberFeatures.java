package dev.tessera.sharding.member;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.engine.window.Outcome;
import dev.tessera.sharding.CborSerializable;
import dev.tessera.sharding.store.StoredSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's features: a sharded entity holding the kernel's {@link MemberFeatureState} for every
 * feature group, fed batches of the member's events by the {@link FeaturePipeline}.
 *
 * <p>Protocol: {@link ApplyEvents} carries the member's events of one stream from one polled batch,
 * in that stream's Kafka offset order; the entity applies them to every group's state (events at
 * or below a stream's last applied offset are skipped, so a replay after a crash counts nothing
 * twice), publishes a snapshot per group as of now to its {@link SnapshotSink}, and replies {@link
 * Applied} with the counts and the positions of late events. {@link GetSnapshot} reads a group's
 * full vector as of any instant the state is exact for. {@link CaptureState} hands the state to
 * the pipeline's checkpoint, which writes many members together and answers {@link Durable}.
 *
 * <p>Persistence: the state of every group is one row in Cassandra ({@link MemberStateStore}),
 * loaded when the entity starts (commands wait in a stash meanwhile) and written by checkpoints
 * ({@link CaptureState}). Sharding passivates an entity idle for the idle timeout (its idle
 * strategy: no timer per entity, see {@code FeaturePipeline.initSharding}); the entity writes what
 * is not durable yet before it stops. Sharding: entity type {@link #ENTITY_KEY}; shard id = the member's domain-topic
 * partition ({@link MemberShards}), placed on the node consuming that partition.
 */
public final class MemberFeatures extends ExtensibleBehavior<MemberFeatures.Command> {
  private static final Logger log = LoggerFactory.getLogger(MemberFeatures.class);

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

  /**
   * The full vector of {@code group} as of {@code asOf}, in the store's serializable form (the
   * reply may cross nodes), without publishing it.
   */
  public record GetSnapshot(
      String group, long asOf, ActorRef<StatusReply<StoredSnapshot>> replyTo) implements Command {}

  /**
   * Reply with {@code group}'s vector as of {@code now} (windows slide with the clock even without
   * new events), not stored; an error for an unknown group.
   */
  public record Refresh(String group, long now, ActorRef<StatusReply<StoredSnapshot>> replyTo)
      implements Command {}

  /**
   * A checkpoint's request: reply {@link Captured} with the state to write, or with none when
   * everything applied is durable already. The entity counts as durable only once told {@link
   * Durable}.
   */
  public record CaptureState(ActorRef<Captured> replyTo) implements Command {}

  /**
   * The state of every group as of {@code applied} batches of this incarnation of the entity, for
   * the checkpoint to write (empty: nothing to write).
   */
  public record Captured(String memberId, long incarnation, long applied,
      List<MemberStateStore.StateWrite> writes) implements CborSerializable {}

  /**
   * The checkpoint wrote the state {@code incarnation} captured at {@code applied} batches. Another
   * incarnation ignores it: its batch count starts again at 0, so an earlier incarnation's count
   * would mark batches it has not written as durable (then a checkpoint would capture nothing and
   * commit their offsets).
   */
  public record Durable(long incarnation, long applied) implements Command {}

  /** The stop message of the entity type (hand-off, passivation). */
  public enum Stop implements Command {
    INSTANCE
  }

  /** The late positions of a batch without late events (most), shared. */
  private static final int[] NONE_LATE = new int[0];

  private record Loaded(Map<String, MemberStateStore.Stored> states) implements Command {}

  private record LoadFailed(Throwable cause, int attempt) implements Command {}

  private record RetryLoad(int attempt) implements Command {}

  private record SavedBeforeStop(int attempt, Throwable failure) implements Command {}

  private final ActorContext<Command> context;
  private final String memberId;
  /** Every group's state, in the registry's order (an array: a map cost ~170 bytes a member). */
  private final MemberFeatureState[] states;
  private final SnapshotSink sink;
  private final MemberStateStore store;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private long snapshotVersion;
  /** Tells this entity instance from earlier and later ones of the same member. */
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  /** Batches applied since start; the state is durable when none was applied since a save. */
  private long applied;
  private long appliedWhenDurable;
  /** The Cassandra timestamp of the last state handed out for writing (microseconds). */
  private long lastWriteTime;

  private MemberFeatures(ActorContext<Command> context, String memberId, List<FeatureGroup> groups,
      SnapshotSink sink, MemberStateStore store, ActorRef<ClusterSharding.ShardCommand> shard,
      Map<String, MemberStateStore.Stored> stored) {
    this.context = context;
    this.memberId = memberId;
    this.sink = sink;
    this.store = store;
    this.shard = shard;
    this.states = new MemberFeatureState[groups.size()];
    for (int i = 0; i < states.length; i++) {
      FeatureGroup group = groups.get(i);
      MemberStateStore.Stored saved = stored.get(group.name());
      states[i] = saved != null && saved.groupVersion() == group.version()
          ? MemberFeatureState.fromBytes(group, saved.state())
          : MemberFeatureState.create(group, memberId);
    }
  }

  /**
   * @param store where the state is durable, or null to keep it in memory only (tests)
   * @param shard the entity's shard, to passivate after a read of a member without events, or null
   *     never to
   */
  public static Behavior<Command> create(String memberId, List<FeatureGroup> groups,
      SnapshotSink sink, MemberStateStore store, ActorRef<ClusterSharding.ShardCommand> shard) {
    if (store == null) {
      return Behaviors.setup(context -> new MemberFeatures(
          context, memberId, groups, sink, null, shard, Map.of()));
    }
    return Behaviors.withStash(10_000, stash -> Behaviors.setup(context -> {
      load(context, store, memberId, 1);
      return loading(context, stash, memberId, groups, sink, store, shard);
    }));
  }

  private static void load(ActorContext<Command> context, MemberStateStore store, String memberId,
      int attempt) {
    context.pipeToSelf(store.load(memberId),
        (stored, error) -> error == null ? new Loaded(stored) : new LoadFailed(error, attempt));
  }

  private static Behavior<Command> loading(ActorContext<Command> context,
      StashBuffer<Command> stash, String memberId, List<FeatureGroup> groups, SnapshotSink sink,
      MemberStateStore store, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.receive(Command.class)
        .onMessage(Loaded.class, loaded -> stash.unstashAll(new MemberFeatures(context, memberId,
            groups, sink, store, shard, loaded.states())))
        .onMessage(LoadFailed.class, failed -> {
          // Keep the stashed commands and try again: nothing was applied yet.
          Duration delay = Duration.ofMillis(Math.min(10_000, 100L << Math.min(7, failed.attempt())));
          log.warn("Loading member {} failed (attempt {}), retrying in {} ms: {}", memberId,
              failed.attempt(), delay.toMillis(), failed.cause().toString());
          context.scheduleOnce(delay, context.getSelf(), new RetryLoad(failed.attempt() + 1));
          return Behaviors.same();
        })
        .onMessage(RetryLoad.class, retry -> {
          load(context, store, memberId, retry.attempt());
          return Behaviors.same();
        })
        .onMessage(Stop.class, stop -> Behaviors.stopped())
        .onAnyMessage(command -> {
          stash.stash(command);
          return Behaviors.same();
        })
        .build();
  }

  /**
   * A switch over the sealed protocol rather than a receive builder: the builder's cases and
   * their bound handlers are objects of every entity (about 300 bytes a member) and its dispatch
   * tests each case's class in turn, for every message.
   */
  @Override
  public Behavior<Command> receive(TypedActorContext<Command> ignored, Command command) {
    if (command instanceof ApplyEvents apply) {
      return onApplyEvents(apply);
    } else if (command instanceof GetSnapshot get) {
      return onGetSnapshot(get);
    } else if (command instanceof Refresh refresh) {
      return onRefresh(refresh);
    } else if (command instanceof CaptureState capture) {
      return onCaptureState(capture);
    } else if (command instanceof Durable durable) {
      return onDurable(durable);
    } else if (command instanceof Stop stop) {
      return onStop(stop);
    }
    return Behaviors.unhandled(); // loading's own messages never reach a loaded entity
  }

  @Override
  public Behavior<Command> receiveSignal(TypedActorContext<Command> ignored, Signal signal) {
    return Behaviors.unhandled();
  }

  private Behavior<Command> onApplyEvents(ApplyEvents command) {
    int accepted = 0;
    int late = 0;
    int duplicates = 0;
    int already = 0;
    int[] latePositions = NONE_LATE;
    boolean first = true;
    for (MemberFeatureState state : states) {
      List<EnrichedEvent> events = command.events();
      for (int i = 0; i < events.size(); i++) {
        Outcome outcome = state.apply(events.get(i), command.offsets()[i]);
        if (first) {
          switch (outcome) {
            case ACCEPTED -> accepted++;
            case LATE -> {
              latePositions = Arrays.copyOf(latePositions, late + 1);
              latePositions[late++] = i;
            }
            case DUPLICATE -> duplicates++;
            case ALREADY_APPLIED -> already++;
          }
        }
      }
      first = false;
    }
    if (already < command.events().size()) {
      applied++;
      publish(System.currentTimeMillis());
    }
    command.replyTo().tell(new Applied(command.batchId(), memberId, accepted, late, duplicates,
        already, latePositions));
    return this;
  }

  private Behavior<Command> onGetSnapshot(GetSnapshot command) {
    int position = position(command.group());
    MemberFeatureState state = position < 0 ? null : states[position];
    if (state == null) {
      command.replyTo().tell(StatusReply.error("no feature group " + command.group()));
    } else if (state.exactFrom() != Long.MIN_VALUE && command.asOf() < state.exactFrom()) {
      command.replyTo().tell(StatusReply.error("as-of " + command.asOf()
          + " precedes the instant the state is exact from, " + state.exactFrom()));
    } else {
      command.replyTo().tell(StatusReply.success(StoredSnapshot.of(
          state.snapshot(command.asOf(), System.currentTimeMillis()), state.group().version(),
          snapshotVersion, lastOffsets(state))));
    }
    return this;
  }

  private Behavior<Command> onRefresh(Refresh command) {
    int position = position(command.group());
    if (position < 0) {
      command.replyTo().tell(StatusReply.error("no feature group " + command.group()));
      return this;
    }
    // The vector answers its read and goes no further: the store keeps what the member's events
    // published. Stored, every refreshed vector outlived a young collection and was promoted,
    // and each put dirtied the store's old slots: at 5k refreshes/s (100k members, `bench
    // serve`) young pauses of 50-90 ms, against 20-85 ms without, and batch reads of 100 took a
    // fifth more CPU. A member read again within the max age is asked again (~60 µs).
    nextSnapshotVersion();
    command.replyTo().tell(StatusReply.success(snapshotOf(states[position], command.now())));
    boolean anyEvent = false;
    for (MemberFeatureState state : states) {
      anyEvent |= state.watermark() != Long.MIN_VALUE;
    }
    if (shard != null && applied == appliedWhenDurable && !anyEvent) {
      // A read of a member without events (an unknown id) keeps no entity alive: reads that
      // probe many unknown ids must not fill the node's memory for the idle timeout.
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return this;
  }

  /**
   * Passivation or hand-off. Events applied since the last durable write are written first: the
   * next incarnation (here or on the next owner) starts from the stored state, and a checkpoint
   * may commit the partition's offsets past those events as soon as that incarnation answers its
   * CaptureState. Messages that arrive meanwhile are not applied and not answered, so their batch
   * times out and is redelivered from the committed offsets.
   */
  private Behavior<Command> onStop(Stop stop) {
    if (store == null || applied == appliedWhenDurable) {
      return Behaviors.stopped();
    }
    return saveThenStop(1);
  }

  private Behavior<Command> saveThenStop(int attempt) {
    context.pipeToSelf(store.saveAll(stateWrites()),
        (done, error) -> new SavedBeforeStop(attempt, error));
    return Behaviors.receive(Command.class)
        .onMessage(SavedBeforeStop.class, saved -> {
          if (saved.failure() == null) {
            return Behaviors.stopped();
          }
          if (saved.attempt() >= 5) {
            log.error("Member {} stops without its last {} events durable: {} (the partition"
                + " replays them unless a checkpoint committed past them)", memberId,
                applied - appliedWhenDurable, saved.failure().toString());
            return Behaviors.stopped();
          }
          log.warn("Saving member {} before it stops failed (attempt {}): {}", memberId,
              saved.attempt(), saved.failure().toString());
          return saveThenStop(saved.attempt() + 1);
        })
        .onAnyMessage(message -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onCaptureState(CaptureState command) {
    command.replyTo().tell(new Captured(memberId, incarnation, applied,
        store == null || applied == appliedWhenDurable ? List.of() : stateWrites()));
    return this;
  }

  private Behavior<Command> onDurable(Durable durable) {
    if (durable.incarnation() != incarnation) {
      return this;
    }
    appliedWhenDurable = Math.max(appliedWhenDurable, durable.applied());
    return this;
  }

  /**
   * Every group's state to write now, with a Cassandra timestamp above any this member handed out
   * before (and, across incarnations, about the wall clock's), so the newest state wins however
   * the writes land.
   */
  private List<MemberStateStore.StateWrite> stateWrites() {
    lastWriteTime = Math.max(lastWriteTime + 1, System.currentTimeMillis() * 1000);
    List<MemberStateStore.StateWrite> writes = new ArrayList<>(states.length);
    for (MemberFeatureState state : states) {
      writes.add(new MemberStateStore.StateWrite(memberId, state.group().name(),
          state.group().version(), state.toBytes(), lastWriteTime));
    }
    return writes;
  }

  /** The position in {@link #states} of the group named {@code group}, or -1. */
  private int position(String group) {
    for (int i = 0; i < states.length; i++) {
      if (states[i].group().name().equals(group)) {
        return i;
      }
    }
    return -1;
  }

  private static long[] lastOffsets(MemberFeatureState state) {
    long[] offsets = new long[EventStream.count()];
    for (EventStream stream : EventStream.values()) {
      offsets[stream.ordinal()] = state.lastOffset(stream);
    }
    return offsets;
  }

  /** A hybrid clock: increases with every vector made, and across restarts with the wall clock. */
  private void nextSnapshotVersion() {
    snapshotVersion = Math.max(snapshotVersion + 1, System.currentTimeMillis() * 1000);
  }

  private StoredSnapshot snapshotOf(MemberFeatureState state, long now) {
    long asOf = Math.max(now, state.exactFrom());
    return StoredSnapshot.of(state.snapshot(asOf, System.currentTimeMillis()),
        state.group().version(), snapshotVersion, lastOffsets(state));
  }

  /**
   * Publishes every group as of {@code now}; returns what was published, in {@link #states} order.
   */
  private StoredSnapshot[] publish(long now) {
    nextSnapshotVersion();
    StoredSnapshot[] published = new StoredSnapshot[states.length];
    for (int i = 0; i < states.length; i++) {
      StoredSnapshot snapshot = snapshotOf(states[i], now);
      if (snapshot.watermark() != Long.MIN_VALUE) {
        // A member with no accepted event is not stored: probing unknown ids fills nothing.
        sink.publish(snapshot);
      }
      published[i] = snapshot;
    }
    return published;
  }
}
