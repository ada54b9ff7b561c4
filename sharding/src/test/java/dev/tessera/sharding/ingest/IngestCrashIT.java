package dev.tessera.sharding.ingest;

import static dev.tessera.sharding.ingest.IngestTestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exactly once across crashes: the pipeline runs in a JVM of its own that is killed with SIGKILL
 * at random moments while traffic flows, then restarted; a read_committed read of the outputs must
 * hold every valid first copy exactly once and every malformed record exactly once.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class IngestCrashIT {
  private static final int EVENTS = 40_000;

  @Test
  void killingThePipelineAtRandomMomentsNeitherLosesNorDuplicatesOutputs(
      EmbeddedKafka kafka, TestNamespace names) throws Exception {
    String bootstrap = kafka.bootstrapServers();
    String prefix = names.prefix() + "-";
    IngestSettings settings = IngestSettings.create(ConfigFactory.load()).withPrefix(prefix);
    TopicSetup.ensure(bootstrap, settings);
    long seed = System.nanoTime();
    Random random = new Random(seed);

    Set<String> expectedIds = new HashSet<>();
    int expectedDead = 0;
    List<ProducerRecord<byte[], byte[]>> traffic = new ArrayList<>();
    List<byte[]> sentValid = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String member = "m" + random.nextInt(500);
      double dice = random.nextDouble();
      if (dice < 0.01) {
        traffic.add(new ProducerRecord<>(settings.rawTopic(), utf8(member), utf8("{\"eventId\":" + i)));
        expectedDead++;
      } else if (dice < 0.03 && !sentValid.isEmpty()) {
        // A re-send of an earlier event, with the key its first copy had: same partition, dropped.
        byte[] again = sentValid.get(random.nextInt(sentValid.size()));
        String firstMember = new String(again, StandardCharsets.UTF_8).replaceAll(".*\"memberId\":\"([^\"]+)\".*", "$1");
        traffic.add(new ProducerRecord<>(settings.rawTopic(), utf8(firstMember), again));
      } else {
        String id = "e" + i;
        byte[] value = utf8("{\"eventId\":\"" + id + "\",\"memberId\":\"" + member
            + "\",\"type\":\"play\",\"titleId\":\"t" + random.nextInt(50) + "\",\"eventTime\":"
            + (System.currentTimeMillis() - 5000) + "}");
        traffic.add(new ProducerRecord<>(settings.rawTopic(), utf8(member), value));
        sentValid.add(value);
        expectedIds.add(id);
      }
    }

    Thread producerThread = new Thread(() -> {
      try (KafkaProducer<byte[], byte[]> producer = IngestTestKit.producer(bootstrap)) {
        for (int i = 0; i < traffic.size(); i++) {
          producer.send(traffic.get(i));
          if (i % 2000 == 1999) {
            producer.flush();
            Thread.sleep(300); // about 6 s of traffic, so the kills land mid-stream
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "raw-traffic");
    producerThread.start();

    for (int crash = 0; crash < 3; crash++) {
      Process pipeline = startPipeline(bootstrap, prefix);
      Thread.sleep(500 + random.nextInt(2500));
      pipeline.destroyForcibly();
      pipeline.waitFor(10, TimeUnit.SECONDS);
    }
    producerThread.join();

    Process last = startPipeline(bootstrap, prefix);
    try {
      int dead = expectedDead;
      List<String> domainTopics = new ArrayList<>(settings.domainTopics().values());
      IngestTestKit.awaitCommitted(bootstrap, domainTopics,
          r -> r.size() >= expectedIds.size(), Duration.ofSeconds(120));
      IngestTestKit.awaitCommitted(bootstrap, List.of(settings.deadLetterTopic()),
          r -> r.size() >= dead, Duration.ofSeconds(30));
      Thread.sleep(3000); // anything extra would have time to show up

      List<ConsumerRecord<byte[], byte[]>> domain = IngestTestKit.readCommitted(bootstrap, domainTopics);
      Map<String, Long> copies = domain.stream()
          .collect(Collectors.groupingBy(IngestTestKit::eventId, Collectors.counting()));
      assertThat(copies.keySet()).as("seed %d", seed).isEqualTo(expectedIds);
      assertThat(copies.values()).as("no output twice, seed %d", seed).containsOnly(1L);

      List<ConsumerRecord<byte[], byte[]>> dlq =
          IngestTestKit.readCommitted(bootstrap, List.of(settings.deadLetterTopic()));
      Map<String, Long> deadCopies = dlq.stream().collect(Collectors.groupingBy(
          r -> IngestTestKit.header(r, IngestRouter.SOURCE_PARTITION) + "@"
              + IngestTestKit.header(r, IngestRouter.SOURCE_OFFSET), Collectors.counting()));
      assertThat(deadCopies).as("seed %d", seed).hasSize(expectedDead);
      assertThat(deadCopies.values()).containsOnly(1L);
    } finally {
      last.destroyForcibly();
      last.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Process startPipeline(String bootstrap, String prefix) throws Exception {
    Process process = new ProcessBuilder(List.of(
            Path17.java(), "-Xmx512m", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
            "-Dpekko.kafka.consumer.kafka-clients.session.timeout.ms=6000",
            "-Dpekko.kafka.consumer.kafka-clients.heartbeat.interval.ms=1000",
            "-cp", System.getProperty("java.class.path"),
            IngestProcess.class.getName(), bootstrap, prefix))
        .redirectErrorStream(true)
        .start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
      if (line.equals("READY")) {
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "pipeline-output");
        drain.setDaemon(true);
        drain.start();
        return process;
      }
      seen.append(line).append('\n');
    }
    process.destroyForcibly();
    throw new AssertionError("the pipeline process did not start:\n" + seen);
  }

  private static final class Path17 {
    static String java() {
      return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
  }
}
