package dev.tessera.deploy.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.deploy.NodeConfig;
import dev.tessera.deploy.demo.LiveTraffic;
import dev.tessera.deploy.node.TesseraNode;
import dev.tessera.embedded.LocalInfrastructure;
import dev.tessera.embedded.Ports;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The orchestrator's chain with the real jobs, observed as an operator sees it, over HTTP: the
 * simulator's traffic goes through a node's ingestion; a feature-engineering workflow runs {@code
 * ./tessera batch archive} and {@code training-set} as child processes (Spark, reading the node's
 * Kafka) and emits {@code features_ready}; that starts a training workflow whose {@code ./tessera
 * batch train} fits a Spark MLlib model and reports its validation AUC in {@code model_trained};
 * that starts a deployment that registers the model in the Cassandra registry, waits for canary
 * metrics, passes the Mann-Whitney analysis and rolls the model out. Every workflow's history is
 * read back from {@code GET /v1/workflows/{id}}.
 *
 * <p>Needs {@code batch/} built (the reactor builds it before this module). About 2-4 minutes, most
 * of it Spark starting three times.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class RealJobsWorkflowIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "real-jobs-it-operator-token";
  private static final Duration CHAIN_TIMEOUT = Duration.ofMinutes(12);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void simulatedTrafficBecomesATrainedModelThatIsRegisteredCanaryAnalysedAndRolledOut(
      LocalInfrastructure infrastructure, TestNamespace names) throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    // Under target/, kept when the test fails for a post-mortem: step logs, training set, report.
    Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")),
        "real-jobs-it-").toAbsolutePath();
    assertThat(root.resolve("batch/target/runtime.classpath"))
        .as("batch/ must be built first (mvn verify builds it before deploy/)").exists();
    Path archive = work.resolve("archive");
    Path steps = work.resolve("orchestrator");
    Config config = ConfigFactory.parseString("""
        tessera.node.topic-prefix = "%s-"
        tessera.serving.port = 0
        tessera.serving.auth.operator-token = "%s"
        pekko.management.http.port = %d
        tessera.orchestrator {
          workflow { min-backoff = 1s, max-backoff = 5s, defaults { min-rows = 200, min-auc = 0.0 } }
          steps {
            tessera-command = "%s"
            work-dir = "%s"
            archive-path = "%s"
            environment {
              TESSERA_SKIP_BUILD = "1"
              TESSERA_BATCH_HEAP = "-Xmx1g"
              TESSERA_SPARK_MASTER = "local[2]"
            }
          }
        }
        """.formatted(names.prefix(), TOKEN, Ports.freePort(), root.resolve("tessera"), steps,
            archive))
        .withFallback(NodeConfig.forLocal(infrastructure, names.keyspace("node"), 0));
    TesseraNode node = TesseraNode.start(config);
    boolean passed = false;
    try {
      // Live traffic: every event is ingested as it happens. (A stream produced after the fact
      // gives point-in-time features of zero at every label instant: nothing had been ingested
      // by then.)
      long records = 24_000;
      try (LiveTraffic traffic = LiveTraffic.start(infrastructure.kafka().bootstrapServers(),
          node.settings().ingest(), 41, 300, 600)) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (traffic.produced() < records && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!allApplied(node, records) && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(allApplied(node, records)).as("every record ingested and applied").isTrue();
      String url = node.httpUrl();

      HttpResponse<String> started = post(url + "/v1/workflows", Map.of(
          "kind", "feature-engineering", "id", "fe-real",
          "params", Map.of("group", "member_engagement", "version", "1")));
      assertThat(started.statusCode()).as(started.body()).isEqualTo(201);

      JsonNode waiting = awaitWorkflow(url, "model-deployment", "WAITING_FOR_SIGNAL",
          "await-canary-metrics");
      String deploymentId = waiting.path("workflowId").asText();
      JsonNode features = get(url + "/v1/workflows/fe-real");
      assertThat(features.path("status").asText()).isEqualTo("COMPLETED");
      JsonNode featureVars = features.path("vars");
      assertThat(featureVars.path("rows").asLong()).isGreaterThanOrEqualTo(200);
      assertThat(featureVars.path("trainRows").asLong()
          + featureVars.path("validationRows").asLong() + featureVars.path("testRows").asLong())
          .isEqualTo(featureVars.path("rows").asLong());
      assertThat(featureVars.path("leakageViolations").asLong()).isZero();
      assertThat(featureVars.path("completeness").asDouble()).isGreaterThanOrEqualTo(0.98);
      assertThat(parquetFiles(Path.of(featureVars.path("outputPath").asText()))).isNotEmpty();
      assertThat(parquetFiles(archive)).as("the archive the extract step wrote").isNotEmpty();
      JsonNode report = JSON.readTree(Path.of(featureVars.path("reportPath").asText()).toFile());
      assertThat(report.path("features").path("member_plays_24h").path("max").asDouble())
          .as("point-in-time features carry the members' history").isPositive();
      assertThat(events(features)).containsSubsequence("Started", "StepStarted",
          "StepSucceeded", "StepStarted", "StepSucceeded", "StepStarted", "StepSucceeded",
          "WorkflowCompleted");

      JsonNode trainings = get(url + "/v1/workflows?kind=model-training&status=COMPLETED")
          .path("workflows");
      assertThat(trainings).hasSize(1);
      JsonNode training = get(url + "/v1/workflows/" + trainings.get(0).path("workflowId")
          .asText());
      JsonNode trainingVars = training.path("vars");
      assertThat(trainingVars.path("trigger").asText())
          .isEqualTo("features_ready/member_engagement/1/fe-real");
      double auc = trainingVars.path("auc").asDouble(Double.NaN);
      assertThat(auc).as("validation AUC of the fitted model").isBetween(0.0, 1.0);
      assertThat(trainingVars.path("trainRows").asLong()).isPositive();
      assertThat(trainingVars.path("validationRows").asLong()).isPositive();
      Path model = Path.of(trainingVars.path("modelPath").asText());
      assertThat(model.resolve("metadata")).as("a saved Spark ML model").isDirectory();

      JsonNode deploymentVars = get(url + "/v1/workflows/" + deploymentId).path("vars");
      String modelId = deploymentVars.path("modelId").asText();
      assertThat(modelId).isNotEmpty();
      assertThat(deploymentVars.path("auc").asDouble()).isEqualTo(auc);
      HttpResponse<String> signal = post(url + "/v1/signals", canaryMetrics(modelId));
      assertThat(signal.statusCode()).as(signal.body()).isEqualTo(202);

      JsonNode deployment = awaitStatus(url, deploymentId, "COMPLETED");
      assertThat(events(deployment)).containsExactly("Started", "WaitStarted", "SignalReceived",
          "StepStarted", "StepSucceeded", "StepStarted", "StepSucceeded", "WaitStarted",
          "SignalReceived", "StepStarted", "StepSucceeded", "WaitStarted", "SignalReceived",
          "StepStarted", "StepSucceeded", "WorkflowCompleted");
      assertThat(deployment.path("vars").path("passed").asBoolean()).isTrue();
      assertThat(deployment.path("vars").path("stage").asText()).isEqualTo("production");
      for (JsonNode entry : deployment.path("history")) {
        assertThat(entry.path("at").asLong()).as(entry.toString()).isPositive();
      }
      System.out.printf("real chain: %d domain events -> %d training rows (%d train, %d"
              + " validation) -> validation AUC %.3f -> model %s in production%n",
          node.featureMetrics().records(), featureVars.path("rows").asLong(),
          trainingVars.path("trainRows").asLong(), trainingVars.path("validationRows").asLong(),
          auc, modelId);
      passed = true;
    } finally {
      node.stop(Duration.ofSeconds(60));
    }
    if (passed) {
      try (Stream<Path> paths = Files.walk(work)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  /** The node ingested at least {@code records} raw records and applied all it routed. */
  private static boolean allApplied(TesseraNode node, long records) {
    long routed = node.ingestMetrics().routed().values().stream().mapToLong(Long::longValue).sum();
    return node.ingestMetrics().recordsIn() >= records
        && node.featureMetrics().records() == routed;
  }

  /**
   * Canary samples that equal the baseline's up to a rotation (same distribution): the analysis
   * finds the canary no worse.
   */
  private static Map<String, Object> canaryMetrics(String modelId) {
    List<Double> baselineLatency = new ArrayList<>();
    List<Double> canaryLatency = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      baselineLatency.add(30.0 + (i * 7) % 23);
      canaryLatency.add(30.0 + ((i + 11) * 7) % 23);
    }
    List<Double> errorRates = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      errorRates.add(0.008 + 0.001 * (i % 5));
    }
    return Map.of("id", "canary_metrics/" + modelId + "/1", "name", "canary_metrics",
        "joinKeys", Map.of("modelId", modelId),
        "payload", Map.of("modelId", modelId, "baselineLatencyMs", baselineLatency,
            "canaryLatencyMs", canaryLatency, "baselineErrorRate", errorRates,
            "canaryErrorRate", errorRates));
  }

  /** Waits for a workflow of {@code kind} in {@code status} and {@code phase}; fails fast on a failure. */
  private JsonNode awaitWorkflow(String url, String kind, String status, String phase)
      throws Exception {
    long deadline = System.nanoTime() + CHAIN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      failOnFailedWorkflow(url);
      for (JsonNode summary : get(url + "/v1/workflows?kind=" + kind + "&status=" + status)
          .path("workflows")) {
        if (phase.equals(summary.path("phase").asText())) {
          return summary;
        }
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("no " + kind + " workflow reached " + status + "/" + phase
        + " in " + CHAIN_TIMEOUT + "; all: " + get(url + "/v1/workflows"));
  }

  private JsonNode awaitStatus(String url, String id, String status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    JsonNode view = null;
    while (System.nanoTime() < deadline) {
      failOnFailedWorkflow(url);
      view = get(url + "/v1/workflows/" + id);
      if (view.path("status").asText().equals(status)) {
        return view;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(id + " did not reach " + status + ": " + view);
  }

  /** A failed workflow ends the test at once, with its history (the step's log tail is in it). */
  private void failOnFailedWorkflow(String url) throws Exception {
    JsonNode failed = get(url + "/v1/workflows?status=FAILED").path("workflows");
    if (!failed.isEmpty()) {
      String id = failed.get(0).path("workflowId").asText();
      throw new AssertionError("workflow " + id + " failed: "
          + get(url + "/v1/workflows/" + id).toPrettyString());
    }
  }

  private static List<String> events(JsonNode view) {
    List<String> events = new ArrayList<>();
    view.path("history").forEach(entry -> events.add(entry.path("event").asText()));
    return events;
  }

  private static List<Path> parquetFiles(Path directory) throws Exception {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
    }
  }

  private JsonNode get(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> post(String url, Object body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
