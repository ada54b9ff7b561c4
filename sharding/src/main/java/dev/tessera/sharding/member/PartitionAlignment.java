package dev.tessera.sharding.member;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.kafka.RestrictedConsumer;
import org.apache.pekko.kafka.javadsl.PartitionAssignmentHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves shards with their partitions: when the consumer group assigns domain partitions to this
 * node, the shards of the same numbers are placed here through Pekko's external shard allocation.
 * The small equivalent of pekko-connectors-kafka-cluster-sharding, which is not published here.
 */
public final class PartitionAlignment implements PartitionAssignmentHandler {
  private static final Logger log = LoggerFactory.getLogger(PartitionAlignment.class);

  private final ExternalShardAllocationClient client;
  private final Address self;

  public PartitionAlignment(ActorSystem<?> system, String entityTypeName) {
    this.client = ExternalShardAllocation.get(system).getClient(entityTypeName);
    this.self = Cluster.get(system).selfMember().address();
  }

  @Override
  public void onAssign(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
    Map<String, Address> locations = new HashMap<>();
    partitions.forEach(p -> locations.put(Integer.toString(p.partition()), self));
    if (!locations.isEmpty()) {
      client.setShardLocations(locations).whenComplete((done, error) -> {
        if (error != null) {
          log.warn("Could not place shards {} on {}: {}", locations.keySet(), self, error.toString());
        }
      });
      log.info("Partitions {} assigned: their shards now live on {}", locations.keySet(), self);
    }
  }

  @Override
  public void onRevoke(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
    // The node that receives them places their shards.
  }

  @Override
  public void onLost(Set<TopicPartition> partitions, RestrictedConsumer consumer) {}

  @Override
  public void onStop(Set<TopicPartition> partitions, RestrictedConsumer consumer) {}
}
