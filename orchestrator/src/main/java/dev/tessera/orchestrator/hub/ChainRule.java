package dev.tessera.orchestrator.hub;

import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chaining: a new signal of {@code signal} starts a workflow of {@code kind} whose parameters are
 * the payload fields {@code params} (plus {@code trigger}, the signal's id). The workflow id is
 * derived from the signal id, so a redelivered or replayed trigger starts nothing new.
 */
public record ChainRule(String signal, WorkflowKind kind, List<String> params) {
  public ChainRule {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(kind, "kind");
    params = List.copyOf(params);
  }

  /** The id of the workflow this rule starts for the signal. */
  public String workflowId(Signal trigger) {
    String readable = params.stream().map(p -> trigger.field(p).map(Object::toString).orElse(""))
        .filter(v -> !v.isEmpty()).reduce((a, b) -> a + "-" + b).orElse("");
    String hash = Integer.toHexString(trigger.id().hashCode() & 0x7fffffff);
    String id = kind.id() + (readable.isEmpty() ? "" : "-" + readable) + "-" + hash;
    return id.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  public Map<String, Object> paramsOf(Signal trigger) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String p : params) {
      trigger.field(p).ifPresent(v -> out.put(p, v));
    }
    out.put("trigger", trigger.id());
    return out;
  }
}
