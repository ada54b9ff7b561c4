package dev.tessera.orchestrator.testing;

import dev.tessera.orchestrator.step.StepRequest;
import dev.tessera.orchestrator.step.StepResult;
import dev.tessera.orchestrator.step.StepRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A step runner the test drives: every attempt waits until the test completes or fails it. */
public final class FakeStepRunner implements StepRunner {
  private final List<StepRequest> requests = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<StepResult>> pending = new ConcurrentHashMap<>();
  private final List<String> cancelled = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<StepResult> run(StepRequest request) {
    requests.add(request);
    return pending.computeIfAbsent(request.step() + "#" + request.attempt(),
        key -> new CompletableFuture<>());
  }

  @Override
  public void cancel(String idempotencyKey) {
    cancelled.add(idempotencyKey);
  }

  /** How many times this step was run (all attempts, re-runs included). */
  public long runs(String step) {
    return requests.stream().filter(r -> r.step().equals(step)).count();
  }

  public List<StepRequest> requests() {
    return List.copyOf(requests);
  }

  public List<String> cancelled() {
    return List.copyOf(cancelled);
  }

  /** The latest request of this step, once it was made (waits up to 5 s). */
  public StepRequest awaitRequest(String step, int attempt) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = requests.size() - 1; i >= 0; i--) {
        StepRequest r = requests.get(i);
        if (r.step().equals(step) && r.attempt() == attempt) {
          return r;
        }
      }
      sleep();
    }
    throw new AssertionError("step " + step + " attempt " + attempt + " was not run; runs: "
        + requests.stream().map(r -> r.step() + "#" + r.attempt()).toList());
  }

  public void succeed(String step, int attempt, Map<String, Object> outputs) {
    awaitRequest(step, attempt);
    pending.get(step + "#" + attempt).complete(StepResult.of(outputs));
  }

  public void fail(String step, int attempt, String message) {
    awaitRequest(step, attempt);
    pending.get(step + "#" + attempt).completeExceptionally(new IllegalStateException(message));
  }

  /** Forget the pending attempts (as a crashed node would), so the next run gets a new one. */
  public void forgetPending() {
    pending.clear();
  }

  private static void sleep() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
