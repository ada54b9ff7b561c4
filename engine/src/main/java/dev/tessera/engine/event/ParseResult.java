package dev.tessera.engine.event;

import java.util.List;
import java.util.Objects;

/** The outcome of parsing one event body: a valid event, or every problem found. */
public sealed interface ParseResult {

  /** A body that passed every check. */
  record Valid(Event event) implements ParseResult {
    public Valid {
      Objects.requireNonNull(event, "event");
    }
  }

  /** A rejected body, with at least one violation. */
  record Invalid(List<Violation> violations) implements ParseResult {
    public Invalid {
      violations = List.copyOf(violations);
      if (violations.isEmpty()) {
        throw new IllegalArgumentException("an invalid result needs a violation");
      }
    }

    /** Whether one of the violations has this reason. */
    public boolean has(ReasonCode reason) {
      return violations.stream().anyMatch(v -> v.reason() == reason);
    }
  }
}
