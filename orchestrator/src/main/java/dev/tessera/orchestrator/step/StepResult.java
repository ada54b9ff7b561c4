package dev.tessera.orchestrator.step;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A successful attempt's outputs: JSON-like values merged into the workflow's variables. */
public record StepResult(Map<String, Object> outputs) {
  public StepResult {
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  public static StepResult of(Map<String, Object> outputs) {
    return new StepResult(outputs);
  }
}
