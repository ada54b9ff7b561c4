package dev.tessera.serving.features;

import dev.tessera.sharding.store.Lookup;
import java.util.concurrent.CompletionStage;

/**
 * Where the HTTP layer reads a member's vector of one group as of about {@code now}: in a node,
 * {@code FeatureReader::read} (the local store replica, or the member's entity wherever its shard
 * lives). Never blocks the calling thread.
 */
@FunctionalInterface
public interface FeatureLookup {
  CompletionStage<Lookup> read(String memberId, String group, long now);
}
