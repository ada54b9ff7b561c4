package dev.tessera.orchestrator.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessStepRunnerTest {
  private final ExecutorService blocking = Executors.newCachedThreadPool();

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    blocking.shutdownNow();
  }

  private ProcessStepRunner runner(String step, List<String> command) {
    return new ProcessStepRunner(Map.of("feature-engineering." + step, command),
        dir.resolve("work"), "/bin/false", Duration.ofMillis(200), blocking);
  }

  private static StepRequest request(String step, int attempt, Map<String, Object> vars) {
    return new StepRequest("wf-1", WorkflowKind.FEATURE_ENGINEERING, step, attempt, vars);
  }

  @Test
  void theResultFileBecomesTheOutputsAndVariablesAreSubstituted() throws Exception {
    var runner = runner("extract", List.of("sh", "-c",
        "printf '{\"rows\": %s, \"group\": \"%s\"}' \"$0\" \"$1\" > \"$2\"", "${rows}", "${group}",
        "${resultFile}"));

    StepResult result = runner.run(request("extract", 1, Map.of("rows", 7, "group", "g")))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(result.outputs()).containsEntry("rows", 7).containsEntry("group", "g")
        .containsEntry("exitCode", 0);
    assertThat(Path.of((String) result.outputs().get("logPath"))).exists();
  }

  @Test
  void theNodesKafkaAndTopicPrefixAreBuiltInVariablesAndTheConfiguredEnvironmentIsSet()
      throws Exception {
    var runner = new ProcessStepRunner(Map.of("feature-engineering.extract", List.of("sh", "-c",
        "printf '{\"kafka\": \"%s\", \"prefix\": \"%s\", \"heap\": \"%s\", \"guard\": \"%s\"}'"
            + " \"$0\" \"$1\" \"$TESSERA_BATCH_HEAP\" \"$TESSERA_GUARD_STDIN\" > \"$2\"",
        "${kafkaBootstrap}", "${topicPrefix}", "${resultFile}")), dir.resolve("work"),
        "/bin/false", Duration.ofMillis(200), blocking,
        Map.of("kafkaBootstrap", "10.0.0.1:9092", "topicPrefix", "node-a-"),
        Map.of("TESSERA_BATCH_HEAP", "-Xmx2g"));

    StepResult result = runner.run(request("extract", 1, Map.of()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(result.outputs()).containsEntry("kafka", "10.0.0.1:9092")
        .containsEntry("prefix", "node-a-").containsEntry("heap", "-Xmx2g")
        .containsEntry("guard", "1");
  }

  @Test
  void aStepsStandardInputStaysOpenWhileTheNodeLives() throws Exception {
    // The batch jobs' guard stops them when their standard input ends: it must not end before
    // the node does. `read` returns (non-zero) only at end of input.
    var runner = runner("extract", List.of("bash", "-c",
        "if read -t 1 line; then exit 4; elif [ $? -gt 128 ]; then exit 0; else exit 5; fi"));

    StepResult result = runner.run(request("extract", 1, Map.of())).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);

    assertThat(result.outputs()).containsEntry("exitCode", 0);
  }

  @Test
  void aNonZeroExitFailsWithTheLogTail() {
    var runner = runner("extract", List.of("sh", "-c", "echo something broke; exit 3"));

    assertThatThrownBy(() -> runner.run(request("extract", 1, Map.of())).toCompletableFuture()
        .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("exit code 3").hasMessageContaining("something broke");
  }

  @Test
  void aSucceededStepIsNotRunAgainForTheSameWorkflow() throws Exception {
    Path counter = dir.resolve("runs");
    var runner = runner("extract", List.of("sh", "-c", "echo run >> \"$0\"", counter.toString()));

    runner.run(request("extract", 1, Map.of())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    StepResult again = runner.run(request("extract", 1, Map.of())).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);

    assertThat(Files.readAllLines(counter)).hasSize(1);
    assertThat(again.outputs()).containsEntry("exitCode", 0);
  }

  @Test
  void aMissingVariableFailsTheAttemptBeforeStartingAnything() {
    var runner = runner("extract", List.of("echo", "${nope}"));

    assertThatThrownBy(() -> runner.run(request("extract", 1, Map.of())).toCompletableFuture()
        .get(10, TimeUnit.SECONDS)).hasMessageContaining("${nope}");
  }

  @Test
  void cancelKillsTheProcessAndItsChildren() throws Exception {
    Path started = dir.resolve("started");
    var runner = runner("derive", List.of("sh", "-c",
        "sleep 60 & echo $! > \"$0\"; wait", started.toString()));

    var running = runner.run(request("derive", 1, Map.of())).toCompletableFuture();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!(Files.exists(started) && !Files.readString(started).isBlank())) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(20);
    }
    long sleeper = Long.parseLong(Files.readString(started).trim());
    runner.cancel("wf-1/derive");

    assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS))
        .hasMessageContaining("exit code");
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)
        && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false))
        .as("the child's child is gone").isFalse();
    // However the shell exited (its child was stopped first, so possibly with 0), a cancelled
    // step is not recorded as succeeded: a rerun runs it again.
    assertThat(dir.resolve("work").resolve("wf-1").resolve("derive").resolve("succeeded.json"))
        .doesNotExist();
  }
}
