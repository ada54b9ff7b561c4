package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.TopicSetup;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node process is killed with SIGKILL at random moments while events arrive, and restarted,
 * three times; then a fresh node restores from Cassandra and replays from the committed offsets.
 * Every member must equal the reference implementation exactly.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class FeatureCrashIT {

  @Test
  void killingTheNodeAtRandomMomentsLosesAndDoublesNothing(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    String bootstrap = infrastructure.kafka().bootstrapServers();
    String contactPoint = infrastructure.cassandra().host() + ":" + infrastructure.cassandra().port();
    String prefix = names.prefix() + "-";
    String keyspace = names.keyspace("state");
    Config config = FeatureNode.config("""
        datastax-java-driver.basic.contact-points = ["%s"]
        tessera.features.state.keyspace = %s
        """.formatted(contactPoint, keyspace));
    IngestSettings topics = IngestSettings.create(config).withPrefix(prefix);
    FeatureSettings settings = FeatureSettings.create(config).withPrefix(prefix);
    TopicSetup.ensure(bootstrap, topics);
    List<FeatureGroup> groups = FeatureRegistry.fromConfig(config).all();
    long seed = Long.getLong("tessera.test.seed", System.nanoTime());
    Random random = new Random(seed);
    Simulation simulation = Simulation.create(SimulationConfig.builder(seed).members(100)
        .titles(200).duplicateFraction(0.01).lateFraction(0.01).malformedFraction(0).build());
    GroundTruth truth = new GroundTruth(groups.get(0), simulation.reference().titleCatalogue());
    List<SimulatedRecord> records = simulation.generate(15_000);

    Thread traffic = new Thread(() -> {
      for (int from = 0; from < records.size(); from += 1000) {
        truth.produce(bootstrap, topics, records.subList(from, Math.min(records.size(), from + 1000)));
        try {
          Thread.sleep(400);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }, "domain-traffic");
    traffic.start();
    for (int crash = 0; crash < 3; crash++) {
      Process node = startNode(bootstrap, contactPoint, prefix, keyspace);
      if (crash == 2) {
        // The last node lives until some checkpoint committed offsets (then a random moment
        // more), so the final node must restore. A fixed time was not always enough: the group
        // hands this node its partitions only once the previous node's session has timed out.
        awaitCommittedOffsets(bootstrap, settings.consumerGroup(), Duration.ofSeconds(60));
        Thread.sleep(random.nextInt(1500));
      } else {
        Thread.sleep(800 + random.nextInt(2500));
      }
      node.destroyForcibly();
      node.waitFor(10, TimeUnit.SECONDS);
    }
    traffic.join();

    ActorSystem<Void> system = FeatureNode.start(config);
    try {
      MemberStateStore store =
          MemberStateStore.create(system, MemberStateStore.Settings.create(config),
              topics.domainPartitions());
      FeaturePipeline.initSharding(system, groups, SnapshotSink.none(), topics.domainPartitions(),
          store, settings);
      FeatureMetrics metrics = new FeatureMetrics();
      FeaturePipeline pipeline =
          FeaturePipeline.start(system, bootstrap, topics, settings, metrics, store);
      // Give the replay a head start; when the last checkpoint committed everything there is
      // nothing to replay and no record ever comes (the agreement below waits as long as needed).
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (metrics.records() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      try {
        truth.awaitAgreement(system, Duration.ofSeconds(90));
      } catch (AssertionError e) {
        throw new AssertionError(String.format("seed %d; the restored node applied %d records:"
                + " %d accepted, %d late, %d duplicates, %d already applied, %d checkpoints (%d"
                + " failed); the reference saw %d records, %d of them late, %d duplicates", seed,
            metrics.records(), metrics.accepted(), metrics.late(), metrics.duplicates(),
            metrics.alreadyApplied(), metrics.checkpoints(), metrics.checkpointFailures(),
            truth.produced, truth.late, truth.duplicates), e);
      }
      assertThat(metrics.records()).as("seed %d: restored, not replayed from the start", seed)
          .isLessThan(truth.produced);
      pipeline.stop().toCompletableFuture().join();
    } finally {
      FeatureNode.stop(system);
    }
  }

  /** Waits until {@code group} has committed an offset past 0 on some partition. */
  private static void awaitCommittedOffsets(String bootstrap, String group, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(Map.<String, Object>of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
            .get(10, TimeUnit.SECONDS);
        if (committed.values().stream().anyMatch(o -> o != null && o.offset() > 0)) {
          return;
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError("no checkpoint of group " + group + " committed offsets within "
        + timeout);
  }

  private static Process startNode(String bootstrap, String contactPoint, String prefix,
      String keyspace) throws Exception {
    Process process = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
            "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
            "-Dpekko.kafka.consumer.kafka-clients.session.timeout.ms=6000",
            "-Dpekko.kafka.consumer.kafka-clients.heartbeat.interval.ms=1000",
            "-cp", System.getProperty("java.class.path"),
            FeatureProcess.class.getName(), bootstrap, contactPoint, prefix, keyspace))
        .redirectErrorStream(true)
        .start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      if (line.equals("READY")) {
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "node-output");
        drain.setDaemon(true);
        drain.start();
        return process;
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("the node process did not start:\n" + seen);
  }
}
