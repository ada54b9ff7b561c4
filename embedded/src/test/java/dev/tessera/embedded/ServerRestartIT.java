package dev.tessera.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.tessera.embedded.EmbeddedKafkaIT.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers of its own (not the shared pair): stops and restarts them on the same data directory. */
class ServerRestartIT {

  @Test
  void restartOnTheSameDataDirectoryKeepsTopicsOffsetsAndRows(@TempDir Path tmp) throws Exception {
    EmbeddedSettings settings = EmbeddedSettings.load().withDataDir(tmp.resolve("data")).withFreePorts();
    TopicPartition partition = new TopicPartition("kept-events", 0);

    try (LocalInfrastructure first = LocalInfrastructure.start(settings, true)) {
      System.out.println("first start took " + first.startupTime().toMillis() + " ms");
      assertThat(first.startupTime()).isLessThan(Duration.ofSeconds(60));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", first.kafka().bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(partition.topic(), 1, (short) 1))).all().get();
      }
      try (KafkaProducer<String, String> producer = KafkaClients.producer(first.kafka())) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>(partition.topic(), "m" + i, "event-" + i)).get();
        }
      }
      try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(first.kafka(), "keeper")) {
        consumer.assign(List.of(partition));
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(4)));
      }
      try (CqlSession session = first.cassandra().newSession()) {
        session.execute("CREATE KEYSPACE kept WITH replication ="
            + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute("CREATE TABLE kept.snapshots (member_id text PRIMARY KEY, version bigint)");
        session.execute("INSERT INTO kept.snapshots (member_id, version) VALUES ('m1', 41)");
        session.execute("INSERT INTO kept.snapshots (member_id, version) VALUES ('m2', 42)");
      }
    }
    assertThat(Files.exists(settings.kafkaDir().resolve("kafka.pid"))).isFalse();
    assertThat(Ports.isListening(settings.host(), settings.kafka().port())).isFalse();
    assertThat(Ports.isListening(settings.host(), settings.cassandra().port())).isFalse();

    try (LocalInfrastructure second = LocalInfrastructure.start(settings, true)) {
      System.out.println("restart took " + second.startupTime().toMillis() + " ms");
      try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(second.kafka(), "keeper")) {
        assertThat(consumer.committed(java.util.Set.of(partition)).get(partition).offset())
            .isEqualTo(4);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < 10 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            values.add(record.value());
          }
        }
        assertThat(values).containsExactly("event-0", "event-1", "event-2", "event-3", "event-4",
            "event-5", "event-6", "event-7", "event-8", "event-9");
      }
      try (CqlSession session = second.cassandra().newSession()) {
        assertThat(session.execute("SELECT version FROM kept.snapshots WHERE member_id = 'm2'")
            .one().getLong(0)).isEqualTo(42L);
        assertThat(session.execute("SELECT count(*) FROM kept.snapshots").one().getLong(0))
            .isEqualTo(2L);
      }
    }
  }
}
