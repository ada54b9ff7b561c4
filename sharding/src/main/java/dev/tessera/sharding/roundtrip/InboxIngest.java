package dev.tessera.sharding.roundtrip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The foundation's consumer: Kafka topics of JSON member events into {@link MemberInbox}
 * entities, committing each offset only after its event is persisted (at-least-once; the entity
 * recognises redeliveries).
 *
 * <p>One ask per event: fine for a round-trip proof, not for throughput. The member-actor pipeline
 * batches per member instead.
 */
public final class InboxIngest {
  private static final Logger log = LoggerFactory.getLogger(InboxIngest.class);

  /**
   * @param bootstrapServers Kafka brokers
   * @param topics topics of JSON events keyed by member id (the domain topics)
   * @param consumerGroup the consumer group whose offsets are committed
   * @param askTimeout how long to wait for an entity to persist one event
   * @param parallelism events in flight at once
   */
  public record Settings(
      String bootstrapServers, List<String> topics, String consumerGroup, Duration askTimeout,
      int parallelism) {
    public Settings {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      topics = List.copyOf(topics);
      Objects.requireNonNull(consumerGroup, "consumerGroup");
      Objects.requireNonNull(askTimeout, "askTimeout");
    }
  }

  private final Consumer.DrainingControl<Done> control;
  private final AtomicLong recorded;
  private final AtomicLong unreadable;

  private InboxIngest(
      Consumer.DrainingControl<Done> control, AtomicLong recorded, AtomicLong unreadable) {
    this.control = control;
    this.recorded = recorded;
    this.unreadable = unreadable;
  }

  /** Starts consuming; {@link MemberInbox#init} must have run on this node. */
  public static InboxIngest start(ActorSystem<?> system, Settings settings) {
    ObjectMapper json =
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    ClusterSharding sharding = ClusterSharding.get(system);
    AtomicLong recorded = new AtomicLong();
    AtomicLong unreadable = new AtomicLong();
    ConsumerSettings<String, byte[]> consumerSettings =
        ConsumerSettings.create(system, new StringDeserializer(), new ByteArrayDeserializer())
            .withBootstrapServers(settings.bootstrapServers())
            .withGroupId(settings.consumerGroup())
            .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
            .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
            // The domain topics are written in transactions: only committed records count.
            .withProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .withStopTimeout(Duration.ZERO);

    Consumer.DrainingControl<Done> control =
        Consumer.committableSource(consumerSettings, Subscriptions.topics(Set.copyOf(settings.topics())))
            .mapAsync(settings.parallelism(), message -> {
              CompletionStage<Done> persisted = record(json, sharding, settings, message, recorded,
                  unreadable);
              return persisted.thenApply(done -> message.committableOffset());
            })
            .toMat(Committer.sink(CommitterSettings.create(system)), Consumer::createDrainingControl)
            .run(system);
    log.info("Consuming {} into MemberInbox entities as group {}", settings.topics(),
        settings.consumerGroup());
    return new InboxIngest(control, recorded, unreadable);
  }

  private static CompletionStage<Done> record(
      ObjectMapper json, ClusterSharding sharding, Settings settings,
      ConsumerMessage.CommittableMessage<String, byte[]> message, AtomicLong recorded,
      AtomicLong unreadable) {
    JsonNode event;
    try {
      event = json.readTree(message.record().value());
    } catch (Exception e) {
      event = null;
    }
    if (event == null || !event.path("eventId").isTextual() || !event.path("memberId").isTextual()
        || !event.path("type").isTextual() || !event.path("eventTime").isIntegralNumber()) {
      unreadable.incrementAndGet();
      log.warn("Skipping unreadable record at {}-{} offset {}", message.record().topic(),
          message.record().partition(), message.record().offset());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    String eventId = event.get("eventId").asText();
    String type = event.get("type").asText();
    long eventTime = event.get("eventTime").asLong();
    return sharding.entityRefFor(MemberInbox.ENTITY_KEY, event.get("memberId").asText())
        .<Done>askWithStatus(
            replyTo -> new MemberInbox.Record(eventId, type, eventTime, replyTo),
            settings.askTimeout())
        .thenApply(done -> {
          recorded.incrementAndGet();
          return done;
        });
  }

  /** Events persisted so far (redeliveries included). */
  public long recorded() {
    return recorded.get();
  }

  /** Records skipped because they were not JSON events. */
  public long unreadable() {
    return unreadable.get();
  }

  /** Stops consuming after the events in flight are persisted and their offsets committed. */
  public CompletionStage<Done> drainAndShutdown(ActorSystem<?> system) {
    return control.drainAndShutdown(system.executionContext());
  }
}
