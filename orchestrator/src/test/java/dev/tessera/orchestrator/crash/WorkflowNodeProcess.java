package dev.tessera.orchestrator.crash;

import com.typesafe.config.Config;
import dev.tessera.orchestrator.Orchestrator;
import dev.tessera.orchestrator.OrchestratorSettings;
import dev.tessera.orchestrator.OrchestratorTestNode;
import dev.tessera.orchestrator.step.ProcessStepRunner;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import dev.tessera.orchestrator.workflow.WorkflowView;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * An orchestrator node alone in a JVM, for {@link WorkflowCrashIT} to kill with SIGKILL. Args:
 * Cassandra contact point, journal keyspace, snapshot keyspace, work dir, counters dir, workflow
 * id. Starts (idempotently) a feature-engineering workflow whose steps are shell commands that
 * count their runs in the counters dir; derive blocks until the file {@code release} exists.
 * Prints READY, then {@code STATUS <status> <phase>} on every change.
 */
public final class WorkflowNodeProcess {
  private WorkflowNodeProcess() {}

  public static void main(String[] args) throws Exception {
    Config config = OrchestratorTestNode.config(args[0], args[1], args[2], """
        tessera.orchestrator {
          hub.chaining = off
          workflow { step-timeout = 120s, min-backoff = 200ms, max-backoff = 1s }
          steps {
            work-dir = "%s"
            commands {
              "feature-engineering.extract" = [sh, -c,
                "echo run >> \\"$0/extract\\"; printf '{\\"rawRows\\":42}' > \\"$1\\"",
                "${counters}", "${resultFile}"]
              "feature-engineering.derive" = [sh, -c,
                "echo run >> \\"$0/derive\\"; while [ ! -f \\"$0/release\\" ]; do sleep 0.1; done; printf '{\\"rows\\":5000}' > \\"$1\\"",
                "${counters}", "${resultFile}"]
              "feature-engineering.validate" = [sh, -c, "echo run >> \\"$0/validate\\"",
                "${counters}"]
            }
          }
        }
        """.formatted(args[3]));
    OrchestratorSettings settings = OrchestratorSettings.create(config);
    ActorSystem<Void> system = OrchestratorTestNode.start(config);
    ProcessStepRunner runner = new ProcessStepRunner(settings.steps().commands(),
        settings.steps().workDir(), settings.steps().tesseraCommand(),
        settings.steps().killGrace(),
        system.dispatchers().lookup(DispatcherSelector.blocking()));
    Orchestrator orchestrator = Orchestrator.start(system, settings, runner);
    orchestrator.ready(java.time.Duration.ofSeconds(90)).toCompletableFuture()
        .get(100, TimeUnit.SECONDS);
    String workflowId = args[5];
    orchestrator.service().start(workflowId, WorkflowKind.FEATURE_ENGINEERING,
            Map.of("group", "member_engagement", "version", "1", "counters", args[4]))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    System.out.println("READY");
    System.out.flush();
    String last = "";
    while (true) {
      WorkflowView view = orchestrator.service().get(workflowId).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      String now = "STATUS " + view.status() + " " + view.phase();
      if (!now.equals(last)) {
        System.out.println(now);
        System.out.flush();
        last = now;
      }
      Thread.sleep(100);
    }
  }
}
