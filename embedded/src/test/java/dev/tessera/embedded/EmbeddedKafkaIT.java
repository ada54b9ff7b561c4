package dev.tessera.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfrastructureExtension.class)
class EmbeddedKafkaIT {

  @Test
  void producedRecordsAreConsumedWithTheirKeysValuesAndPartitions(
      EmbeddedKafka kafka, TestNamespace names) throws Exception {
    String topic = names.topic("events");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
          .hasSize(3);
    }

    Map<String, String> sent = new HashMap<>();
    Map<String, Integer> sentPartition = new HashMap<>();
    try (KafkaProducer<String, String> producer = KafkaClients.producer(kafka)) {
      for (int i = 0; i < 200; i++) {
        String key = "member-" + (i % 17);
        String value = "{\"n\":" + i + "}";
        int partition = producer.send(new ProducerRecord<>(topic, key, value)).get().partition();
        sent.put(value, key);
        sentPartition.merge(key, partition, (a, b) -> {
          assertThat(a).as("one key, one partition").isEqualTo(b);
          return a;
        });
      }
    }

    Map<String, String> received = new HashMap<>();
    try (KafkaConsumer<String, String> consumer =
        KafkaClients.consumer(kafka, names.consumerGroup("reader"))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (received.size() < sent.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          received.put(record.value(), record.key());
          assertThat(record.partition()).isEqualTo(sentPartition.get(record.key()));
        }
      }
    }
    assertThat(received).isEqualTo(sent);
  }

  /** Small client factories for tests that talk to the broker directly. */
  static final class KafkaClients {
    static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
      Properties properties = new Properties();
      properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      properties.put(ProducerConfig.ACKS_CONFIG, "all");
      properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(EmbeddedKafka kafka, String group) {
      Properties properties = new Properties();
      properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }
  }
}
