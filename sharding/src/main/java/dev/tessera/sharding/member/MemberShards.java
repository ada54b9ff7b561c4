package dev.tessera.sharding.member;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Where a member lives: its shard id is the domain-topic partition that holds its events, by the
 * same hash as Kafka's default partitioner (murmur2 of the UTF-8 member id). With the shard
 * allocated to the node that consumes that partition, no event crosses the network between the
 * consumer and the member's actor.
 */
public final class MemberShards {
  private MemberShards() {}

  /** The partition (and so the shard) of a member among {@code partitions}. */
  public static int partitionOf(String memberId, int partitions) {
    return Utils.toPositive(Utils.murmur2(memberId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The sharding extractor that maps a member id to its partition's shard. */
  public static <M> ShardingMessageExtractor<ShardingEnvelope<M>, M> extractor(int partitions) {
    return new ShardingMessageExtractor<>() {
      @Override
      public String entityId(ShardingEnvelope<M> envelope) {
        return envelope.entityId();
      }

      @Override
      public String shardId(String entityId) {
        return Integer.toString(partitionOf(entityId, partitions));
      }

      @Override
      public M unwrapMessage(ShardingEnvelope<M> envelope) {
        return envelope.message();
      }
    };
  }
}
