package dev.tessera.sharding.ingest;

import static dev.tessera.sharding.ingest.IngestTestKit.header;
import static dev.tessera.sharding.ingest.IngestTestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.ReasonCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalInfrastructureExtension.class)
class IngestPipelineIT {
  private final ActorSystem<Void> system =
      ActorSystem.create(Behaviors.empty(), "ingest-test", ConfigFactory.load());
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /** One raw record to send, to an explicit partition so duplicates meet their first copy. */
  private record Raw(int partition, byte[] key, byte[] value) {}

  private static String event(String id, String member, String type, String extra) {
    return "{\"eventId\":\"" + id + "\",\"memberId\":\"" + member + "\",\"type\":\"" + type
        + "\",\"eventTime\":" + (System.currentTimeMillis() - 1000) + extra + "}";
  }

  @Test
  void routesValidEventsEnrichedDropsDuplicatesAndDeadLettersEveryMalformedShape(
      EmbeddedKafka kafka, TestNamespace names) throws Exception {
    IngestSettings settings = IngestSettings.create(ConfigFactory.load()).withPrefix(names.prefix() + "-");
    String bootstrap = kafka.bootstrapServers();
    TopicSetup.ensure(bootstrap, settings);
    try (KafkaProducer<byte[], byte[]> producer = IngestTestKit.producer(bootstrap)) {
      producer.send(new ProducerRecord<>(settings.contentMetadataTopic(), utf8("t1"),
          utf8("{\"titleId\":\"t1\",\"genres\":[\"drama\",\"comedy\"],\"durationSeconds\":5400,"
              + "\"releaseDate\":\"2019-04-12\"}"))).get();
      producer.send(new ProducerRecord<>(settings.contentMetadataTopic(), utf8("t2"),
          utf8("{\"titleId\":\"t2\",\"genres\":[\"documentary\"],\"durationSeconds\":3000}"))).get();
      producer.send(new ProducerRecord<>(settings.memberProfilesTopic(), utf8("m1"),
          utf8("{\"memberId\":\"m1\",\"country\":\"NL\",\"plan\":\"premium\",\"signupDate\":\"2023-01-30\"}"))).get();
    }

    List<Raw> raws = new ArrayList<>();
    Map<String, String> expectedStream = new HashMap<>();
    raws.add(new Raw(0, utf8("m1"), utf8(event("v1", "m1", "play", ",\"titleId\":\"t1\""))));
    raws.add(new Raw(0, null, utf8(event("v2", "m1", "stop", ",\"titleId\":\"t1\",\"watchedSeconds\":1200"))));
    raws.add(new Raw(1, utf8("someone-else"), utf8(event("v3", "m2", "click", ",\"titleId\":\"t404\""))));
    raws.add(new Raw(1, utf8("m2"), utf8(event("v4", "m2", "search", ",\"query\":\"space docs\""))));
    raws.add(new Raw(2, utf8("m3"), utf8(event("v5", "m3", "rate", ",\"titleId\":\"t2\",\"rating\":4"))));
    raws.add(new Raw(2, utf8("m3"), utf8(event("v6", "m3", "device",
        ",\"bandwidthKbps\":5400,\"latencyMs\":31,\"resolution\":\"1080p\""))));
    raws.add(new Raw(2, utf8("m3"), utf8(event("v7", "m3", "impression", ",\"titleId\":\"t2\""))));
    raws.add(new Raw(3, utf8("m4"), utf8(event("v8", "m4", "scroll", ""))));
    expectedStream.putAll(Map.of("v1", "views", "v2", "views", "v3", "engagement", "v4", "search",
        "v5", "ratings", "v6", "device", "v7", "engagement", "v8", "engagement"));
    // Exact re-sends to the same partition: dropped.
    raws.add(new Raw(0, utf8("m1"), raws.get(0).value()));
    raws.add(new Raw(2, utf8("m3"), raws.get(4).value()));
    // Every malformed shape: each must reach the dead-letter topic with its reason.
    Map<Integer, ReasonCode> expectedReason = new HashMap<>();
    Object[][] malformed = {
        {"{\"eventId\":\"x1\",\"memberId\":", ReasonCode.MALFORMED_JSON},
        {"", ReasonCode.MALFORMED_JSON},
        {"{\"eventId\":\"x3\",\"type\":\"play\",\"eventTime\":1,\"titleId\":\"t1\"}", ReasonCode.MISSING_FIELD},
        {event("x4", "m1", "PLAY", ",\"titleId\":\"t1\""), ReasonCode.BAD_TYPE},
        {"{\"eventId\":\"x5\",\"memberId\":\"m1\",\"type\":\"play\",\"eventTime\":\"yesterday\",\"titleId\":\"t1\"}",
            ReasonCode.BAD_TYPE},
        {event("x6", "m1", "rate", ",\"titleId\":\"t1\",\"rating\":9"), ReasonCode.OUT_OF_RANGE},
        {"{\"eventId\":\"x7\",\"memberId\":\"m1\",\"type\":\"play\",\"eventTime\":"
            + (System.currentTimeMillis() + 3_600_000) + ",\"titleId\":\"t1\"}", ReasonCode.FUTURE_EVENT},
        {"{\"pad\":\"" + "a".repeat(70_000) + "\"}", ReasonCode.TOO_LARGE},
        {event("x9", "m1", "play", ",\"titleId\":\"t1\",\"schemaVersion\":7"), ReasonCode.UNSUPPORTED_SCHEMA_VERSION},
    };
    for (Object[] bad : malformed) {
      expectedReason.put(raws.size(), (ReasonCode) bad[1]);
      raws.add(new Raw(raws.size() % 3, null, utf8((String) bad[0])));
    }
    expectedReason.put(raws.size(), ReasonCode.MALFORMED_JSON);
    raws.add(new Raw(1, utf8("m9"), new byte[] {(byte) 0xC3, 0x28, 0x00, (byte) 0xFF}));
    expectedReason.put(raws.size(), ReasonCode.MALFORMED_JSON);
    raws.add(new Raw(1, utf8("m9"), null));

    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references);
    toClose.add(loader);
    loader.awaitCaughtUp();
    IngestMetrics metrics = new IngestMetrics();
    IngestPipeline pipeline = IngestPipeline.start(system, bootstrap, settings, references, metrics,
        settings.transactionalId());
    toClose.add(() -> pipeline.drainAndShutdown().toCompletableFuture().join());

