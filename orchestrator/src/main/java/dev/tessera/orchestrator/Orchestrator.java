package dev.tessera.orchestrator;

import dev.tessera.orchestrator.hub.SignalHub;
import dev.tessera.orchestrator.kafka.SignalConsumer;
import dev.tessera.orchestrator.kafka.SignalProducer;
import dev.tessera.orchestrator.step.StepRunner;
import dev.tessera.orchestrator.workflow.Workflow;
import dev.tessera.orchestrator.workflow.WorkflowIndex;
import dev.tessera.sharding.ingest.TopicSetup;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator on a node: registers the {@link Workflow}, {@link SignalHub} and {@link
 * WorkflowIndex} entity types with Cluster Sharding, starts the {@code workflow-signals} consumer
 * (when {@code tessera.orchestrator.kafka.enabled}), and wakes the workflows left unfinished by
 * the last run. The node's HTTP layer calls {@link #service()}.
 */
public final class Orchestrator {
  private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);

  private final WorkflowService service;
  private final SignalConsumer consumer;
  private final SignalProducer producer;

  private Orchestrator(WorkflowService service, SignalConsumer consumer,
      SignalProducer producer) {
    this.service = service;
    this.consumer = consumer;
    this.producer = producer;
  }

  /**
   * Starts the orchestrator on a node whose cluster is (or will be) up.
   *
   * @param runner runs the workflows' steps (see {@code StandardSteps} for the real ones)
   */
  public static Orchestrator start(ActorSystem<?> system, OrchestratorSettings settings,
      StepRunner runner) {
    OrchestratorSettings.Kafka kafka = settings.kafka();
    SignalProducer producer = kafka.enabled() && kafka.publishEmitted()
        ? new SignalProducer(kafka.bootstrapServers(), kafka.topic()) : null;
    ClusterPorts ports = new ClusterPorts(system, settings.askTimeout(), producer);
    WorkflowIndex.init(system);
    SignalHub.init(system, settings.hub(), ports);
    Workflow.init(system, settings.workflow(), runner, ports);
    WorkflowService service = new WorkflowService(system, settings.askTimeout());
    SignalConsumer consumer = null;
    if (kafka.enabled()) {
      TopicSetup.ensureTopics(kafka.bootstrapServers(), Map.of(kafka.topic(), kafka.partitions()));
      consumer = SignalConsumer.start(system, kafka, service::postSignal);
    }
    Orchestrator orchestrator = new Orchestrator(service, consumer, producer);
    orchestrator.ready(java.time.Duration.ofMinutes(5))
        .thenCompose(ok -> service.resumeUnfinished())
        .whenComplete((woken, error) -> {
          if (error != null) {
            log.error("Could not list unfinished workflows to resume: {}", error.toString());
          } else if (!woken.isEmpty()) {
            log.info("Resumed unfinished workflows {}", woken);
          }
        });
    // Entities moved by a rebalance start again only on a message: wake the unfinished ones now
    // and then (each Get is cheap; a running workflow ignores it).
    system.scheduler().scheduleWithFixedDelay(settings.resumeInterval(),
        settings.resumeInterval(), () -> service.resumeUnfinished(), system.executionContext());
    return orchestrator;
  }

  public WorkflowService service() {
    return service;
  }

  /**
   * Completes once the journal answers (the workflow index recovered), retrying for up to {@code
   * within}: on a first start Cassandra creates the keyspaces meanwhile. A node should wait for it
   * before it reports ready.
   */
  public CompletionStage<Done> ready(java.time.Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    return probe(deadline);
  }

  private CompletionStage<Done> probe(long deadline) {
    return service.list(java.util.Optional.empty(), java.util.Optional.empty())
        .thenApply(all -> Done.getInstance())
        .exceptionallyCompose(error -> {
          if (System.nanoTime() > deadline) {
            return CompletableFuture.failedFuture(error);
          }
          log.info("Orchestrator journal not ready yet: {}", error.toString());
          return probe(deadline);
        });
  }

  /** Stops the Kafka consumer and producer (the entities stop with the actor system). */
  public CompletionStage<Done> stop() {
    CompletionStage<Done> stopped = consumer == null
        ? CompletableFuture.completedFuture(Done.getInstance()) : consumer.stop();
    return stopped.whenComplete((done, error) -> {
      if (producer != null) {
        producer.close();
      }
    });
  }
}
