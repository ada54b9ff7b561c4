package dev.tessera.deploy.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.SimulatedStream;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.Ports;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.engine.serving.ServedSample;
import dev.tessera.engine.serving.ServedSampleJson;
import java.net.URI;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node end to end with real Kafka and Cassandra: simulated traffic through ingestion and the
 * member entities, then HTTP reads (single and batch) whose values equal the plain reference
 * implementation over the simulator's truth, as of the instant each answer says it is exact for.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class NodeServingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GROUP = "member_engagement";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesFeaturesOverHttpThatEqualTheReference(LocalInfrastructure infrastructure,
      TestNamespace names) throws Exception {
    Config config = ConfigFactory.empty()
        .withValue("tessera.node.topic-prefix", ConfigValueFactory.fromAnyRef(names.prefix() + "-"))
        .withValue("tessera.serving.port", ConfigValueFactory.fromAnyRef(0))
        .withValue("tessera.serving.samples.rate", ConfigValueFactory.fromAnyRef(1.0))
        .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(Ports.freePort()))
        .withFallback(NodeConfig.forLocal(infrastructure, names.keyspace("node"), 0));
    TesseraNode node = TesseraNode.start(config);
    try {
      assertThat(node.isReady()).isTrue();
      String bootstrap = infrastructure.kafka().bootstrapServers();
      IngestSettings topics = node.settings().ingest();
      FeatureGroup group = FeatureRegistry.fromConfig(config).latest(GROUP).orElseThrow();

      int count = 3000;
      SimulatedStream stream = SimulatedStream.publish(
          SimulationConfig.builder(23).members(40).build(), count, 60_000, group, bootstrap,
          topics);
      List<SimulatedRecord> records = stream.records();
      Map<String, ReferenceEngine> reference = stream.reference();
      long domainEvents = stream.domainEvents();
      SimulationProducer.produce(records, bootstrap, topics.rawTopic());
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (node.featureMetrics().records() < domainEvents && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(node.featureMetrics().records()).isEqualTo(domainEvents);

      List<String> members = new ArrayList<>(reference.keySet());
      for (String member : members) {
        JsonNode answer = get(node.httpUrl() + "/v1/members/" + member + "/features?groups="
            + GROUP);
        assertMatchesReference(member, answer.path("groups").path(GROUP), reference.get(member));
      }

      String body = JSON.writeValueAsString(Map.of("memberIds",
          List.of(members.get(0), "never-seen", "bad id!", members.get(1))));
      HttpResponse<String> batch = http.send(HttpRequest.newBuilder(
              URI.create(node.httpUrl() + "/v1/features/batch-get"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(batch.statusCode()).isEqualTo(200);
      JsonNode results = JSON.readTree(batch.body()).path("results");
      assertThat(results).hasSize(4);
      assertMatchesReference(members.get(0), results.get(0).path("groups").path(GROUP),
          reference.get(members.get(0)));
      assertThat(results.get(1).path("groups").path(GROUP).path("status").asText())
          .isEqualTo("NOT_FOUND");
      assertThat(results.get(2).path("status").asText()).isEqualTo("INVALID_MEMBER_ID");
      assertMatchesReference(members.get(1), results.get(3).path("groups").path(GROUP),
          reference.get(members.get(1)));

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
          URI.create(node.httpUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body())
          .contains("tessera_ingest_records_total " + count + ".0")
          .contains("tessera_features_records_total " + domainEvents + ".0")
          .contains("route=\"member_features\",status=\"200\"} " + members.size());

      // Every PRESENT answer was logged (rate 1.0) with its asOf and offsets, and equals the
      // reference: what batch's consistency job recomputes from the archive.
      List<ServedSample> samples = consumeSamples(bootstrap,
          node.settings().serving().samples().topic(), members.size() + 2);
      assertThat(samples).hasSize(members.size() + 2);
      for (ServedSample sample : samples) {
        FeatureSnapshot expected = reference.get(sample.memberId()).snapshot(sample.asOf(), 0);
        assertThat(sample.group()).isEqualTo(GROUP);
        assertThat(sample.offsets()).containsKeys("views", "engagement", "search", "ratings",
            "device");
        assertThat(sample.offsets().values()).anyMatch(offset -> offset >= 0);
        for (Map.Entry<String, Object> value : expected.values().entrySet()) {
          assertThat(SnapshotDifference.ofValue(value.getValue(),
              sample.values().get(value.getKey()))).as(sample.memberId() + " " + value.getKey())
              .isNull();
        }
      }
    } finally {
      node.stop(Duration.ofSeconds(60));
    }
    assertThat(node.isReady()).isFalse();
  }

  private static List<ServedSample> consumeSamples(String bootstrap, String topic, int expected) {
    List<ServedSample> samples = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.GROUP_ID_CONFIG, topic + "-check"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (samples.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          samples.add(ServedSampleJson.read(record.value()));
        }
      }
      // Nothing beyond the expected: one sample per PRESENT answer.
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
        samples.add(ServedSampleJson.read(record.value()));
      }
    }
    return samples;
  }

  private JsonNode get(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @SuppressWarnings("unchecked")
  private static void assertMatchesReference(String member, JsonNode group,
      ReferenceEngine reference) throws Exception {
    assertThat(group.path("status").asText()).as(member).isEqualTo("PRESENT");
    FeatureSnapshot served = SimulatedStream.served(member, GROUP, group);
    FeatureSnapshot expected = reference.snapshot(served.asOf(), 0);
    assertThat(SnapshotDifference.of(expected, served)).as(member).isNull();
  }
}
