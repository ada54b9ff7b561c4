package dev.tessera.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.orchestrator.Orchestrator;
import dev.tessera.orchestrator.OrchestratorSettings;
import dev.tessera.orchestrator.step.StepResult;
import dev.tessera.orchestrator.step.StepRunner;
import dev.tessera.serving.TestServer.Answer;
import dev.tessera.serving.features.SampleLog;
import dev.tessera.serving.workflow.WorkflowRoutes;
import dev.tessera.sharding.store.Lookup;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The workflow endpoints over a real socket, on a real orchestrator (in-memory journal) whose steps
 * succeed at once: writes need the operator token, reads follow the read policy, and the
 * orchestrator's failures come back in the API's error shape.
 */
class WorkflowRoutesTest {
  private static final String OPERATOR = "operator-token-0123456789";
  private static final String READER = "read-token-0123456789abc";
  private static final String[] AS_OPERATOR = {"Authorization", "Bearer " + OPERATOR};
  private static ActorTestKit testKit;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    Config config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        tessera.orchestrator.kafka.enabled = off
        """)
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("workflows", config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    StepRunner succeeds = request -> CompletableFuture.completedFuture(StepResult.of(Map.of(
        "rows", 5000, "trainRows", 3500, "validationRows", 1000, "testRows", 500,
        "completeness", 0.997, "leakageViolations", 0, "outputPath", "/tmp/set",
        "auc", 0.81, "modelPath", "/tmp/model")));
    Orchestrator orchestrator = Orchestrator.start(testKit.system(),
        OrchestratorSettings.create(config), succeeds);
    orchestrator.ready(Duration.ofSeconds(30)).toCompletableFuture().get(40, TimeUnit.SECONDS);
    ServingSettings settings = ServingSettings.local()
        .withAuth(new ServingSettings.Auth(OPERATOR, false, READER));
    ServingApi api = new ServingApi(
        (member, group, now) -> CompletableFuture.completedFuture(Lookup.NotFound.INSTANCE),
        FeatureRegistry.fromConfig(config), settings, new PrometheusRegistry(), SampleLog.NONE,
        List.of(new WorkflowRoutes(orchestrator.service())));
    server = new TestServer(testKit.system(), api, settings);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    testKit.shutdownTestKit();
  }

  @Test
  void startsAWorkflowAndShowsItsHistoryAndListing() throws Exception {
    Answer started = server.post("/v1/workflows", "{\"kind\":\"feature-engineering\","
        + "\"id\":\"fe-http-1\",\"params\":{\"group\":\"member_engagement\",\"version\":\"1\"}}",
        AS_OPERATOR);
    assertThat(started.status()).as(started.raw().body()).isEqualTo(201);
    assertThat(started.json().path("workflowId").asText()).isEqualTo("fe-http-1");

    JsonNode view = awaitStatus("fe-http-1", "COMPLETED");
    List<String> events = view.path("history").findValuesAsText("event");
    assertThat(events).first().isEqualTo("Started");
    assertThat(events).contains("StepSucceeded").last().isEqualTo("WorkflowCompleted");
    assertThat(view.path("history").get(0).path("at").asLong()).isPositive();

    JsonNode listed = server.get("/v1/workflows?kind=feature-engineering&status=completed")
        .json().path("workflows");
    assertThat(listed.findValuesAsText("workflowId")).contains("fe-http-1");
  }

  @Test
  void writesNeedTheOperatorToken() throws Exception {
    String body = "{\"kind\":\"feature-engineering\",\"params\":{\"group\":\"g\"}}";
    assertThat(server.post("/v1/workflows", body).status()).isEqualTo(401);
    Answer reader = server.post("/v1/workflows", body, "Authorization", "Bearer " + READER);
    assertThat(reader.status()).isEqualTo(403);
    assertThat(reader.json().path("code").asText()).isEqualTo("FORBIDDEN");
    assertThat(server.post("/v1/signals", "{}").status()).isEqualTo(401);
    assertThat(server.post("/v1/workflows/x/cancel", "{\"by\":\"me\"}").status()).isEqualTo(401);
  }

  @Test
  void signalsAreAcceptedOnceAndDuplicatesAreNoOps() throws Exception {
    String signal = "{\"id\":\"canary_metrics/test/1\",\"name\":\"canary_metrics\","
        + "\"emittedAt\":1764000000000,\"joinKeys\":{\"model\":\"none\"},\"payload\":{\"n\":1}}";
    Answer first = server.post("/v1/signals", signal, AS_OPERATOR);
    assertThat(first.status()).as(first.raw().body()).isEqualTo(202);
    assertThat(first.json().path("result").asText()).isEqualTo("ACCEPTED");
    Answer again = server.post("/v1/signals", signal, AS_OPERATOR);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("result").asText()).isEqualTo("DUPLICATE");
    JsonNode kept = server.get("/v1/signals/canary_metrics").json();
    assertThat(kept.path("signals").findValuesAsText("id")).containsExactly("canary_metrics/test/1");
  }

  @Test
  void answersOrchestratorFailuresInTheApiShape() throws Exception {
    Answer unknown = server.get("/v1/workflows/no-such-workflow");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().path("code").asText()).isEqualTo("NOT_FOUND");

    Answer badKind = server.post("/v1/workflows", "{\"kind\":\"cooking\"}", AS_OPERATOR);
    assertThat(badKind.status()).isEqualTo(400);
    assertThat(badKind.json().path("details").path("field").asText()).isEqualTo("kind");

    Answer malformed = server.post("/v1/workflows", "{\"kind\":", AS_OPERATOR);
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().path("code").asText()).isEqualTo("MALFORMED_BODY");

    Answer badSignal = server.post("/v1/signals", "{\"payload\":{}}", AS_OPERATOR);
    assertThat(badSignal.status()).isEqualTo(400);
    assertThat(badSignal.json().path("code").asText()).isEqualTo("INVALID_SIGNAL");

    Answer badStatus = server.get("/v1/workflows?status=sleeping");
    assertThat(badStatus.status()).isEqualTo(400);
    assertThat(badStatus.json().path("details").path("parameter").asText()).isEqualTo("status");

    server.post("/v1/workflows", "{\"kind\":\"feature-engineering\",\"id\":\"fe-http-2\","
        + "\"params\":{\"group\":\"member_engagement\",\"version\":\"1\"}}", AS_OPERATOR);
    awaitStatus("fe-http-2", "COMPLETED");
    Answer notWaiting = server.post("/v1/workflows/fe-http-2/approve", "{\"by\":\"ops\"}",
        AS_OPERATOR);
    assertThat(notWaiting.status()).isEqualTo(409);
    assertThat(notWaiting.json().path("code").asText()).isEqualTo("CONFLICT");
    Answer noBy = server.post("/v1/workflows/fe-http-2/cancel", "{}", AS_OPERATOR);
    assertThat(noBy.status()).isEqualTo(400);
    assertThat(noBy.json().path("code").asText()).isEqualTo("MISSING_FIELD");
  }

  private static JsonNode awaitStatus(String id, String status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonNode view = null;
    while (System.nanoTime() < deadline) {
      Answer answer = server.get("/v1/workflows/" + id);
      assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
      view = answer.json();
      if (view.path("status").asText().equals(status)) {
        return view;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " never reached " + status + ": " + view);
  }
}
