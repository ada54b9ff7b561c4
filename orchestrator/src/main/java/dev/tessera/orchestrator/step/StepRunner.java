package dev.tessera.orchestrator.step;

import java.util.concurrent.CompletionStage;

/**
 * Runs one attempt of a workflow step outside the workflow actor. The stage completes with the
 * step's outputs, or exceptionally when the attempt failed (the workflow retries with backoff).
 *
 * <p>Implementations should be idempotent per {@link StepRequest#idempotencyKey()}: the workflow
 * never runs a step again once its success is journaled, but an attempt that was running when the
 * node crashed is run again on recovery, and a timed-out attempt may still be finishing when the
 * next starts.
 */
public interface StepRunner {

  CompletionStage<StepResult> run(StepRequest request);

  /** Stops the attempt of this key if it is still running (timeout, cancel). Default: nothing. */
  default void cancel(String idempotencyKey) {}
}
