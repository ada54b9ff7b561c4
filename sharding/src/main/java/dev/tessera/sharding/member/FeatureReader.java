package dev.tessera.sharding.member;

import dev.tessera.sharding.store.Lookup;
import dev.tessera.sharding.store.SnapshotTable;
import dev.tessera.sharding.store.StoredSnapshot;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * Reads a member's features at {@code now}: from the online store when its vector is at most
 * {@code maxAge} old (the shortest window's hop, 1 s by default), else from the member's entity,
 * which publishes a vector as of {@code now}. Windows slide with the clock, so a member who stopped
 * watching an hour ago reads {@code plays_1h = 0}, not the value of its last event.
 *
 * <p>Outcomes: {@link Lookup.Present} (fresh), {@link Lookup.Expired} (past the group's TTL: no
 * refresh can change that), {@link Lookup.NotFound} (no accepted event). Never blocks a thread.
 */
public final class FeatureReader {
  private final ActorSystem<?> system;
  private final SnapshotTable table;
  private final Function<String, RecipientRef<MemberFeatures.Command>> entities;
  private final long maxAgeMs;
  private final Duration askTimeout;

  public FeatureReader(ActorSystem<?> system, SnapshotTable table,
      Function<String, RecipientRef<MemberFeatures.Command>> entities, Duration maxAge,
      Duration askTimeout) {
    this.system = system;
    this.table = table;
    this.entities = entities;
    this.maxAgeMs = maxAge.toMillis();
    this.askTimeout = askTimeout;
  }

  /** A reader over the sharded member entities of this cluster. */
  public static FeatureReader sharded(ActorSystem<?> system, SnapshotTable table, Duration maxAge,
      Duration askTimeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return new FeatureReader(system, table,
        memberId -> sharding.entityRefFor(MemberFeatures.ENTITY_KEY, memberId), maxAge,
        askTimeout);
  }

  /** The member's vector of {@code group} as of about {@code now} (never older than maxAge). */
  public CompletionStage<Lookup> read(String memberId, String group, long now) {
    Lookup stored = table.get(memberId, group, now);
    if (stored instanceof Lookup.Expired) {
      return CompletableFuture.completedFuture(stored);
    }
    if (stored instanceof Lookup.Present present && now - present.snapshot().asOf() <= maxAgeMs) {
      return CompletableFuture.completedFuture(stored);
    }
    CompletionStage<StoredSnapshot> refreshed = AskPattern.askWithStatus(
        entities.apply(memberId),
        (org.apache.pekko.actor.typed.ActorRef<StatusReply<StoredSnapshot>> replyTo) ->
            new MemberFeatures.Refresh(group, now, replyTo),
        askTimeout, system.scheduler());
    // The ask's stage (Scala's future as a CompletionStage) runs every dependent stage
    // asynchronously on ForkJoinPool.commonPool: one more pool of threads to wake per read, and
    // JDK 17's common pool clears a thread's locals after each task, so Jackson's per-thread
    // buffers (12 KB a response) were made anew each time. The entity's answer is continued on
    // the actor system's dispatcher instead; what depends on the returned stage runs there too.
    return refreshed.thenApplyAsync(snapshot -> {
      if (snapshot.watermark() == Long.MIN_VALUE) {
        return Lookup.NotFound.INSTANCE;
      }
      return now >= snapshot.expiresAt() ? new Lookup.Expired(snapshot)
          : new Lookup.Present(snapshot);
    }, system.executionContext());
  }
}
