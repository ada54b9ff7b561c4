package dev.tessera.batch.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.archive.ArchiveJob;
import dev.tessera.batch.testkit.DomainLog;
import dev.tessera.batch.testkit.DomainTopics;
import dev.tessera.batch.testkit.TestSettings;
import dev.tessera.batch.testkit.SparkTest;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.serving.ServedSample;
import dev.tessera.engine.serving.ServedSampleJson;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import dev.tessera.simulations.generator.SimulationConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online/offline consistency on a simulated stream through a real broker: an online stand-in
 * consumes the domain topics like the member entities do (each record applied to its member's
 * state with its offset, as it arrives) and logs hash-sampled snapshots with their offsets to the
 * samples topic; the consistency job recomputes each one from the archive. Every feature matches;
 * a deliberately altered sample is the only mismatch reported; the workflow signal is on its topic.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class ConsistencyIT extends SparkTest {

  @Test
  void servedSamplesMatchTheKernelOnTheArchiveAndAnAlteredOneIsReported(
      EmbeddedKafka kafka, TestNamespace names, @TempDir Path dir) throws Exception {
    String bootstrap = kafka.bootstrapServers();
    String prefix = names.prefix() + "-";
    DomainTopics.create(bootstrap, prefix, "serving-samples", "workflow-signals");
    BatchSettings settings = TestSettings.create(bootstrap, prefix, dir);
    FeatureRegistry registry = FeatureRegistry.fromConfig(ConfigFactory.load());
    FeatureGroup group = registry.get("member_engagement", 1);
    List<DomainLog.Record> written = DomainTopics.produce(bootstrap, prefix,
        DomainLog.simulate(SimulationConfig.builder(23L).members(25).titles(30)
            .duplicateFraction(0.02).lateFraction(0.01).malformedFraction(0).build(), 4_000)
            .records(), true);

    // the online stand-in: records in arrival order, each member's state fed with offsets
    List<DomainLog.Record> arrival = new ArrayList<>(written);
    arrival.sort(Comparator.comparingLong((DomainLog.Record r) -> r.event().ingestedAt()));
    Map<String, MemberFeatureState> states = new HashMap<>();
    List<ServedSample> samples = new ArrayList<>();
    for (DomainLog.Record r : arrival) {
      MemberFeatureState state = states.computeIfAbsent(r.memberId(),
          m -> MemberFeatureState.create(group, m));
      state.apply(r.event().event(), r.event().offset());
      long now = r.event().ingestedAt();
      if (ServedSample.sampled(r.memberId(), now, 0.05)) {
        FeatureSnapshot s = state.snapshot(now, now);
        samples.add(ServedSample.of(s, now + 3, state::lastOffset));
      }
    }
    assertThat(samples).hasSizeGreaterThan(50);
    ServedSample honest = samples.get(samples.size() / 2);
    Map<String, Object> altered = new LinkedHashMap<>(honest.values());
    altered.put("plays_24h", (Long) altered.get("plays_24h") + 2);
    ServedSample tampered = new ServedSample(honest.memberId(), honest.group(),
        honest.groupVersion(), honest.asOf(), honest.servedAt() + 1, honest.offsets(), altered);
    samples.add(tampered);
    produce(bootstrap, prefix + "serving-samples", samples);

    ArchiveJob.run(spark, settings, "earliest", "latest", new Summary("archive"));
    Summary summary = new Summary("consistency");
    ConsistencyJob.Result result =
        ConsistencyJob.run(spark, settings, registry, "earliest", "latest", null, summary);

    assertThat(result.samples()).isEqualTo(samples.size());
    assertThat(result.compared()).isEqualTo(samples.size());
    assertThat(result.uncovered()).isZero();
    assertThat(result.total("missing")).isZero();
    assertThat(result.total("extra")).isZero();
    assertThat(result.total("match"))
        .isEqualTo((long) samples.size() * group.features().size() - 1);
    assertThat(result.differences()).hasSize(1);
    assertThat(result.differences().get(0).getString(1)).isEqualTo(tampered.memberId());
    assertThat(result.differences().get(0).getString(3)).isEqualTo("plays_24h");
    assertThat(result.differences().get(0).getDouble(7)).isEqualTo(2.0);
    assertThat(result.byFeature().get("plays_24h")).containsEntry("mismatch", 1L);

    List<String> signals = read(bootstrap, prefix + "workflow-signals");
    assertThat(signals).hasSize(1);
    assertThat(signals.get(0)).contains("\"name\":\"consistency_checked\"", "\"mismatches\":1");
  }

  private static void produce(String bootstrap, String topic, List<ServedSample> samples)
      throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ServedSample s : samples) {
        producer.send(new ProducerRecord<>(topic, s.memberId().getBytes(StandardCharsets.UTF_8),
            ServedSampleJson.write(s))).get();
      }
    }
  }

  static List<String> read(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("group.id", topic + "-reader");
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline && out.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
