package dev.tessera.serving.features;

import dev.tessera.sharding.store.StoredSnapshot;

/**
 * Receives every vector served with status PRESENT; an implementation keeps a hash-sampled share
 * (see {@code KafkaSampleLog}) for batch's online/offline consistency job. Must not block.
 */
@FunctionalInterface
public interface SampleLog {
  SampleLog NONE = (snapshot, servedAt) -> {};

  void served(StoredSnapshot snapshot, long servedAt);
}
