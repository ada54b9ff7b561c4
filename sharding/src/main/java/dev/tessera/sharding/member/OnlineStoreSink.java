package dev.tessera.sharding.member;

import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.sharding.store.OnlineStore;
import dev.tessera.sharding.store.StoredSnapshot;
import org.apache.pekko.actor.typed.ActorRef;

/** Publishes member snapshots to the node's {@link OnlineStore}: one fire-and-forget put each. */
public final class OnlineStoreSink implements SnapshotSink {
  private final ActorRef<OnlineStore.Command> store;

  public OnlineStoreSink(ActorRef<OnlineStore.Command> store) {
    this.store = store;
  }

  @Override
  public void publish(
      FeatureSnapshot snapshot, int groupVersion, long snapshotVersion, long[] lastOffsets) {
    store.tell(new OnlineStore.Put(
        StoredSnapshot.of(snapshot, groupVersion, snapshotVersion, lastOffsets)));
  }
}
