package dev.tessera.engine.event;

import java.util.Objects;

/**
 * One problem with an event body.
 *
 * @param field the JSON field concerned, or {@code ""} for the whole body
 */
public record Violation(ReasonCode reason, String field, String message) {
  public Violation {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }
}
