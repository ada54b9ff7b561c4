package dev.tessera.orchestrator.workflow;

import dev.tessera.sharding.CborSerializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One journaled event of a workflow, for people: when (epoch millis), which event ({@code
 * StepStarted}, {@code SignalReceived}, ...), and its fields.
 */
public record HistoryEntry(long at, String event, Map<String, Object> details)
    implements CborSerializable {
  public HistoryEntry {
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }
}