    try (KafkaProducer<byte[], byte[]> producer = IngestTestKit.producer(bootstrap)) {
      for (Raw raw : raws) {
        producer.send(new ProducerRecord<>(settings.rawTopic(), raw.partition(), raw.key(), raw.value())).get();
      }
    }

    List<String> domainTopics = new ArrayList<>(settings.domainTopics().values());
    List<ConsumerRecord<byte[], byte[]>> domain = IngestTestKit.awaitCommitted(bootstrap,
        domainTopics, r -> r.size() >= 8, Duration.ofSeconds(60));
    List<ConsumerRecord<byte[], byte[]>> dlq = IngestTestKit.awaitCommitted(bootstrap,
        List.of(settings.deadLetterTopic()), r -> r.size() >= expectedReason.size(), Duration.ofSeconds(30));

    Map<String, ConsumerRecord<byte[], byte[]>> byId = domain.stream()
        .collect(Collectors.toMap(IngestTestKit::eventId, r -> r));
    assertThat(domain).hasSize(8);
    assertThat(byId.keySet()).isEqualTo(expectedStream.keySet());
    byId.forEach((id, record) -> {
      EnrichedEventJson.Decoded decoded = EnrichedEventJson.decode(record.value());
      assertThat(record.topic()).isEqualTo(names.prefix() + "-" + expectedStream.get(id));
      assertThat(new String(record.key())).as("re-keyed by the body's memberId")
          .isEqualTo(decoded.event().memberId());
      assertThat(decoded.ingestedAt()).isEqualTo(record.timestamp()).isPositive();
    });
    assertThat(decode(byId, "v1").event().genres()).containsExactly("drama", "comedy");
    assertThat(decode(byId, "v1").country()).isEqualTo("NL");
    assertThat(decode(byId, "v1").plan()).isEqualTo("premium");
    assertThat(decode(byId, "v2").event().event().watchedSeconds()).isEqualTo(1200);
    assertThat(decode(byId, "v3").event().unknownTitle()).isTrue();
    assertThat(decode(byId, "v3").event().genres()).isEmpty();
    assertThat(decode(byId, "v3").country()).isNull();
    assertThat(decode(byId, "v5").event().genres()).containsExactly("documentary");
    assertThat(decode(byId, "v6").event().event().resolution()).isEqualTo("1080p");

