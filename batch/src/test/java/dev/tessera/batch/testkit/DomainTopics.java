package dev.tessera.batch.testkit;

import dev.tessera.batch.backfill.TimedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.EventStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Real domain topics for the integration tests: created with {@link DomainLog#PARTITIONS}
 * partitions, written the way ingestion writes them (key = member id, value = {@link
 * EnrichedEventJson}, each record on its member's murmur2 partition, in Kafka transactions).
 */
public final class DomainTopics {
  private DomainTopics() {}

  public static void create(String bootstrap, String prefix, String... extra) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    for (EventStream s : EventStream.values()) {
      topics.add(new NewTopic(prefix + s.wireName(), DomainLog.PARTITIONS, (short) 1));
    }
    for (String t : extra) {
      topics.add(new NewTopic(prefix + t, 1, (short) 1));
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(topics).all().get();
    }
  }

  /**
   * Writes the records in one transaction, committed or aborted, and returns them with the offsets
   * Kafka gave them (transaction markers take offsets too).
   */
  public static List<DomainLog.Record> produce(
      String bootstrap, String prefix, List<DomainLog.Record> records, boolean commit)
      throws InterruptedException, ExecutionException {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "batch-test-" + UUID.randomUUID());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    List<DomainLog.Record> out = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (DomainLog.Record r : records) {
        TimedEvent e = r.event();
        sent.add(producer.send(new ProducerRecord<>(prefix + r.topic(), e.partition(),
            r.memberId().getBytes(StandardCharsets.UTF_8),
            EnrichedEventJson.encode(e.event(), e.ingestedAt(), null, null))));
      }
      producer.flush();
      for (int i = 0; i < records.size(); i++) {
        RecordMetadata m = sent.get(i).get();
        TimedEvent e = records.get(i).event();
        out.add(new DomainLog.Record(records.get(i).topic(),
            new TimedEvent(e.event(), m.partition(), m.offset(), e.ingestedAt())));
      }
      if (commit) {
        producer.commitTransaction();
      } else {
        producer.abortTransaction();
      }
    }
    return out;
  }
}
