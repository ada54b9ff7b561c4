package dev.tessera.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.deploy.SimulatedStream;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.reference.ReferenceEngine;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.SnapshotDifference;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators scale a real cluster (each node its own JVM) under simulated traffic: 3 nodes, out to
 * 4, one killed with SIGKILL, in to 2 (drained gracefully). After the stream ends every member's
 * served features equal the plain reference implementation over the simulator's truth: nothing
 * lost, nothing counted twice. Prints the time from the kill to every shard served again.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class ClusterScaleIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GROUP = "member_engagement";
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(180);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void scalingOutKillingANodeAndScalingInLosesNothing(LocalInfrastructure infrastructure,
      TestNamespace names, @TempDir Path dir) throws Exception {
    String prefix = names.prefix() + "-";
    String bootstrap = infrastructure.kafka().bootstrapServers();
    LocalCluster cluster = LocalCluster.open(dir, infrastructure, new LocalCluster.Options(true,
        true, names.keyspace("cluster"), prefix, "384m", """
        pekko.cluster.split-brain-resolver.stable-after = 4s
        pekko.kafka.consumer.kafka-clients.session.timeout.ms = 6000
        pekko.kafka.consumer.kafka-clients.heartbeat.interval.ms = 1000
        pekko.kafka.producer.kafka-clients.transaction.timeout.ms = 10000
        tessera.features.checkpoint-interval = 2s
        tessera.node.orchestrator = off
        tessera.serving.samples.enabled = off
        """));
    try {
      IngestSettings topics = IngestSettings.create(ConfigFactory.load()).withPrefix(prefix);
      TopicSetup.ensure(bootstrap, topics);
      cluster.scaleTo(3, NODE_TIMEOUT);

      FeatureGroup group = FeatureRegistry.fromConfig(ConfigFactory.load()).latest(GROUP)
          .orElseThrow();
      SimulatedStream stream = SimulatedStream.publish(
          SimulationConfig.builder(31).members(80).build(), 10_000, 120_000, group, bootstrap,
          topics);
      List<SimulatedRecord> records = stream.records();
      Map<String, ReferenceEngine> reference = stream.reference();
      Thread traffic = new Thread(() -> {
        for (int from = 0; from < records.size(); from += 250) {
          SimulationProducer.produce(records.subList(from, Math.min(records.size(), from + 250)),
              bootstrap, topics.rawTopic());
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }, "cluster-traffic");
      traffic.start();

      cluster.scaleTo(4, NODE_TIMEOUT);
      long killed = System.nanoTime();
      cluster.kill(1);
      Set<String> survivors = new HashSet<>();
      cluster.nodes().values().forEach(node -> survivors.add(node.address()));
      awaitShardsServedBy(cluster, survivors, topics.domainPartitions(), Duration.ofSeconds(120));
      System.out.printf("ClusterScaleIT: every shard served again %.1f s after the kill%n",
          (System.nanoTime() - killed) / 1e9);

      cluster.scaleTo(2, NODE_TIMEOUT);
      traffic.join();

      LocalCluster.Node reader = cluster.nodes().values().iterator().next();
      List<String> differences = differences(reader, reference);
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      while (!differences.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(1000);
        differences = differences(reader, reference);
      }
      assertThat(differences).as("%d members", reference.size()).isEmpty();
    } finally {
      cluster.stopAll(Duration.ofSeconds(60));
    }
    assertThat(cluster.nodes()).isEmpty();
  }

  /** Waits until the member shards (one per partition) all live on {@code nodes}. */
  private void awaitShardsServedBy(LocalCluster cluster, Set<String> nodes, int shards,
      Duration timeout) throws Exception {
    String url = cluster.nodes().values().iterator().next().httpUrl() + "/v1/cluster/shards";
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        last = JSON.readTree(response.body()).path("regions");
        Set<String> seen = new HashSet<>();
        int placed = 0;
        for (var it = last.fields(); it.hasNext(); ) {
          var region = it.next();
          if (!nodes.contains(region.getKey())) {
            placed = -1;
            break;
          }
          for (var shard = region.getValue().path("shards").fieldNames(); shard.hasNext(); ) {
            seen.add(shard.next());
            placed++;
          }
        }
        if (placed == shards && seen.size() == shards) {
          return;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("shards not all served by " + nodes + " in time: " + last);
  }

  /** Every member whose served vector differs from the reference as of the served instant. */
  @SuppressWarnings("unchecked")
  private List<String> differences(LocalCluster.Node node, Map<String, ReferenceEngine> reference)
      throws Exception {
    List<String> differences = new ArrayList<>();
    List<String> members = new ArrayList<>(reference.keySet());
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create(node.httpUrl() + "/v1/features/batch-get"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                Map.of("memberIds", members, "groups", List.of(GROUP))))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return List.of("batch-get answered " + response.statusCode() + ": " + response.body());
    }
    JsonNode results = JSON.readTree(response.body()).path("results");
    for (int i = 0; i < members.size(); i++) {
      String member = members.get(i);
      JsonNode served = results.get(i).path("groups").path(GROUP);
      if (!served.path("status").asText().equals("PRESENT")) {
        differences.add(member + ": " + served.path("status").asText());
        continue;
      }
      FeatureSnapshot actual = SimulatedStream.served(member, GROUP, served);
      String difference = SnapshotDifference.of(
          reference.get(member).snapshot(actual.asOf(), 0), actual);
      if (difference != null) {
        differences.add(member + ": " + difference);
      }
    }
    return differences;
  }
}
