package dev.tessera.sharding.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a raw partition's duplicate filter when the pipeline (re)starts consuming it: replays
 * the partition's records from {@code firstTimestamp - window} up to the first offset to process.
 * Without it, a duplicate whose first copy was processed before a crash would pass after it, and
 * the outputs would depend on where the crash happened.
 *
 * <p>Blocks while it reads: the stage that calls it runs on a dispatcher of its own, and it runs
 * only once per partition assignment.
 */
final class DedupRebuilder {
  private static final Logger log = LoggerFactory.getLogger(DedupRebuilder.class);

  private final String bootstrapServers;
  private final long windowMs;

  DedupRebuilder(String bootstrapServers, Duration window) {
    this.bootstrapServers = bootstrapServers;
    this.windowMs = window.toMillis();
  }

  /**
   * Feeds {@code router} the records of {@code partition} that can still make a later record a
   * duplicate: those with a timestamp at or after {@code firstTimestamp - window} and an offset
   * below {@code firstOffset}.
   */
  void rebuild(IngestRouter router, TopicPartition partition, long firstOffset, long firstTimestamp) {
    long started = System.nanoTime();
    long replayed = 0;
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(
          Map.of(partition, Math.max(0, firstTimestamp - windowMs)), Duration.ofSeconds(30));
      OffsetAndTimestamp from = start.get(partition);
      long startOffset = from == null ? firstOffset : Math.min(from.offset(), firstOffset);
      consumer.seek(partition, startOffset);
      while (consumer.position(partition) < firstOffset) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() < firstOffset) {
            router.replay(record);
            replayed++;
          }
        }
      }
    }
    router.rebuilt(partition.partition());
    log.info("Rebuilt the duplicate filter of {} from {} records in {} ms", partition, replayed,
        (System.nanoTime() - started) / 1_000_000);
  }
}
