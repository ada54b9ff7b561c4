package dev.tessera.sharding.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ReferenceCache} equal to the two compacted reference topics: reads every
 * partition from the beginning (no consumer group, nothing committed), reports when it has read up
 * to the end offsets it saw at start, then follows new records until stopped.
 *
 * <p>Runs on a thread of its own: Kafka's consumer blocks in poll, and no dispatcher thread may.
 */
public final class ReferenceLoader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReferenceLoader.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ReferenceCache cache;
  private final IngestSettings settings;
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;

  private ReferenceLoader(String bootstrapServers, IngestSettings settings, ReferenceCache cache) {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.cache = cache;
    this.settings = settings;
    this.thread = new Thread(this::run, "tessera-reference-loader");
    this.thread.setDaemon(true);
  }

  /** Starts following both reference topics into {@code cache}. */
  public static ReferenceLoader start(
      String bootstrapServers, IngestSettings settings, ReferenceCache cache) {
    ReferenceLoader loader = new ReferenceLoader(bootstrapServers, settings, cache);
    loader.thread.start();
    return loader;
  }

  /** Completes when everything present at start has been read into the cache. */
  public CompletableFuture<Void> caughtUp() {
    return caughtUp;
  }

  /** Waits for {@link #caughtUp()}, failing with the setting's name after its timeout. */
  public void awaitCaughtUp() {
    try {
      caughtUp.get(settings.referenceLoadTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("The reference topics were not read within "
          + settings.referenceLoadTimeout().toSeconds() + " s (tessera.ingest.reference-load-timeout)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while loading reference data", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("Loading reference data failed: " + e.getCause().getMessage(),
          e.getCause());
    }
  }

  private void run() {
    try {
      Map<TopicPartition, Long> endAtStart = assignFromBeginning();
      long backoffMillis = 500;
      while (running) {
        try {
          pollOnce(endAtStart);
          backoffMillis = 500;
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // The poll loop must outlive a bad moment: enrichment keeps using what is loaded.
          log.warn("Reading reference data failed; retrying in {} ms", backoffMillis, e);
          Thread.sleep(backoffMillis);
          backoffMillis = Math.min(30_000, backoffMillis * 2);
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("Cannot read the reference topics", e);
      caughtUp.completeExceptionally(e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private Map<TopicPartition, Long> assignFromBeginning() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(settings.contentMetadataTopic(), settings.memberProfilesTopic())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("reference topic " + topic + " does not exist");
      }
      infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer.endOffsets(partitions, Duration.ofSeconds(30));
  }

  private void pollOnce(Map<TopicPartition, Long> endAtStart) {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      if (record.topic().equals(settings.contentMetadataTopic())) {
        cache.applyContent(record.key(), record.value());
      } else {
        cache.applyProfile(record.key(), record.value());
      }
    }
    if (!caughtUp.isDone() && endAtStart.entrySet().stream()
        .allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
      log.info("Reference data loaded: {} titles, {} member profiles", cache.titleCount(),
          cache.memberCount());
      caughtUp.complete(null);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
