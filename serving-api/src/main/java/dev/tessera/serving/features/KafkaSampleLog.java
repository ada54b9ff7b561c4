package dev.tessera.serving.features;

import dev.tessera.engine.serving.ServedSample;
import dev.tessera.engine.serving.ServedSampleJson;
import dev.tessera.serving.ServingSettings;
import dev.tessera.sharding.store.StoredSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a hash-sampled share of served vectors to the {@code serving-samples} topic (key = member
 * id, value = {@link ServedSampleJson}) with each snapshot's {@code asOf} and per-stream applied
 * offsets, for batch's online/offline consistency job. The decision is {@link
 * ServedSample#sampled}: a hash of (member, asOf), the same on every node. Sending never blocks a
 * request: samples go through a bounded queue to one sending thread; a full queue drops the sample
 * (counted), never the answer.
 */
public final class KafkaSampleLog implements SampleLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaSampleLog.class);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final double rate;
  private final LongAdder sent = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(10_000), runnable -> {
        Thread thread = new Thread(runnable, "serving-samples");
        thread.setDaemon(true);
        return thread;
      }, (runnable, executor) -> dropped.increment());

  public KafkaSampleLog(String bootstrapServers, ServingSettings.Samples settings) {
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.CLIENT_ID_CONFIG, "tessera-serving-samples",
        ProducerConfig.ACKS_CONFIG, "1",
        ProducerConfig.LINGER_MS_CONFIG, 50,
        // Blocks only the sending thread (metadata, a full buffer), never a request.
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
        ProducerConfig.BUFFER_MEMORY_CONFIG, 8L << 20),
        new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = settings.topic();
    this.rate = settings.rate();
  }

  @Override
  public void served(StoredSnapshot snapshot, long servedAt) {
    if (!ServedSample.sampled(snapshot.memberId(), snapshot.asOf(), rate)) {
      return;
    }
    ServedSample sample = new ServedSample(snapshot.memberId(), snapshot.group(),
        snapshot.groupVersion(), snapshot.asOf(), servedAt, snapshot.lastOffsets(),
        snapshot.values());
    sender.execute(() -> send(snapshot.memberId(), sample));
  }

  private void send(String memberId, ServedSample sample) {
    try {
      producer.send(new ProducerRecord<>(topic,
          memberId.getBytes(StandardCharsets.UTF_8), ServedSampleJson.write(sample)),
          (metadata, error) -> {
            if (error == null) {
              sent.increment();
            } else {
              dropped.increment();
              log.debug("Served sample of {} not logged: {}", memberId,
                  error.toString());
            }
          });
    } catch (RuntimeException e) {
      dropped.increment();
    }
  }

  public long sent() {
    return sent.sum();
  }

  public long dropped() {
    return dropped.sum();
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
