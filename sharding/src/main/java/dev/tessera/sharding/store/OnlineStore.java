package dev.tessera.sharding.store;

import dev.tessera.sharding.CborSerializable;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The node's online store: the latest feature snapshot per {@code (memberId, group)} of the members
 * whose entities live on this node. One per node; owns its {@link SnapshotTable}'s expiry.
 *
 * <p>Protocol: {@link Put} stores a snapshot unless the key holds an equal or newer {@code
 * snapshotVersion} (no reply); {@link Get} replies with the key's {@link Lookup} at the caller's
 * {@code now}; {@link GetStats} replies with sizes and counters. In-process readers and writers
 * (the member entities, through {@code OnlineStoreSink}) skip the actor and use the shared,
 * thread-safe {@link SnapshotTable} directly; {@code Put} and {@code Get} are for remote or uniform
 * access.
 *
 * <p>Expiry: a timer sweeps every {@link StoreSettings#sweepInterval()} and evicts the keys whose
 * {@code expiresAt <= System.currentTimeMillis()}: expiry is wall-clock epoch millis on the
 * node, compared with {@code expiresAt} (the last accepted event time plus the group's TTL). Reads
 * use the {@code now} their caller passes. A full table evicts the soonest-expiring keys.
 *
 * <p>Not persistent and not sharded: the store lives in this node's memory only. After a restart
 * or a rebalance the member entities re-publish their snapshots (they hold the durable state).
 */
public final class OnlineStore extends AbstractBehavior<OnlineStore.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Store a snapshot (no reply). */
  public record Put(StoredSnapshot snapshot) implements Command {
    public Put {
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /** Read a key at {@code now} (epoch millis). */
  public record Get(String memberId, String group, long now, ActorRef<Lookup> replyTo)
      implements Command {
    public Get {
      Objects.requireNonNull(memberId, "memberId");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  public record GetStats(ActorRef<Stats> replyTo) implements Command {
    public GetStats {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The store's size and counters since it started.
   *
   * @param entries keys held
   * @param approximateBytes estimated heap of the held keys ({@link
   *     SnapshotTable#approximateBytes()})
   * @param puts {@link Put}s received, stored or not
   * @param staleRejected puts refused because the key held an equal or newer version
   * @param evicted keys evicted by the sweep because they expired
   * @param evictedForCapacity keys evicted (or new keys refused) because the table was full
   */
  public record Stats(
      int entries,
      long approximateBytes,
      long puts,
      long staleRejected,
      long evicted,
      long evictedForCapacity)
      implements CborSerializable {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private final SnapshotTable table;

  private OnlineStore(ActorContext<Command> context, SnapshotTable table) {
    super(context);
    this.table = table;
  }

  /**
   * The store writing to {@code table}, which the node shares with its in-process readers. The
   * table's own {@code maxEntries} bounds it (build it with {@link StoreSettings#maxEntries()}).
   */
  public static Behavior<Command> create(StoreSettings settings, SnapshotTable table) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(table, "table");
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      start(context, timers, settings, table);
      return new OnlineStore(context, table);
    }));
  }

  private static void start(ActorContext<Command> context, TimerScheduler<Command> timers,
      StoreSettings settings, SnapshotTable table) {
    timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.sweepInterval());
    if (table.maxEntries() != settings.maxEntries() || table.maxBytes() != settings.maxBytes()) {
      context.getLog().warn("Online store table holds at most {} keys and {} bytes, not the"
              + " configured {} and {}", table.maxEntries(), table.maxBytes(),
          settings.maxEntries(), settings.maxBytes());
    }
    context.getLog().info("Online store started: at most {} keys and {} MiB of them (estimated),"
            + " expired ones swept every {}", table.maxEntries(), table.maxBytes() >> 20,
        settings.sweepInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Put.class, this::onPut)
        .onMessage(Get.class, this::onGet)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .build();
  }

  private Behavior<Command> onPut(Put put) {
    table.put(put.snapshot());
    return this;
  }

  private Behavior<Command> onGet(Get get) {
    get.replyTo().tell(table.get(get.memberId(), get.group(), get.now()));
    return this;
  }

  private Behavior<Command> onGetStats(GetStats get) {
    get.replyTo().tell(new Stats(table.size(), table.approximateBytes(), table.puts(),
        table.staleRejected(), table.evicted(), table.evictedForCapacity()));
    return this;
  }

  private Behavior<Command> onSweep() {
    int evicted = table.evictExpired(System.currentTimeMillis());
    if (evicted > 0) {
      getContext().getLog().debug("Online store evicted {} expired keys, {} left", evicted,
          table.size());
    }
    return this;
  }
}
