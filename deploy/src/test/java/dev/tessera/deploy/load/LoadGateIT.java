package dev.tessera.deploy.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.node.TesseraNode;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.Ports;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import dev.tessera.simulations.generator.ReferenceData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The load gate of {@code mvn verify}: simulations/'s Gatling simulations at a small rate against
 * a real node (real Kafka and Cassandra), each gated by its own assertions (p99 and failed share;
 * MixedTraffic also that the node counted every event it produced), and proof that the gate
 * closes: the same simulation reading a group the node does not serve fails its run.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class LoadGateIT {
  private static final int MEMBERS = 200;
  private static final Path RESULTS = Path.of("target", "gatling");

  @Test
  void gatlingGatePassesAHealthyNodeUnderLoadAndFailsOnErrors(LocalInfrastructure infrastructure,
      TestNamespace names) throws Exception {
    String prefix = names.prefix() + "-";
    Config config = ConfigFactory.empty()
        .withValue("tessera.node.topic-prefix", ConfigValueFactory.fromAnyRef(prefix))
        .withValue("tessera.serving.port", ConfigValueFactory.fromAnyRef(0))
        .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(Ports.freePort()))
        .withFallback(NodeConfig.forLocal(infrastructure, names.keyspace("load"), 0));
    TesseraNode node = TesseraNode.start(config);
    try {
      String bootstrap = infrastructure.kafka().bootstrapServers();
      IngestSettings topics = node.settings().ingest();
      fill(node, bootstrap, topics);
      warmUp(node.httpUrl());

      Map<String, String> gentle = new HashMap<>(Map.of(
          "url", node.httpUrl(),
          "members", String.valueOf(MEMBERS),
          "rate", "50",
          "duration", "8",
          "batch-rate", "2",
          // Gentle on a shared 2-core CI machine, yet no request may fail and any p99 beyond the
          // node's own read timeout (2 s) plus slack fails the build; ./tessera load uses 500 ms.
          "max-p99-ms", "2500",
          "max-failed-percent", "0"));
      GatlingProcess.Result reads = GatlingProcess.run("ServingReads", gentle, RESULTS);
      System.out.println("ServingReads report: " + reads.report());
      assertThat(reads.exitCode()).as(reads.tail()).isZero();
      assertThat(reads.output()).contains("> single read", "> batch-get 100");
      assertThat(reads.report()).isNotNull();

      Map<String, String> mixed = new HashMap<>(gentle);
      mixed.putAll(Map.of(
          "rate", "30",
          "duration", "6",
          "kafka", bootstrap,
          "topic-prefix", prefix,
          "raw-partitions", String.valueOf(topics.rawPartitions()),
          "event-rate", "200"));
      assertThat(prefix + SimulationTopics.DEFAULT_RAW).isEqualTo(topics.rawTopic());
      long ingestedBefore = node.ingestMetrics().recordsIn();
      GatlingProcess.Result mixedRun = GatlingProcess.run("MixedTraffic", mixed, RESULTS);
      System.out.println("MixedTraffic report: " + mixedRun.report());
      assertThat(mixedRun.exitCode()).as(mixedRun.tail()).isZero();
      assertThat(mixedRun.output()).contains("every sent event counted by the node: count of"
          + " failed events is 0.0 : true");
      assertThat(node.ingestMetrics().recordsIn() - ingestedBefore).isGreaterThan(6 * 200 / 2);

      // The gate closes: every read of an unknown group is a 404, so the failed share is 100%.
      Map<String, String> broken = new HashMap<>(gentle);
      broken.putAll(Map.of("group", "no_such_group", "rate", "10", "duration", "1",
          "batch-rate", "0"));
      GatlingProcess.Result failing = GatlingProcess.run("ServingReads", broken,
          RESULTS.resolve("expected-failure"));
      assertThat(failing.exitCode()).as(failing.tail()).isNotZero();
      assertThat(failing.output())
          .contains("percentage of failed events is less than or equal to 0.0 : false");
    } finally {
      node.stop(Duration.ofSeconds(60));
    }
  }

  /** The HTTP path's first requests run in the interpreter; the gate measures the node, not JIT. */
  private static void warmUp(String url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 150; i++) {
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url
              + "/v1/members/" + ReferenceData.memberId(i % MEMBERS)
              + "/features?groups=member_engagement")).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(200);
    }
  }

  /** Every member gets events (so reads find live entities with values), as in NodeServingIT. */
  private static void fill(TesseraNode node, String bootstrap, IngestSettings topics)
      throws InterruptedException {
    SimulationConfig simulated = SimulationConfig.builder(31).members(MEMBERS).build();
    int count = 1200;
    long span = Simulation.create(simulated).spanMs(count);
    Simulation simulation = Simulation.create(
        simulated.withStartTimeMs(System.currentTimeMillis() - span - 60_000));
    SimulationProducer.publishReference(simulation.reference(), bootstrap,
        new SimulationTopics(topics.rawTopic(), topics.contentMetadataTopic(),
            topics.memberProfilesTopic(), topics.rawPartitions()));
    List<SimulatedRecord> records = simulation.generate(count);
    long domainEvents = records.stream()
        .filter(r -> r.kind() != RecordKind.MALFORMED && r.kind() != RecordKind.DUPLICATE)
        .count();
    SimulationProducer.produce(records, bootstrap, topics.rawTopic());
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (node.featureMetrics().records() < domainEvents && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(node.featureMetrics().records()).isEqualTo(domainEvents);
  }
}
