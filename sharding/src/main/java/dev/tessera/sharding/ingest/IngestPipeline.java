package dev.tessera.sharding.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerMessage;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.RestrictedConsumer;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.PartitionAssignmentHandler;
import org.apache.pekko.kafka.javadsl.Transactional;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestion stream of one node: raw topic -> {@link IngestRouter} -> domain and dead-letter
 * topics, inside Kafka transactions that also commit the raw offsets. A crash anywhere aborts the
 * open transaction and the next run resumes from the last committed offsets with a rebuilt
 * duplicate filter, so {@code read_committed} consumers see every output exactly once.
 *
 * <p>Infrastructure failures (broker unavailable) restart the stream with backoff; each restart
 * starts from the committed offsets with fresh state.
 */
public final class IngestPipeline {
  private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
  private static final String ROUTER_DISPATCHER = "tessera.ingest.router-dispatcher";

  private final AtomicReference<Consumer.Control> control;
  private final CompletionStage<Done> completion;
  private final ActorSystem<?> system;

  private IngestPipeline(
      ActorSystem<?> system, AtomicReference<Consumer.Control> control,
      CompletionStage<Done> completion) {
    this.system = system;
    this.control = control;
    this.completion = completion;
  }

  /**
   * Starts the stream. The reference cache should be loaded first ({@link ReferenceLoader}), so
   * that the first events are enriched like the later ones.
   *
   * @param transactionalId unique per node, stable across its restarts (fences a zombie self)
   */
  public static IngestPipeline start(
      ActorSystem<?> system, String bootstrapServers, IngestSettings settings,
      ReferenceCache references, IngestMetrics metrics, String transactionalId) {
    ConsumerSettings<byte[], byte[]> consumerSettings =
        ConsumerSettings.create(system.settings().config().getConfig("tessera.ingest.consumer"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())
            .withBootstrapServers(bootstrapServers)
            .withGroupId(settings.consumerGroup())
            .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
            .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
            .withStopTimeout(Duration.ZERO)
            // On a revoke the transactional source waits this long for in-flight records to be
            // committed. After a drained stop nothing is in flight but the wait still runs (the
            // source no longer hears the producer's markers), so keep it short. Correctness does
            // not depend on it: a zombie's offset commit is fenced by the group generation.
            .withCommitTimeout(Duration.ofSeconds(3));
    ProducerSettings<byte[], byte[]> producerSettings =
        ProducerSettings.create(system.settings().config().getConfig("tessera.ingest.producer"),
                new ByteArraySerializer(), new ByteArraySerializer())
            .withBootstrapServers(bootstrapServers);
    DedupRebuilder rebuilder = new DedupRebuilder(bootstrapServers, settings.dedupWindow());
    Set<Integer> revoked = ConcurrentHashMap.newKeySet();
    AtomicReference<Consumer.Control> control =
        new AtomicReference<>(Consumer.createNoopControl());

    Source<Long, NotUsed> restarting = RestartSource.onFailuresWithBackoff(
            RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
            () -> {
              // Fresh state per (re)start: it resumes from committed offsets, so anything the
              // filter saw in an aborted transaction must be forgotten.
              IngestRouter router = new IngestRouter(settings, references, metrics);
              return Transactional.source(consumerSettings,
                      Subscriptions.topics(settings.rawTopic())
                          .withPartitionAssignmentHandler(new ForgetRevoked(revoked)))
                  .mapMaterializedValue(c -> {
                    control.set(c);
                    return c;
                  })
                  .via(Flow.<ConsumerMessage.TransactionalMessage<byte[], byte[]>>create()
                      .map(message -> route(router, rebuilder, revoked, message))
                      // What the consumer has at hand, up to a poll's worth, without waiting
                      // longer than a millisecond for more.
                      .groupedWithin(settings.produceBatch(), Duration.ofMillis(1))
                      .mapConcat(IngestPipeline::envelopes)
                      // Its own thread, apart from the consumer's and the producer's stages: it
                      // parses and encodes (the CPU work), and may block once per assignment
                      // while it rebuilds a partition's duplicate filter.
                      .async(ROUTER_DISPATCHER))
                  .via(Transactional.flow(producerSettings, transactionalId))
                  .map(results -> recordLatency(results, metrics))
                  // Every element leaving the restarting inner stream costs messages between two
                  // actors: when the outer stream lags, one element stands for many results.
                  .conflate(Long::sum);
            });
    CompletionStage<Done> completion = restarting.runWith(Sink.ignore(), system);
    log.info("Ingesting {} into {} and {} (group {}, transactional id {})", settings.rawTopic(),
        settings.domainTopics().values(), settings.deadLetterTopic(), settings.consumerGroup(),
        transactionalId);
    return new IngestPipeline(system, control, completion);
  }

  /** A raw record's output (null: dropped as a duplicate) and its source offset. */
  private record Routed(ProducerRecord<byte[], byte[]> out,
      ConsumerMessage.PartitionOffset source) {}

  private static Routed route(IngestRouter router, DedupRebuilder rebuilder,
      Set<Integer> revoked, ConsumerMessage.TransactionalMessage<byte[], byte[]> message) {
    if (!revoked.isEmpty()) {
      for (Integer partition : Set.copyOf(revoked)) {
        router.forget(partition);
        revoked.remove(partition);
      }
    }
    ConsumerRecord<byte[], byte[]> raw = message.record();
    if (!router.knowsPartition(raw.partition())) {
      rebuilder.rebuild(router, new TopicPartition(raw.topic(), raw.partition()), raw.offset(),
          raw.timestamp());
    }
    return new Routed(router.route(raw), message.partitionOffset());
  }

  /**
   * One envelope per run of consecutive records of the same raw partition: their outputs, passing
   * through the offset of the run's last record. The transactional producer commits the offset an
   * envelope passes through, so an envelope must never hold records of two partitions (the
   * earlier partition's offset would be left out of the transaction that holds its outputs).
   */
  private static List<ProducerMessage.Envelope<byte[], byte[], ConsumerMessage.PartitionOffset>>
      envelopes(List<Routed> routed) {
    List<ProducerMessage.Envelope<byte[], byte[], ConsumerMessage.PartitionOffset>> envelopes =
        new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> run = new ArrayList<>();
    for (int i = 0; i < routed.size(); i++) {
      Routed r = routed.get(i);
      if (r.out() != null) {
        run.add(r.out());
      }
      boolean runEnds = i == routed.size() - 1 || !routed.get(i + 1).source().key()
          .equals(r.source().key());
      if (runEnds) {
        envelopes.add(run.isEmpty() ? ProducerMessage.passThrough(r.source())
            : ProducerMessage.multi(run, r.source()));
        run = new ArrayList<>();
      }
    }
    return envelopes;
  }

  /** Records the latency of each produced record; returns the number of results (one). */
  private static long recordLatency(
      ProducerMessage.Results<byte[], byte[], ConsumerMessage.PartitionOffset> results,
      IngestMetrics metrics) {
    long now = System.currentTimeMillis();
    if (results instanceof ProducerMessage.MultiResult<byte[], byte[],
        ConsumerMessage.PartitionOffset> multi) {
      for (ProducerMessage.MultiResultPart<byte[], byte[]> part : multi.getParts()) {
        metrics.latency((now - part.record().timestamp()) * 1000);
      }
    } else if (results instanceof ProducerMessage.Result<byte[], byte[],
        ConsumerMessage.PartitionOffset> r) {
      metrics.latency((now - r.message().record().timestamp()) * 1000);
    }
    return 1;
  }

  /** Completes when the stream ends (it only ends when stopped). */
  public CompletionStage<Done> completion() {
    return completion;
  }

  /** Stops consuming, lets the open transaction commit, and completes when the stream has ended. */
  public CompletionStage<Done> drainAndShutdown() {
    return control.get().drainAndShutdown(completion, system.executionContext());
  }

  /** Tells the stream to forget the duplicate filter of partitions taken from this node. */
  private record ForgetRevoked(Set<Integer> revoked) implements PartitionAssignmentHandler {
    @Override
    public void onRevoke(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
      partitions.forEach(p -> revoked.add(p.partition()));
    }

    @Override
    public void onAssign(Set<TopicPartition> partitions, RestrictedConsumer consumer) {}

    @Override
    public void onLost(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
      partitions.forEach(p -> revoked.add(p.partition()));
    }

    @Override
    public void onStop(Set<TopicPartition> partitions, RestrictedConsumer consumer) {}
  }
}
