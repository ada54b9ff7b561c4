package dev.tessera.orchestrator.workflow;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How workflow entities run steps and waits (from {@code tessera.orchestrator.workflow}).
 *
 * @param stepTimeout how long one attempt of a step may run before it counts as failed
 * @param stepTimeouts per-step overrides, keyed {@code <kind>.<step>} ({@code model-training.train})
 * @param maxAttempts attempts per step, the first included; then the workflow fails
 * @param minBackoff wait before the second attempt; doubles per attempt
 * @param maxBackoff the longest wait between attempts
 * @param waitTimeout how long an await or approval phase waits before the workflow fails
 * @param waitRefresh how often a waiting workflow re-registers its wait with the hub (idempotent)
 * @param defaultMinRows model-training's min-rows when not given
 * @param defaultMinAuc model-deployment's min-auc when not given
 * @param defaultApproval model-deployment's approval (auto or manual) when not given
 */
public record WorkflowSettings(
    Duration stepTimeout,
    Map<String, Duration> stepTimeouts,
    int maxAttempts,
    Duration minBackoff,
    Duration maxBackoff,
    Duration waitTimeout,
    Duration waitRefresh,
    long defaultMinRows,
    double defaultMinAuc,
    String defaultApproval) {

  public WorkflowSettings {
    Objects.requireNonNull(stepTimeout, "stepTimeout");
    stepTimeouts = Map.copyOf(stepTimeouts);
    Objects.requireNonNull(minBackoff, "minBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(waitTimeout, "waitTimeout");
    Objects.requireNonNull(waitRefresh, "waitRefresh");
    Objects.requireNonNull(defaultApproval, "defaultApproval");
  }

  public Duration timeoutOf(WorkflowKind kind, String step) {
    return stepTimeouts.getOrDefault(kind.id() + "." + step, stepTimeout);
  }

  /** Backoff before attempt {@code nextAttempt} (2 or more): min * 2^(n-2), at most max. */
  public Duration backoffBefore(int nextAttempt) {
    long millis = minBackoff.toMillis();
    for (int i = 2; i < nextAttempt && millis < maxBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }
}
