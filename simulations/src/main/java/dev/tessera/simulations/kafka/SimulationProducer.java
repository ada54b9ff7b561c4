package dev.tessera.simulations.kafka;

import dev.tessera.simulations.generator.MemberProfile;
import dev.tessera.simulations.generator.ReferenceData;
import dev.tessera.simulations.generator.ReferenceJson;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Title;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends simulated records and reference data with an idempotent producer ({@code acks=all}), so a
 * retried send never duplicates a record: every duplicate in the raw topic is one the truth says.
 * Each raw record goes to its member's partition ({@link Partitioning}), whatever its key.
 */
public final class SimulationProducer implements AutoCloseable {

  private final KafkaProducer<byte[], byte[]> producer;

  private SimulationProducer(KafkaProducer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  public static SimulationProducer create(String bootstrapServers) {
    return create(bootstrapServers, Map.of());
  }

  /** A producer with extra client properties (they win over the defaults). */
  public static SimulationProducer create(String bootstrapServers, Map<String, Object> overrides) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "tessera-simulate");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.putAll(overrides);
    return new SimulationProducer(new KafkaProducer<>(props));
  }

  /** An admin client for {@link TopicSetup}, with short timeouts so a dead broker fails fast. */
  public static Admin admin(String bootstrapServers) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  /** Sends one raw record to its member's partition. */
  public Future<RecordMetadata> send(
      SimulatedRecord record, String topic, int partitions, Callback callback) {
    int partition = Partitioning.partition(record.memberId(), partitions);
    return producer.send(
        new ProducerRecord<>(topic, partition, record.key(), record.value()), callback);
  }

  /** Publishes the catalogue and the profiles to their topics and waits for every ack. */
  public void publishReference(ReferenceData reference, SimulationTopics topics) {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (Title t : reference.titles()) {
      acks.add(
          producer.send(
              new ProducerRecord<>(
                  topics.content(), ReferenceJson.key(t), ReferenceJson.value(t))));
    }
    for (MemberProfile m : reference.members()) {
      acks.add(
          producer.send(
              new ProducerRecord<>(
                  topics.profiles(), ReferenceJson.key(m), ReferenceJson.value(m))));
    }
    producer.flush();
    for (Future<RecordMetadata> ack : acks) {
      await(ack);
    }
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }

  /**
   * Produces records to a raw topic (created with {@value SimulationTopics#DEFAULT_RAW_PARTITIONS}
   * partitions if missing) and returns where each landed, in input order.
   */
  public static List<Delivered> produce(
      List<SimulatedRecord> records, String bootstrapServers, String topic) {
    int partitions;
    try (Admin admin = admin(bootstrapServers)) {
      partitions =
          TopicSetup.ensure(
              admin,
              new SimulationTopics(
                  topic,
                  SimulationTopics.DEFAULT_CONTENT,
                  SimulationTopics.DEFAULT_PROFILES,
                  SimulationTopics.DEFAULT_RAW_PARTITIONS));
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
    try (SimulationProducer producer = create(bootstrapServers)) {
      for (SimulatedRecord r : records) {
        acks.add(producer.send(r, topic, partitions, null));
      }
      producer.flush();
      List<Delivered> delivered = new ArrayList<>(records.size());
      for (int i = 0; i < records.size(); i++) {
        RecordMetadata m = await(acks.get(i));
        delivered.add(new Delivered(records.get(i), m.partition(), m.offset()));
      }
      return delivered;
    }
  }

  /** Creates the topics if missing and publishes the reference data. */
  public static void publishReference(
      ReferenceData reference, String bootstrapServers, SimulationTopics topics) {
    try (Admin admin = admin(bootstrapServers)) {
      TopicSetup.ensure(admin, topics);
    }
    try (SimulationProducer producer = create(bootstrapServers)) {
      producer.publishReference(reference, topics);
    }
  }

  private static RecordMetadata await(Future<RecordMetadata> ack) {
    try {
      return ack.get(2, java.util.concurrent.TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new SimulationException("send failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new SimulationException("send not acknowledged within 2 min", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SimulationException("interrupted while sending", e);
    }
  }
}
