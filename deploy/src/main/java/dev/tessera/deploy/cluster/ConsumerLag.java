package dev.tessera.deploy.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** A consumer group's lag: committed records behind the end of each partition, summed. */
public final class ConsumerLag implements AutoCloseable {
  private final Admin admin;

  public ConsumerLag(String bootstrap) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000));
  }

  /** Records of {@code topics} (each with {@code partitions}) not yet committed by {@code group}. */
  public long lag(String group, Iterable<String> topics, int partitions) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : topics) {
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    all.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .all().get(5, TimeUnit.SECONDS);
    long lag = 0;
    for (TopicPartition tp : all) {
      OffsetAndMetadata offset = committed.get(tp);
      lag += Math.max(0, ends.get(tp).offset() - (offset == null ? 0 : offset.offset()));
    }
    return lag;
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