    assertThat(dlq).hasSize(expectedReason.size());
    Set<Integer> seenRaw = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> dead : dlq) {
      int index = rawIndex(raws, dead);
      seenRaw.add(index);
      assertThat(header(dead, IngestRouter.DLQ_REASONS).split(","))
          .as("reasons of raw record %d", index).contains(expectedReason.get(index).name());
      assertThat(header(dead, IngestRouter.SOURCE_TOPIC)).isEqualTo(settings.rawTopic());
      assertThat(Integer.parseInt(header(dead, IngestRouter.SOURCE_PARTITION)))
          .isEqualTo(raws.get(index).partition());
      assertThat(header(dead, IngestRouter.DLQ_DETAIL)).isNotBlank();
    }
    assertThat(seenRaw).isEqualTo(expectedReason.keySet());

    assertThat(metrics.recordsIn()).isEqualTo(raws.size());
    assertThat(metrics.duplicatesDropped()).isEqualTo(2);
    assertThat(metrics.invalid()).isEqualTo(expectedReason.size());
    assertThat(metrics.titleMisses()).isEqualTo(1);
    assertThat(metrics.routed().get(EventStream.ENGAGEMENT)).isEqualTo(3);
  }

  @Test
  void aContentUpdateMidStreamChangesTheEnrichmentOfLaterEvents(
      EmbeddedKafka kafka, TestNamespace names) throws Exception {
    IngestSettings settings = IngestSettings.create(ConfigFactory.load()).withPrefix(names.prefix() + "-");
    String bootstrap = kafka.bootstrapServers();
    TopicSetup.ensure(bootstrap, settings);
    List<String> domainTopics = new ArrayList<>(settings.domainTopics().values());
    try (KafkaProducer<byte[], byte[]> producer = IngestTestKit.producer(bootstrap)) {
      producer.send(new ProducerRecord<>(settings.contentMetadataTopic(), utf8("t1"),
          utf8("{\"titleId\":\"t1\",\"genres\":[\"drama\"],\"durationSeconds\":5400}"))).get();
      ReferenceCache references = new ReferenceCache(new ObjectMapper());
      ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references);
      toClose.add(loader);
      loader.awaitCaughtUp();
      IngestPipeline pipeline = IngestPipeline.start(system, bootstrap, settings, references,
          new IngestMetrics(), settings.transactionalId());
      toClose.add(() -> pipeline.drainAndShutdown().toCompletableFuture().join());

      producer.send(new ProducerRecord<>(settings.rawTopic(), utf8("m1"),
          utf8(event("before", "m1", "play", ",\"titleId\":\"t1\"")))).get();
      IngestTestKit.awaitCommitted(bootstrap, domainTopics, r -> r.size() >= 1, Duration.ofSeconds(60));

      producer.send(new ProducerRecord<>(settings.contentMetadataTopic(), utf8("t1"),
          utf8("{\"titleId\":\"t1\",\"genres\":[\"thriller\",\"crime\"],\"durationSeconds\":5400}"))).get();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!references.find("t1").orElseThrow().genres().contains("thriller")
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      producer.send(new ProducerRecord<>(settings.rawTopic(), utf8("m1"),
          utf8(event("after", "m1", "play", ",\"titleId\":\"t1\"")))).get();
    }

    Map<String, List<String>> genres = IngestTestKit.awaitCommitted(bootstrap, domainTopics,
            r -> r.size() >= 2, Duration.ofSeconds(60)).stream()
        .map(r -> EnrichedEventJson.decode(r.value()).event())
        .collect(Collectors.toMap(e -> e.eventId(), e -> e.genres()));
    assertThat(genres).containsEntry("before", List.of("drama"))
        .containsEntry("after", List.of("thriller", "crime"));
  }

  private static EnrichedEventJson.Decoded decode(
      Map<String, ConsumerRecord<byte[], byte[]>> byId, String id) {
    return EnrichedEventJson.decode(byId.get(id).value());
  }

  /** The index of the raw record a dead letter carries, matched by value bytes and partition. */
  private static int rawIndex(List<Raw> raws, ConsumerRecord<byte[], byte[]> dead) {
    int partition = Integer.parseInt(header(dead, IngestRouter.SOURCE_PARTITION));
    for (int i = 0; i < raws.size(); i++) {
      Raw raw = raws.get(i);
      byte[] value = raw.value() == null ? null : raw.value();
      boolean sameValue = value == null ? dead.value() == null : Arrays.equals(value, dead.value());
      if (sameValue && raw.partition() == partition) {
        return i;
      }
    }
    throw new AssertionError("dead letter matches no raw record");
  }
}
