package dev.tessera.orchestrator.kafka;

import dev.tessera.orchestrator.OrchestratorSettings;
import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalJson;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals from the {@code workflow-signals} topic into the hub, at least once: a record's offset
 * is committed only after the hub accepted (or recognised as a repeat) its signal, so a crash
 * redelivers, and the hub's dedup by id makes redelivery harmless. A record that is not a signal
 * is logged and skipped; a hub that does not answer fails the stream, which restarts with backoff
 * from the committed offsets.
 */
public final class SignalConsumer {
  private static final Logger log = LoggerFactory.getLogger(SignalConsumer.class);

  private final UniqueKillSwitch killSwitch;
  private final CompletionStage<Done> done;

  private SignalConsumer(UniqueKillSwitch killSwitch, CompletionStage<Done> done) {
    this.killSwitch = killSwitch;
    this.done = done;
  }

  /**
   * @param publish hands a signal to the hub; the stage completes once the hub has it
   */
  public static SignalConsumer start(ActorSystem<?> system, OrchestratorSettings.Kafka kafka,
      Function<Signal, CompletionStage<?>> publish) {
    ConsumerSettings<String, byte[]> settings = ConsumerSettings
        .create(system, new StringDeserializer(), new ByteArrayDeserializer())
        .withBootstrapServers(kafka.bootstrapServers())
        .withGroupId(kafka.consumerGroup())
        .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    CommitterSettings committer = CommitterSettings.create(system);
    Pair<UniqueKillSwitch, CompletionStage<Done>> running = RestartSource
        .onFailuresWithBackoff(RestartSettings.create(Duration.ofSeconds(1),
            Duration.ofSeconds(30), 0.2), () ->
            Consumer.committableSource(settings, Subscriptions.topics(kafka.topic()))
                .mapAsync(1, message -> handle(message, publish)
                    .thenApply(ignored -> message.committableOffset()))
                .via(Committer.flow(committer)))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.both())
        .run(system);
    log.info("Consuming workflow signals from {} (group {})", kafka.topic(),
        kafka.consumerGroup());
    return new SignalConsumer(running.first(), running.second());
  }

  private static CompletionStage<?> handle(ConsumerMessage.CommittableMessage<String, byte[]> m,
      Function<Signal, CompletionStage<?>> publish) {
    Signal signal;
    try {
      signal = SignalJson.parse(m.record().value(), "kafka/" + m.record().topic(),
          System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      log.warn("Skipping record {}-{}@{}: {}", m.record().topic(), m.record().partition(),
          m.record().offset(), e.getMessage());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return publish.apply(signal);
  }

  public CompletionStage<Done> stop() {
    killSwitch.shutdown();
    return done;
  }
}
