package dev.tessera.sharding.ingest;

import static dev.tessera.sharding.ingest.IngestTestKit.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.embedded.EmbeddedKafka;
import dev.tessera.embedded.EmbeddedSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker of its own, stopped and restarted under the running pipeline. */
class IngestBrokerOutageIT {

  private static void produce(String bootstrap, IngestSettings settings, int from, int to)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = IngestTestKit.producer(bootstrap)) {
      for (int i = from; i < to; i++) {
        producer.send(new ProducerRecord<>(settings.rawTopic(), utf8("m" + (i % 20)),
            utf8("{\"eventId\":\"e" + i + "\",\"memberId\":\"m" + (i % 20)
                + "\",\"type\":\"scroll\",\"eventTime\":" + (System.currentTimeMillis() - 1000)
                + "}"))).get();
      }
    }
  }

  @Test
  void thePipelineResumesAfterTheBrokerComesBackAndLosesNothing(@TempDir Path tmp)
      throws Exception {
    EmbeddedSettings brokerSettings =
        EmbeddedSettings.load().withDataDir(tmp.resolve("data")).withFreePorts();
    EmbeddedKafka kafka = EmbeddedKafka.start(brokerSettings, true);
    String bootstrap = kafka.bootstrapServers();
    IngestSettings settings = IngestSettings.create(ConfigFactory.load());
    TopicSetup.ensure(bootstrap, settings);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "outage-test", ConfigFactory.load());
    ReferenceCache references = new ReferenceCache(new ObjectMapper());
    ReferenceLoader loader = ReferenceLoader.start(bootstrap, settings, references);
    try {
      loader.awaitCaughtUp();
      IngestPipeline pipeline = IngestPipeline.start(system, bootstrap, settings, references,
          new IngestMetrics(), settings.transactionalId());
      List<String> domain = new ArrayList<>(settings.domainTopics().values());
      produce(bootstrap, settings, 0, 200);
      assertThat(IngestTestKit.awaitCommitted(bootstrap, domain, r -> r.size() >= 200,
          Duration.ofSeconds(60))).hasSize(200);

      kafka.close();
      Thread.sleep(3000); // the pipeline's consumer and producer now fail to reach the broker
      kafka = EmbeddedKafka.start(brokerSettings, true);
      produce(bootstrap, settings, 200, 400);

      List<ConsumerRecord<byte[], byte[]>> out = IngestTestKit.awaitCommitted(bootstrap, domain,
          r -> r.size() >= 400, Duration.ofSeconds(120));
      Thread.sleep(2000);
      out = IngestTestKit.readCommitted(bootstrap, domain);
      Map<String, Long> copies = out.stream()
          .collect(Collectors.groupingBy(IngestTestKit::eventId, Collectors.counting()));
      assertThat(copies).hasSize(400);
      assertThat(copies.values()).containsOnly(1L);
      pipeline.drainAndShutdown().toCompletableFuture().get();
    } finally {
      loader.close();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      kafka.close();
    }
  }
}
