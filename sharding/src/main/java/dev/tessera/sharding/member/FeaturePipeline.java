package dev.tessera.sharding.member;

import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EnrichedEventJson;
import dev.tessera.engine.event.EventStream;
import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.sharding.ingest.TopicSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.FutureConverters;
import org.apache.pekko.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature stage of a node: every domain topic into {@link MemberFeatures} entities, batch by
 * batch. Each (topic, partition) is its own sub-stream that takes up to {@code max-batch} records,
 * groups them by member (keeping each member's offset order), sends one {@link
 * MemberFeatures.ApplyEvents} per member, and waits for all of them before its next batch — so a
 * member's events of one stream are applied in Kafka order, and no event is asked for on its own.
 *
 * <p>The consumer group uses the range assignor, so partition i of every domain topic goes to the
 * same node, and {@link PartitionAlignment} places shard i there too. Offsets are committed only by
 * checkpoints, after the state they cover is durable (see {@code Checkpoints}).
 */
public final class FeaturePipeline {
  private static final Logger log = LoggerFactory.getLogger(FeaturePipeline.class);

  private final AtomicReference<Consumer.Control> control;
  private final CompletionStage<Done> completion;
  private final KafkaProducer<byte[], byte[]> lateProducer;
  private final Cancellable timer;
  private final Checkpoints checkpoints;

  private FeaturePipeline(AtomicReference<Consumer.Control> control, CompletionStage<Done> completion,
      KafkaProducer<byte[], byte[]> lateProducer, Cancellable timer, Checkpoints checkpoints) {
    this.control = control;
    this.completion = completion;
    this.lateProducer = lateProducer;
    this.timer = timer;
    this.checkpoints = checkpoints;
  }

  /**
   * Registers {@link MemberFeatures} with sharding on this node, placed by partition.
   *
   * @param store durable state, or null to keep state in memory only (then nothing passivates)
   */
  public static void initSharding(ActorSystem<?> system, List<FeatureGroup> groups,
      SnapshotSink sink, int partitions, MemberStateStore store, FeatureSettings settings) {
    ClusterSharding.get(system).init(
        Entity.of(MemberFeatures.ENTITY_KEY,
                context -> MemberFeatures.create(context.getEntityId(), groups, sink, store,
                    store == null ? null : context.getShard()))
            .withMessageExtractor(MemberShards.<MemberFeatures.Command>extractor(partitions))
            .withStopMessage(MemberFeatures.Stop.INSTANCE)
            .withAllocationStrategy(new ExternalShardAllocationStrategy(system,
                MemberFeatures.ENTITY_KEY.name(), Timeout.create(Duration.ofSeconds(5))))
            .withSettings(shardingSettings(system, store != null, settings.idleTimeout())));
  }

  /**
   * Sharding's own idle passivation when state is durable (the shard notes each delivery; an
   * entity's receive timeout would cancel and reschedule a timer per message), none when state
   * lives in memory only. A passivated entity gets {@link MemberFeatures.Stop} and writes what is
   * not durable yet before it stops; the shard buffers its messages meanwhile.
   */
  private static ClusterShardingSettings shardingSettings(ActorSystem<?> system, boolean durable,
      Duration idleTimeout) {
    ClusterShardingSettings none = ClusterShardingSettings.create(system)
        .withNoPassivationStrategy();
    return durable ? none.withPassivationStrategy(
        none.passivationStrategySettings().withIdleEntityPassivation(idleTimeout)) : none;
  }

