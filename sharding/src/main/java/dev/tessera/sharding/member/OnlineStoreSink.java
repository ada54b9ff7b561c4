package dev.tessera.sharding.member;

import dev.tessera.sharding.store.SnapshotTable;
import dev.tessera.sharding.store.StoredSnapshot;
import java.util.Objects;

/**
 * Publishes member snapshots to the node's online store by putting them straight into its
 * thread-safe {@link SnapshotTable}: no message to the store's actor per snapshot.
 */
public final class OnlineStoreSink implements SnapshotSink {
  private final SnapshotTable table;

  public OnlineStoreSink(SnapshotTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public void publish(StoredSnapshot snapshot) {
    table.put(snapshot);
  }
}
