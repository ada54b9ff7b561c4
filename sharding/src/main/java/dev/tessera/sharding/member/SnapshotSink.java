package dev.tessera.sharding.member;

import dev.tessera.engine.state.FeatureSnapshot;

/**
 * Where a member entity publishes its snapshots: the node's online store in production, a
 * collecting fake in tests. Called on the entity's thread; must not block.
 */
@FunctionalInterface
public interface SnapshotSink {

  /**
   * @param snapshotVersion increases with every publication of this member and group
   * @param lastOffsets the last applied offset of each stream, by {@code EventStream} ordinal
   */
  void publish(FeatureSnapshot snapshot, int groupVersion, long snapshotVersion, long[] lastOffsets);

  /** A sink that drops everything. */
  static SnapshotSink none() {
    return (snapshot, groupVersion, snapshotVersion, lastOffsets) -> {};
  }
}
