package dev.tessera.orchestrator.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.orchestrator.Orchestrator;
import dev.tessera.orchestrator.OrchestratorSettings;
import dev.tessera.orchestrator.OrchestratorTestNode;
import dev.tessera.orchestrator.registry.ModelRegistry;
import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalJson;
import dev.tessera.orchestrator.step.StandardSteps;
import dev.tessera.orchestrator.workflow.HistoryEntry;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import dev.tessera.orchestrator.WorkflowService;
import dev.tessera.orchestrator.workflow.WorkflowStatus;
import dev.tessera.orchestrator.workflow.WorkflowSummary;
import dev.tessera.orchestrator.workflow.WorkflowView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three workflows chained by signals on real Kafka and Cassandra: a feature-engineering run
 * emits features_ready, which starts a training workflow (chaining), whose model_trained starts a
 * deployment; the model is registered in the Cassandra registry; canary metrics arrive on the
 * workflow-signals topic (twice: the repeat is a no-op); the Mann-Whitney analysis emits
 * canary_passed and the rollout makes the model the production one. The two batch steps are
 * stand-in shell commands writing the batch jobs' result JSON (the real jobs live in batch/).
 */
@ExtendWith(LocalInfrastructureExtension.class)
class WorkflowChainIT {

  @Test
  void featuresReadyStartsTrainingWhoseModelIsRegisteredCanaryAnalysedAndRolledOut(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    String bootstrap = infrastructure.kafka().bootstrapServers();
    String contactPoint = infrastructure.cassandra().host() + ":"
        + infrastructure.cassandra().port();
    String topic = names.topic("workflow-signals");
    Path work = Files.createTempDirectory(Path.of("target"), "chain-it-").toAbsolutePath();
    Config config = OrchestratorTestNode.config(contactPoint, names.keyspace("journal"),
        names.keyspace("snapshot"), """
        tessera.orchestrator {
          workflow { min-backoff = 200ms, max-backoff = 1s, defaults.min-rows = 1000 }
          kafka { enabled = on, bootstrap-servers = "%s", topic = "%s", consumer-group = "%s" }
          registry.keyspace = %s
          steps {
            work-dir = "%s"
            commands {
              "feature-engineering.extract" = [sh, -c,
                "mkdir -p \\"$0/set\\" && printf '{\\"rows\\":5000,\\"trainRows\\":3500,\\"validationRows\\":1000,\\"testRows\\":500,\\"completeness\\":0.997,\\"leakageViolations\\":0,\\"outputPath\\":\\"%%s\\"}' \\"$0/set\\" > \\"$1\\"",
                "${stepDir}", "${resultFile}"]
              "model-training.train" = [sh, -c,
                "test -d \\"$0\\" && printf '{\\"auc\\":0.83,\\"modelPath\\":\\"%%s/model\\"}' \\"$1\\" > \\"$2\\"",
                "${inputPath}", "${stepDir}", "${resultFile}"]
            }
          }
        }
        """.formatted(bootstrap, topic, names.consumerGroup("orchestrator"),
            names.keyspace("registry"), work));
    OrchestratorSettings settings = OrchestratorSettings.create(config);
    ActorSystem<Void> system = OrchestratorTestNode.start(config);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
        new ByteArraySerializer())) {
      ModelRegistry registry = ModelRegistry.create(system, settings.registry());
      Orchestrator orchestrator = Orchestrator.start(system, settings, StandardSteps.create(
          settings, registry, system.dispatchers().lookup(DispatcherSelector.blocking())));
      orchestrator.ready(Duration.ofSeconds(90)).toCompletableFuture().get(100, TimeUnit.SECONDS);
      WorkflowService service = orchestrator.service();

      service.start("fe-chain", WorkflowKind.FEATURE_ENGINEERING,
          Map.of("group", "member_engagement", "version", "1")).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);

      WorkflowSummary deployment = awaitListed(service, WorkflowKind.MODEL_DEPLOYMENT,
          WorkflowStatus.WAITING_FOR_SIGNAL, "await-canary-metrics");
      WorkflowView waiting = get(service, deployment.workflowId());
      String modelId = (String) waiting.vars().get("modelId");
      assertThat(registry.get(modelId).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .hasValueSatisfying(m -> {
            assertThat(m.stage()).isEqualTo("canary");
            assertThat(m.metrics()).containsEntry("auc", 0.83);
            assertThat(m.artifactPath()).endsWith("/model");
          });

      Signal metrics = canaryMetrics(modelId);
      for (int i = 0; i < 2; i++) {
        producer.send(new ProducerRecord<>(topic, metrics.id(), SignalJson.toJson(metrics)))
            .get(10, TimeUnit.SECONDS);
      }
      WorkflowView done = awaitStatus(service, deployment.workflowId(), WorkflowStatus.COMPLETED);

      assertThat(done.history()).extracting(HistoryEntry::event).containsExactly("Started",
          "WaitStarted", "SignalReceived", "StepStarted", "StepSucceeded", "StepStarted",
          "StepSucceeded", "WaitStarted", "SignalReceived", "StepStarted", "StepSucceeded",
          "WaitStarted", "SignalReceived", "StepStarted", "StepSucceeded", "WorkflowCompleted");
      assertThat(done.vars()).containsEntry("passed", true).containsEntry("stage", "production")
          .containsEntry("auc", 0.83);
      assertThat(registry.get(modelId).toCompletableFuture().get(10, TimeUnit.SECONDS)
          .orElseThrow().stage()).isEqualTo("production");

      List<WorkflowSummary> trainings = service.list(Optional.of(WorkflowKind.MODEL_TRAINING),
          Optional.of(WorkflowStatus.COMPLETED)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(trainings).hasSize(1);
      WorkflowView training = get(service, trainings.get(0).workflowId());
      assertThat(training.vars()).containsEntry("rows", 5000).containsEntry("auc", 0.83)
          .containsEntry("trigger", "features_ready/member_engagement/1/fe-chain");
      assertThat(service.signals("canary_metrics").toCompletableFuture()
          .get(10, TimeUnit.SECONDS).signals()).hasSize(1);
      assertThat(signalsOnTopic(bootstrap, topic, 4)).contains(
          "features_ready/member_engagement/1/fe-chain",
          "model_trained/member_engagement/1/" + training.workflowId(),
          "canary_passed/member_engagement/1/" + deployment.workflowId(), metrics.id());
      orchestrator.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      OrchestratorTestNode.stop(system);
    }
  }

  private static Signal canaryMetrics(String modelId) {
    Random random = new Random(5);
    List<Double> baseline = new ArrayList<>();
    List<Double> canary = new ArrayList<>();
    List<Double> baselineErrors = new ArrayList<>();
    List<Double> canaryErrors = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      baseline.add(40 * Math.exp(0.3 * random.nextGaussian()));
      canary.add(40 * Math.exp(0.3 * random.nextGaussian()));
    }
    for (int i = 0; i < 20; i++) {
      baselineErrors.add(Math.abs(0.01 + 0.003 * random.nextGaussian()));
      canaryErrors.add(Math.abs(0.01 + 0.003 * random.nextGaussian()));
    }
    return new Signal("canary_metrics/" + modelId + "/1", "canary_metrics", 1L,
        "test/canary-monitor", Map.of("modelId", modelId), Map.of("modelId", modelId,
            "baselineLatencyMs", baseline, "canaryLatencyMs", canary,
            "baselineErrorRate", baselineErrors, "canaryErrorRate", canaryErrors));
  }

  private static WorkflowView get(WorkflowService service, String id) throws Exception {
    return service.get(id).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static WorkflowSummary awaitListed(WorkflowService service, WorkflowKind kind,
      WorkflowStatus status, String phase) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      List<WorkflowSummary> found = service.list(Optional.of(kind), Optional.of(status))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      for (WorkflowSummary s : found) {
        if (phase.equals(s.phase())) {
          return s;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + kind + " workflow reached " + status + " " + phase + "; all: "
        + service.list(Optional.empty(), Optional.empty()).toCompletableFuture().get());
  }

  private static WorkflowView awaitStatus(WorkflowService service, String id,
      WorkflowStatus status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    WorkflowView view = null;
    while (System.nanoTime() < deadline) {
      view = get(service, id);
      if (view.status() == status) {
        return view;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " did not reach " + status + ": " + view);
  }

  private static Set<String> signalsOnTopic(String bootstrap, String topic, int atLeast) {
    Set<String> keys = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (keys.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
      }
    }
    return keys;
  }
}
