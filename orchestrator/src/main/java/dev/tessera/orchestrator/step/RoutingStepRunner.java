package dev.tessera.orchestrator.step;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Sends each step to the runner registered for {@code <kind>.<step>}. */
public final class RoutingStepRunner implements StepRunner {
  private final Map<String, StepRunner> runners;

  public RoutingStepRunner(Map<String, StepRunner> runners) {
    this.runners = new LinkedHashMap<>(runners);
  }

  @Override
  public CompletionStage<StepResult> run(StepRequest request) {
    StepRunner runner = runners.get(key(request));
    if (runner == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "no runner for step " + key(request) + "; known: " + runners.keySet()));
    }
    return runner.run(request);
  }

  @Override
  public void cancel(String idempotencyKey) {
    runners.values().stream().distinct().forEach(r -> r.cancel(idempotencyKey));
  }

  private static String key(StepRequest request) {
    return request.kind().id() + "." + request.step();
  }
}
