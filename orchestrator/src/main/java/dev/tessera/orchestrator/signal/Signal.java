package dev.tessera.orchestrator.signal;

import dev.tessera.sharding.CborSerializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named fact one workflow (or a batch job, or an operator) tells the others: {@code
 * features_ready}, {@code model_trained}, {@code canary_metrics}, {@code canary_passed}, {@code
 * canary_failed}. The id identifies the occurrence: a second signal with the same id is the same
 * signal (a redelivery) and changes nothing.
 *
 * @param id unique per occurrence, e.g. {@code features_ready/member_engagement/1/<run-id>}
 * @param name what happened; conditions select on it first
 * @param emittedAt epoch millis at the emitter
 * @param source who emitted it ({@code batch/training-set}, {@code workflow/<id>}, {@code http})
 * @param joinKeys string keys that relate it to other signals and workflows (group, version)
 * @param payload JSON-like values: strings, numbers, booleans, lists and maps of them
 */
public record Signal(
    String id,
    String name,
    long emittedAt,
    String source,
    Map<String, String> joinKeys,
    Map<String, Object> payload)
    implements CborSerializable {

  public Signal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    if (id.isBlank()) {
      throw new IllegalArgumentException("signal id is blank");
    }
    if (!SignalCondition.isName(name)) {
      throw new IllegalArgumentException(
          "signal name '" + name + "' must match [a-z][a-z0-9_]* (e.g. features_ready)");
    }
    joinKeys = joinKeys == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(joinKeys));
    payload = payload == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(payload));
  }

  /** A payload field by name; dotted names ({@code metrics.auc}) look into nested maps. */
  public Optional<Object> field(String path) {
    Object current = payload;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map) || !map.containsKey(part)) {
        return Optional.empty();
      }
      current = map.get(part);
    }
    return Optional.ofNullable(current);
  }
}