  /**
   * Starts consuming the domain topics; {@link #initSharding} must have run on this node.
   *
   * @param store where member state is durable (the one given to {@link #initSharding}): then
   *     every checkpoint interval each partition's touched members are written and its offsets
   *     committed; null when state lives in memory only: nothing is committed and a restart
   *     replays the topics from the beginning
   */
  public static FeaturePipeline start(ActorSystem<?> system, String bootstrapServers,
      IngestSettings topics, FeatureSettings settings, FeatureMetrics metrics,
      MemberStateStore store) {
    boolean durable = store != null;
    TopicSetup.ensureTopics(bootstrapServers,
        Map.of(settings.lateEventsTopic(), topics.domainPartitions()));
    Map<String, EventStream> streamOfTopic = new HashMap<>();
    topics.domainTopics().forEach((stream, topic) -> streamOfTopic.put(topic, stream));
    ActorRef<BatchCollector.Command> collector = system.systemActorOf(
        Behaviors.supervise(BatchCollector.create()).onFailure(SupervisorStrategy.resume()),
        "feature-batches-" + settings.consumerGroup(), Props.empty());
    CompletableFuture<ActorRef<MemberFeatures.Applied>> address = new CompletableFuture<>();
    collector.tell(new BatchCollector.GetReplyAddress(address));
    ActorRef<MemberFeatures.Applied> repliesTo = address.join();

    Map<String, Object> producerProperties = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    KafkaProducer<byte[], byte[]> lateProducer = new KafkaProducer<>(producerProperties,
        new ByteArraySerializer(), new ByteArraySerializer());
    ConsumerSettings<byte[], byte[]> consumerSettings =
        ConsumerSettings.create(system.settings().config().getConfig("tessera.features.consumer"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())
            .withBootstrapServers(bootstrapServers)
            .withGroupId(settings.consumerGroup())
            .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
            .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
            .withProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .withProperty(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                RangeAssignor.class.getName())
            .withStopTimeout(Duration.ZERO);
    Checkpoints checkpoints = new Checkpoints(system, settings, metrics, store);
    Dispatcher dispatcher = new Dispatcher(system, streamOfTopic, collector, repliesTo, settings,
        metrics, lateProducer, checkpoints);

    AtomicReference<Consumer.Control> control =
        new AtomicReference<>(Consumer.createNoopControl());
    // A failed batch (a member that did not answer in time, a broker gone) restarts the stream
    // with backoff from the committed offsets; members skip what they already applied.
    CompletionStage<Done> completion = RestartSource.onFailuresWithBackoff(
            RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
            () -> Consumer.committablePartitionedSource(consumerSettings,
                    Subscriptions.topics(Set.copyOf(topics.domainTopics().values()))
                        .withPartitionAssignmentHandler(
                            new PartitionAlignment(system, MemberFeatures.ENTITY_KEY.name())))
                .mapMaterializedValue(c -> {
                  control.set(c);
                  return c;
                })
                .mapAsyncUnordered(1024, partition -> partition.second()
                    .groupedWithin(settings.maxBatch(), settings.maxBatchDelay())
                    .mapAsync(1, batch -> dispatcher.dispatch(partition.first(), batch))
                    .runWith(Sink.ignore(), system)))
        .runWith(Sink.ignore(), system);
    Cancellable timer = durable
        ? system.scheduler().scheduleWithFixedDelay(settings.checkpointInterval(),
            settings.checkpointInterval(), checkpoints::checkpointAll, system.executionContext())
        : Cancellable.alreadyCancelled();
    log.info("Feature pipeline consuming {} as group {} ({})", topics.domainTopics().values(),
        settings.consumerGroup(), durable ? "checkpoints every " + settings.checkpointInterval()
            : "state in memory only");
    return new FeaturePipeline(control, completion, lateProducer, timer,
        durable ? checkpoints : null);
  }

  /**
   * Stops consuming: batches in flight finish, then (when durable) a last checkpoint persists the
   * touched members and commits their offsets, then the consumer closes.
   */
  public CompletionStage<Done> stop() {
    timer.cancel();
    Consumer.Control current = control.get();
    return current.stop()
        .thenCompose(stopped -> completion)
        .thenCompose(done -> checkpoints == null
            ? CompletableFuture.completedFuture(Done.getInstance()) : checkpoints.checkpointAll())
        .thenCompose(done -> current.shutdown())
        .whenComplete((done, error) -> lateProducer.close(Duration.ofSeconds(5)));
  }

  /**
   * Per-partition checkpoints, as Flink's aligned checkpoints but per partition: the members a
   * partition's batches touched since the last checkpoint hand over their state, which is written
   * in batches per Cassandra partition, then the partition's offsets of every domain topic are
   * committed. A restart replays from the committed offsets; members skip what their durable state
   * already holds (its offsets), so nothing is lost or counted twice.
   */
  private static final class Checkpoints {
    private static final int PERSIST_PARALLELISM = 256;
    /** State bytes a checkpoint writes together (16 buckets of up to 256 KiB batches). */
    private static final long WRITE_CHUNK_BYTES = 4L << 20;
    private final ActorSystem<?> system;
    private final FeatureSettings settings;
    private final FeatureMetrics metrics;
    private final MemberStateStore store;
    private final Map<Integer, Partition> partitions = new ConcurrentHashMap<>();

    private static final class Partition {
      final Set<String> touched = ConcurrentHashMap.newKeySet();
      final Map<String, ConsumerMessage.CommittableOffset> completed = new ConcurrentHashMap<>();
      CompletableFuture<Done> running = CompletableFuture.completedFuture(Done.getInstance());
    }

    Checkpoints(ActorSystem<?> system, FeatureSettings settings, FeatureMetrics metrics,
        MemberStateStore store) {
      this.system = system;
      this.settings = settings;
      this.metrics = metrics;
      this.store = store;
    }

    private static long stateBytes(MemberFeatures.Captured state) {
      long bytes = 0;
      for (MemberStateStore.StateWrite write : state.writes()) {
        bytes += write.state().length;
      }
      return Math.max(1, bytes);
    }

    Partition of(int partition) {
      return partitions.computeIfAbsent(partition, p -> new Partition());
    }

    synchronized CompletableFuture<Done> checkpointAll() {
      List<CompletableFuture<Done>> all = new ArrayList<>();
      partitions.forEach((number, partition) -> {
        if (partition.running.isDone()) {
          partition.running = checkpoint(number, partition);
        }
        all.add(partition.running);
      });
      return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .thenApply(v -> Done.getInstance());
    }

    private CompletableFuture<Done> checkpoint(int number, Partition partition) {
      // Offsets first, then members: every batch at or below these offsets has completed, and
      // its members were marked touched when it completed, before its offset was recorded, so
      // they are in the set drained next (or an earlier drain captured them after they had
      // applied it: they replied before the batch completed). Marking them when the batch was
      // sent instead lost events: a checkpoint could drain a member between the marking and the
      // send, capture its state before the batch, and a later checkpoint commit the batch's
      // offset without capturing the member again (found by FeatureCrashIT).
      Map<String, ConsumerMessage.CommittableOffset> offsets = Map.copyOf(partition.completed);
      List<String> members = new ArrayList<>();
      for (var it = partition.touched.iterator(); it.hasNext(); ) {
        members.add(it.next());
        it.remove();
      }
      if (offsets.isEmpty() && members.isEmpty()) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      long started = System.nanoTime();
      ClusterSharding sharding = ClusterSharding.get(system);
      // Every touched member hands over its state (at most PERSIST_PARALLELISM asks at once: a
      // first checkpoint can cover every member of the partition); the states are written in
      // chunks of about WRITE_CHUNK_BYTES as they arrive, one chunk at a time (a few
      // single-partition batches per Cassandra partition, not a statement per member), and each
      // chunk's members learn they are durable once it is written. Then the offsets are
      // committed. Streaming the chunks keeps a checkpoint's memory and Cassandra's load bounded:
      // holding every state until all were captured, then writing them all at once, kept tens of
      // megabytes alive for seconds per partition (the GC copied them between young collections)
      // and queued the whole checkpoint on Cassandra at once.
      CompletionStage<Done> persisted = Source.from(members)
          .mapAsyncUnordered(PERSIST_PARALLELISM, member -> sharding
              .entityRefFor(MemberFeatures.ENTITY_KEY, member)
              .<MemberFeatures.Captured>ask(MemberFeatures.CaptureState::new,
                  settings.replyTimeout()))
          .filter(state -> !state.writes().isEmpty())
          .groupedWeighted(WRITE_CHUNK_BYTES, Checkpoints::stateBytes)
          .mapAsync(1, chunk -> {
            List<MemberStateStore.StateWrite> writes = new ArrayList<>();
            for (MemberFeatures.Captured state : chunk) {
              writes.addAll(state.writes());
            }
            return store.saveAll(writes).thenApply(done -> {
              for (MemberFeatures.Captured state : chunk) {
                sharding.entityRefFor(MemberFeatures.ENTITY_KEY, state.memberId())
                    .tell(new MemberFeatures.Durable(state.incarnation(), state.applied()));
                metrics.checkpointBytes.add(stateBytes(state));
              }
              metrics.checkpointWrites.add(writes.size());
              return done;
            });
          })
          .runWith(Sink.ignore(), system);
      return persisted.toCompletableFuture()
          .thenCompose(v -> offsets.isEmpty()
              ? CompletableFuture.completedFuture(Done.getInstance())
              : FutureConverters.asJava(ConsumerMessage
                  .createCommittableOffsetBatch(List.copyOf(offsets.values())).commitInternal())
                  .toCompletableFuture())
          .handle((done, error) -> {
            if (error != null) {
              // Nothing was committed: the next checkpoint persists these members again. Offsets
              // that could not be committed (their consumer is gone after a restart) make room
              // for the next incarnation's.
              partition.touched.addAll(members);
              offsets.forEach(partition.completed::remove);
              metrics.checkpointFailures.increment();
              log.warn("Checkpoint of partition {} failed, retrying next interval: {}", number,
                  error.toString());
            } else {
              metrics.checkpoints.increment();
              metrics.checkpointMicros((System.nanoTime() - started) / 1000);
            }
            return Done.getInstance();
          });
    }
  }

  /** Sends one partition's batch to its members and waits for their answers. */
  private static final class Dispatcher {
    private final ClusterSharding sharding;
    private final Map<String, EventStream> streamOfTopic;
    private final ActorRef<BatchCollector.Command> collector;
    private final ActorRef<MemberFeatures.Applied> repliesTo;
    private final FeatureSettings settings;
    private final FeatureMetrics metrics;
    private final KafkaProducer<byte[], byte[]> lateProducer;
    private final Checkpoints checkpoints;
    private final AtomicLong batchIds = new AtomicLong();

    Dispatcher(ActorSystem<?> system, Map<String, EventStream> streamOfTopic,
        ActorRef<BatchCollector.Command> collector, ActorRef<MemberFeatures.Applied> repliesTo,
        FeatureSettings settings, FeatureMetrics metrics,
        KafkaProducer<byte[], byte[]> lateProducer, Checkpoints checkpoints) {
      this.sharding = ClusterSharding.get(system);
      this.streamOfTopic = streamOfTopic;
      this.collector = collector;
      this.repliesTo = repliesTo;
      this.settings = settings;
      this.metrics = metrics;
      this.lateProducer = lateProducer;
      this.checkpoints = checkpoints;
    }

    /** One member's share of a batch. */
    private static final class MemberBatch {
      final List<EnrichedEvent> events = new ArrayList<>();
      final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

      long[] offsets() {
        long[] offsets = new long[records.size()];
        for (int i = 0; i < offsets.length; i++) {
          offsets[i] = records.get(i).offset();
        }
        return offsets;
      }
    }

    CompletionStage<Done> dispatch(TopicPartition partition,
        List<ConsumerMessage.CommittableMessage<byte[], byte[]>> messages) {
      EventStream stream = streamOfTopic.get(partition.topic());
      Map<String, MemberBatch> byMember = new LinkedHashMap<>();
      long newestIngestion = 0;
      for (ConsumerMessage.CommittableMessage<byte[], byte[]> message : messages) {
        ConsumerRecord<byte[], byte[]> record = message.record();
        EnrichedEventJson.Decoded decoded;
        try {
          decoded = EnrichedEventJson.decode(record.value());
        } catch (IllegalArgumentException e) {
          metrics.undecodable.increment();
          log.warn("Skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
              record.offset(), e.getMessage());
          continue;
        }
        MemberBatch member = byMember.computeIfAbsent(decoded.event().memberId(),
            id -> new MemberBatch());
        member.events.add(decoded.event());
        member.records.add(record);
        newestIngestion = Math.max(newestIngestion, decoded.ingestedAt());
      }
      metrics.records.add(messages.size());
      Checkpoints.Partition checkpoint = checkpoints.of(partition.partition());
      ConsumerMessage.CommittableOffset last = messages.get(messages.size() - 1).committableOffset();
      if (byMember.isEmpty()) {
        checkpoint.completed.put(partition.topic(), last);
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      long batchId = batchIds.incrementAndGet();
      CompletableFuture<List<MemberFeatures.Applied>> done = new CompletableFuture<>();
      collector.tell(new BatchCollector.Expect(batchId, byMember.size(), done));
      byMember.forEach((memberId, batch) -> sharding
          .entityRefFor(MemberFeatures.ENTITY_KEY, memberId)
          .tell(new MemberFeatures.ApplyEvents(batchId, stream, batch.events, batch.offsets(),
              repliesTo)));
      metrics.batches.increment();
      metrics.memberMessages.add(byMember.size());
      long ingestedAt = newestIngestion;
      return done
          .orTimeout(settings.replyTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((replies, error) -> {
            if (error != null) {
              collector.tell(new BatchCollector.Forget(batchId));
            }
          })
          .thenApply(replies -> {
            metrics.freshness((System.currentTimeMillis() - ingestedAt) * 1000);
            for (MemberFeatures.Applied applied : replies) {
              metrics.accepted.add(applied.accepted());
              metrics.duplicates.add(applied.duplicates());
              metrics.alreadyApplied.add(applied.alreadyApplied());
              metrics.late.add(applied.late());
              for (int position : applied.latePositions()) {
                ConsumerRecord<byte[], byte[]> late =
                    byMember.get(applied.memberId()).records.get(position);
                lateProducer.send(new ProducerRecord<>(settings.lateEventsTopic(), null,
                    late.timestamp(), late.key(), late.value(), late.headers()));
              }
            }
            // Touched, then the offset: see Checkpoints.checkpoint.
            checkpoint.touched.addAll(byMember.keySet());
            checkpoint.completed.put(partition.topic(), last);
            return Done.getInstance();
          });
    }
  }
}
