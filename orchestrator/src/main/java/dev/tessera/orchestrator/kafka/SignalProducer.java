package dev.tessera.orchestrator.kafka;

import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalJson;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes signals the workflows emit to the {@code workflow-signals} topic (key = signal id, value
 * = signal JSON), idempotent producer, for consumers outside this node. Fire and forget: the hub
 * already has the signal; a failed send is logged.
 */
public final class SignalProducer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SignalProducer.class);

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;

  public SignalProducer(String bootstrapServers, String topic) {
    this.topic = topic;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
  }

  public void send(Signal signal) {
    producer.send(new ProducerRecord<>(topic, signal.id(), SignalJson.toJson(signal)),
        (metadata, error) -> {
          if (error != null) {
            log.warn("Signal {} not written to {}: {}", signal.id(), topic, error.toString());
          }
        });
  }

  @Override
  public void close() {
    producer.close();
  }
}
