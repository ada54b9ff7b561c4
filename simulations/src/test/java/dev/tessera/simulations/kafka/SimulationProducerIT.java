package dev.tessera.simulations.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.event.EventParser;
import dev.tessera.engine.event.ParseResult;
import dev.tessera.simulations.SimulateCommand;
import dev.tessera.simulations.generator.MemberProfile;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.ReferenceData;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.generator.Title;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalInfrastructureExtension.class)
class SimulationProducerIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void producedRecordsReadBackEqualTheTruth(EmbeddedKafka kafka, TestNamespace names) {
    String topic = names.topic("raw");
    SimulationConfig config =
        SimulationConfig.builder(21)
            .members(200)
            .duplicateFraction(0.02)
            .malformedFraction(0.02)
            .lateFraction(0.02)
            .badKeyFraction(0.05)
            .build();
    List<SimulatedRecord> records = Simulation.generate(config, 3_000);

    List<Delivered> delivered =
        SimulationProducer.produce(records, kafka.bootstrapServers(), topic);
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read =
        readAll(kafka, topic, records.size());

    assertThat(delivered).extracting(Delivered::record).containsExactlyElementsOf(records);
    Map<String, Integer> partitionOfMember = new HashMap<>();
    Map<Integer, Long> lastSequence = new HashMap<>();
    EventParser parser = EventParser.create();
    for (Delivered d : delivered) {
      ConsumerRecord<byte[], byte[]> r =
          read.get(new TopicPartition(topic, d.partition())).get((int) d.offset());
      assertThat(r.offset()).isEqualTo(d.offset());
      assertThat(r.key()).isEqualTo(d.record().key());
      assertThat(r.value()).isEqualTo(d.record().value());
      assertThat(partitionOfMember.computeIfAbsent(d.record().memberId(), m -> d.partition()))
          .as("one member, one partition, whatever the key")
          .isEqualTo(d.partition());
      assertThat(d.record().truth().sequence())
          .as("generation order within a partition")
          .isGreaterThan(lastSequence.getOrDefault(d.partition(), -1L));
      lastSequence.put(d.partition(), d.record().truth().sequence());
      ParseResult parsed = parser.parse(r.value(), System.currentTimeMillis());
      if (d.record().kind() == RecordKind.MALFORMED) {
        assertThat(parsed).isInstanceOf(ParseResult.Invalid.class);
      } else {
        assertThat(parsed).isEqualTo(new ParseResult.Valid(d.record().truth().event()));
      }
    }
    assertThat(read.values().stream().mapToInt(List::size).sum()).isEqualTo(records.size());
    assertThat(read).hasSize(SimulationTopics.DEFAULT_RAW_PARTITIONS);
  }

  @Test
  void referenceTopicsAreCompactedAndHoldTheCatalogueAndProfiles(
      EmbeddedKafka kafka, TestNamespace names) throws Exception {
    SimulationTopics topics =
        new SimulationTopics(
            names.topic("raw"), names.topic("content"), names.topic("profiles"), 3);
    ReferenceData reference =
        Simulation.create(SimulationConfig.builder(3).members(150).titles(120).build()).reference();

    SimulationProducer.publishReference(reference, kafka.bootstrapServers(), topics);
    SimulationProducer.publishReference(reference, kafka.bootstrapServers(), topics); // idempotent

    try (Admin admin = SimulationProducer.admin(kafka.bootstrapServers())) {
      for (String compacted : List.of(topics.content(), topics.profiles())) {
        Config c =
            admin
                .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, compacted)))
                .all()
                .get()
                .values()
                .iterator()
                .next();
        assertThat(c.get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(TopicSetup.partitions(admin, compacted)).isEqualTo(1);
      }
      assertThat(TopicSetup.partitions(admin, topics.raw())).isEqualTo(3);
    }
    Map<String, Title> titles = new HashMap<>();
    for (List<ConsumerRecord<byte[], byte[]>> part :
        readAll(kafka, topics.content(), 2 * reference.titles().size()).values()) {
      for (ConsumerRecord<byte[], byte[]> r : part) {
        JsonNode n = JSON.readTree(r.value());
        assertThat(n.fieldNames())
            .toIterable()
            .containsExactly("titleId", "genres", "durationSeconds", "releaseDate");
        List<String> genres = new ArrayList<>();
        n.get("genres").forEach(g -> genres.add(g.textValue()));
        Title t =
            new Title(
                n.get("titleId").textValue(),
                genres,
                n.get("durationSeconds").intValue(),
                LocalDate.parse(n.get("releaseDate").textValue()));
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(t.titleId());
        titles.put(t.titleId(), t);
      }
    }
    assertThat(titles.values()).containsExactlyInAnyOrderElementsOf(reference.titles());
    Map<String, MemberProfile> profiles = new HashMap<>();
    for (List<ConsumerRecord<byte[], byte[]>> part :
        readAll(kafka, topics.profiles(), 2 * reference.members().size()).values()) {
      for (ConsumerRecord<byte[], byte[]> r : part) {
        JsonNode n = JSON.readTree(r.value());
        assertThat(n.fieldNames())
            .toIterable()
            .containsExactly("memberId", "country", "plan", "signupDate");
        MemberProfile p =
            new MemberProfile(
                n.get("memberId").textValue(),
                n.get("country").textValue(),
                n.get("plan").textValue(),
                LocalDate.parse(n.get("signupDate").textValue()));
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(p.memberId());
        profiles.put(p.memberId(), p);
      }
    }
    assertThat(profiles.values()).containsExactlyInAnyOrderElementsOf(reference.members());
  }

  @Test
  void simulateCommandProducesTheEventsItsTruthFileDescribes(
      EmbeddedKafka kafka, TestNamespace names, @TempDir Path dir) throws Exception {
    Path truthFile = dir.resolve("truth.jsonl");
    String raw = names.topic("cmd");
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    long before = System.currentTimeMillis();

    int exit =
        SimulateCommand.run(
            List.of(
                "--events",
                "2000",
                "--rate",
                "0",
                "--members",
                "100",
                "--seed",
                "5",
                "--malformed",
                "1%",
                "--bootstrap",
                kafka.bootstrapServers(),
                "--raw-topic",
                raw,
                "--content-topic",
                names.topic("content"),
                "--profiles-topic",
                names.topic("profiles"),
                "--partitions",
                "4",
                "--truth",
                truthFile.toString()),
            new PrintStream(buffer, true, StandardCharsets.UTF_8));

    String output = buffer.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(output).isZero();
    assertThat(output).contains("seed 5").contains("done: 2000 records");
    List<String> lines = Files.readAllLines(truthFile);
    assertThat(lines).hasSize(2_000);
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read = readAll(kafka, raw, 2_000);
    assertThat(read).hasSize(4);
    EventParser parser = EventParser.create();
    long malformed = 0;
    for (int i = 0; i < lines.size(); i++) {
      JsonNode t = JSON.readTree(lines.get(i));
      assertThat(t.get("seq").longValue()).isEqualTo(i);
      ConsumerRecord<byte[], byte[]> r =
          read.get(new TopicPartition(raw, t.get("partition").intValue()))
              .get((int) t.get("offset").longValue());
      ParseResult parsed = parser.parse(r.value(), System.currentTimeMillis());
      if (t.get("kind").textValue().equals("MALFORMED")) {
        malformed++;
        assertThat(parsed).isInstanceOf(ParseResult.Invalid.class);
        assertThat(t.get("reasons")).isNotEmpty();
      } else {
        var event = ((ParseResult.Valid) parsed).event();
        assertThat(event.eventId()).isEqualTo(t.get("eventId").textValue());
        assertThat(JSON.readTree(r.value())).isEqualTo(t.get("event"));
        assertThat(event.eventTime()).as("anchored before the run").isLessThan(before);
      }
    }
    assertThat(malformed).isBetween(5L, 50L);
  }

  @Test
  void pacedRunKeepsItsRatePrintsProgressAndEndsAfterItsDuration(
      EmbeddedKafka kafka, TestNamespace names) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    long start = System.nanoTime();

    int exit =
        SimulateCommand.run(
            List.of(
                "--duration",
                "6s",
                "--rate",
                "400",
                "--members",
                "300",
                "--bootstrap",
                kafka.bootstrapServers(),
                "--raw-topic",
                names.topic("paced"),
                "--content-topic",
                names.topic("content"),
                "--profiles-topic",
                names.topic("profiles")),
            new PrintStream(buffer, true, StandardCharsets.UTF_8));

    double seconds = (System.nanoTime() - start) / 1e9;
    String output = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(output);
    assertThat(exit).as(output).isZero();
    // Paced: it cannot end before its duration. (How much later depends on the machine's load:
    // no upper bound here, performance lives in benchmarks.)
    assertThat(seconds).isGreaterThanOrEqualTo(5.5);
    assertThat(output).containsPattern("simulate: \\d+ records in \\d+\\.\\d s \\(\\d+/s\\)");
    assertThat(output).contains("done: 2400 records");
    int total =
        readAll(kafka, names.topic("paced"), 2_400).values().stream().mapToInt(List::size).sum();
    assertThat(total).isEqualTo(2_400);
  }

  private static Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> readAll(
      EmbeddedKafka kafka, String topic, int atLeastOrUntilIdle) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int total = 0;
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>())
              .add(r);
          total++;
        }
      }
      assertThat(total).isLessThanOrEqualTo(atLeastOrUntilIdle);
    }
    return out;
  }
}
