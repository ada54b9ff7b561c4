package dev.tessera.batch.signal;

import dev.tessera.batch.BatchSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a job's workflow signal, synchronously (the job is done only once the broker has it). */
public final class SignalEmitter {
  private static final Logger log = LoggerFactory.getLogger(SignalEmitter.class);

  // The CLI runs one job per JVM: its --result file is the payload of the signal it announced.
  private static volatile WorkflowSignal lastAnnounced;

  private SignalEmitter() {}

  /** The signal the job announced last (sent or, with emit-signals off, only logged); or null. */
  public static WorkflowSignal lastAnnounced() {
    return lastAnnounced;
  }

  /** Sends the signal, or only logs it when {@code kafka.emit-signals} is off. */
  public static void emit(BatchSettings.Kafka kafka, WorkflowSignal signal) {
    lastAnnounced = signal;
    if (!kafka.emitSignals()) {
      log.info("signal {} not sent (tessera.batch.kafka.emit-signals = false)", signal.id());
      return;
    }
    ensureTopic(kafka);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(kafka.signalsTopic(),
          signal.id().getBytes(StandardCharsets.UTF_8), signal.toJson())).get(40, TimeUnit.SECONDS);
      log.info("signal {} sent to {}", signal.id(), kafka.signalsTopic());
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot send workflow signal " + signal.id() + " to "
          + kafka.signalsTopic() + " at " + kafka.bootstrapServers() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending " + signal.id(), e);
    }
  }

  /**
   * Creates the signals topic when the broker does not have it (brokers here run with topic
   * auto-creation off): one partition, the broker's default replication. A topic created
   * concurrently by someone else is fine.
   */
  private static void ensureTopic(BatchSettings.Kafka kafka) {
    String topic = kafka.signalsTopic();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
      if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        return;
      }
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())))
          .all().get(30, TimeUnit.SECONDS);
      log.info("created topic {}", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create the signals topic " + topic + " at "
            + kafka.bootstrapServers() + ": " + e.getCause().getMessage(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot reach " + kafka.bootstrapServers()
          + " to check the signals topic " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking " + topic, e);
    }
  }
}
