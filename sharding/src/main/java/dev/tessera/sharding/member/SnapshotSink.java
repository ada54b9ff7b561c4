package dev.tessera.sharding.member;

import dev.tessera.sharding.store.StoredSnapshot;

/**
 * Where a member entity publishes its snapshots: the node's online store in production, a
 * collecting fake in tests. Called on the entity's thread; must not block.
 */
@FunctionalInterface
public interface SnapshotSink {

  /** Publishes one group's snapshot; its {@code snapshotVersion} increases with every one. */
  void publish(StoredSnapshot snapshot);

  /** A sink that drops everything. */
  static SnapshotSink none() {
    return snapshot -> {};
  }
}
