package dev.tessera.orchestrator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.embedded.EmbeddedCassandra;
import dev.tessera.embedded.junit.LocalInfrastructureExtension;
import dev.tessera.embedded.junit.TestNamespace;
import dev.tessera.orchestrator.Orchestrator;
import dev.tessera.orchestrator.OrchestratorSettings;
import dev.tessera.orchestrator.OrchestratorTestNode;
import dev.tessera.orchestrator.step.StepRequest;
import dev.tessera.orchestrator.step.StepResult;
import dev.tessera.orchestrator.step.StepRunner;
import dev.tessera.orchestrator.workflow.HistoryEntry;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import dev.tessera.orchestrator.workflow.WorkflowStatus;
import dev.tessera.orchestrator.workflow.WorkflowSummary;
import dev.tessera.orchestrator.workflow.WorkflowView;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node is killed with SIGKILL while a workflow's second step runs (a child process that waits
 * for a file), and started again: the workflow resumes from its Cassandra journal, the finished
 * first step is not run again (per-step run counters kept by the steps themselves), the step in
 * flight runs again, and a third node that only reads the journal sees the complete history.
 */
@ExtendWith(LocalInfrastructureExtension.class)
class WorkflowCrashIT {

  @Test
  void aWorkflowKilledMidStepResumesFromItsJournalWithoutRerunningFinishedSteps(
      EmbeddedCassandra cassandra, TestNamespace names) throws Exception {
    String contactPoint = cassandra.host() + ":" + cassandra.port();
    String journal = names.keyspace("journal");
    String snapshot = names.keyspace("snapshot");
    Path base = Files.createTempDirectory(Path.of("target"), "crash-it-").toAbsolutePath();
    Path counters = Files.createDirectories(base.resolve("counters"));
    Path work = Files.createDirectories(base.resolve("work"));
    String workflowId = "fe-crash-" + names.prefix().replace('_', '-');
    List<String> args = List.of(contactPoint, journal, snapshot, work.toString(),
        counters.toString(), workflowId);

    Node first = Node.start(args, base.resolve("node-1.log"));
    awaitLines(counters.resolve("derive"), 1, Duration.ofSeconds(60));
    assertThat(lines(counters.resolve("extract"))).isEqualTo(1);
    first.process.destroyForcibly();
    assertThat(first.process.waitFor(10, TimeUnit.SECONDS)).isTrue();

    Node second = Node.start(args, base.resolve("node-2.log"));
    try {
      awaitLines(counters.resolve("derive"), 2, Duration.ofSeconds(60));
      Files.writeString(counters.resolve("release"), "go");
      second.await("STATUS COMPLETED", Duration.ofSeconds(60));
    } finally {
      second.process.destroyForcibly();
      second.process.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(lines(counters.resolve("extract"))).as("extract finished before the crash")
        .isEqualTo(1);
    assertThat(lines(counters.resolve("derive"))).as("derive was in flight: run again")
        .isEqualTo(2);
    assertThat(lines(counters.resolve("validate"))).isEqualTo(1);

    // A third node reads the journal only: nothing may run.
    AtomicInteger runs = new AtomicInteger();
    StepRunner refuses = new StepRunner() {
      @Override
      public CompletionStage<StepResult> run(StepRequest request) {
        runs.incrementAndGet();
        return CompletableFuture.failedFuture(new IllegalStateException("must not run"));
      }
    };
    var config = OrchestratorTestNode.config(contactPoint, journal, snapshot,
        "tessera.orchestrator.hub.chaining = off");
    ActorSystem<Void> reader = OrchestratorTestNode.start(config);
    try {
      Orchestrator orchestrator =
          Orchestrator.start(reader, OrchestratorSettings.create(config), refuses);
      orchestrator.ready(Duration.ofSeconds(60)).toCompletableFuture().get(70, TimeUnit.SECONDS);
      WorkflowView view = orchestrator.service().get(workflowId).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);

      assertThat(view.status()).isEqualTo(WorkflowStatus.COMPLETED);
      assertThat(view.history()).extracting(HistoryEntry::event).containsExactly("Started",
          "StepStarted", "StepSucceeded", "StepStarted", "StepRestarted", "StepSucceeded",
          "StepStarted", "StepSucceeded", "WorkflowCompleted");
      assertThat(view.history()).extracting(HistoryEntry::details)
          .filteredOn(d -> d.containsKey("step")).extracting(d -> d.get("step"))
          .containsExactly("extract", "extract", "derive", "derive", "derive", "validate",
              "validate");
      long previous = 0;
      for (HistoryEntry entry : view.history()) {
        assertThat(entry.at()).isGreaterThanOrEqualTo(previous);
        previous = entry.at();
      }
      assertThat(view.vars()).containsEntry("rawRows", 42).containsEntry("rows", 5000);
      List<WorkflowSummary> listed = orchestrator.service()
          .list(Optional.of(WorkflowKind.FEATURE_ENGINEERING), Optional.of(WorkflowStatus.COMPLETED))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(listed).extracting(WorkflowSummary::workflowId).contains(workflowId);
      assertThat(runs.get()).isZero();
    } finally {
      OrchestratorTestNode.stop(reader);
    }
  }

  private static long lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  private static void awaitLines(Path file, long count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lines(file) < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(file + " has " + lines(file) + " lines, expected " + count);
      }
      Thread.sleep(50);
    }
  }

  /** A node JVM whose output lines are kept in a file and a queue. */
  private record Node(Process process, BlockingQueue<String> lines, Path log) {
    static Node start(List<String> args, Path log) throws Exception {
      List<String> command = new java.util.ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
          "-cp", System.getProperty("java.class.path"), WorkflowNodeProcess.class.getName()));
      command.addAll(args);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8));
      Thread drain = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            out.println(line);
            out.flush();
            lines.add(line);
          }
        } catch (IOException e) {
          // the process died
        } finally {
          out.close();
        }
      }, "node-output");
      drain.setDaemon(true);
      drain.start();
      Node node = new Node(process, lines, log);
      node.await("READY", Duration.ofSeconds(90));
      return node;
    }

    void await(String prefix, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith(prefix)) {
          return;
        }
        if (line == null && !process.isAlive() && lines.isEmpty()) {
          break;
        }
      }
      throw new AssertionError("node did not print " + prefix + "; see " + log + ":\n"
          + String.join("\n", tailOf(log)));
    }

    private static List<String> tailOf(Path log) throws IOException {
      List<String> all = Files.readAllLines(log);
      return all.subList(Math.max(0, all.size() - 40), all.size());
    }
  }
}
