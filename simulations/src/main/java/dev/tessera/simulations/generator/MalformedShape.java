package dev.tessera.simulations.generator;

import dev.tessera.engine.event.ReasonCode;
import java.util.Set;

/** The ways a simulated body is broken, each with the reason codes the parser must give. */
public enum MalformedShape {
  /** A valid body cut short. */
  TRUNCATED_JSON(ReasonCode.MALFORMED_JSON),
  /** A field of the wrong JSON type: eventTime as a string or a fraction, memberId as a number. */
  WRONG_TYPE(ReasonCode.BAD_TYPE),
  /** No memberId in the body (the record key still names the member). */
  MISSING_MEMBER_ID(ReasonCode.MISSING_FIELD),
  /** Random bytes that are not JSON (nor UTF-8). */
  BINARY_GARBAGE(ReasonCode.MALFORMED_JSON),
  /** A zero-length value. */
  EMPTY_VALUE(ReasonCode.MALFORMED_JSON),
  /** A null value. */
  NULL_VALUE(ReasonCode.MALFORMED_JSON),
  /** A well-formed body padded beyond 64 KiB. */
  OVERSIZE(ReasonCode.TOO_LARGE),
  /** A type name the kernel does not know. */
  UNKNOWN_TYPE(ReasonCode.BAD_TYPE),
  /** An eventTime decades ahead of any ingestion clock. */
  FUTURE_EVENT_TIME(ReasonCode.FUTURE_EVENT),
  /** A value outside its range: rating 6-9, watchedSeconds above 86400, a memberId with '!'. */
  OUT_OF_RANGE(ReasonCode.OUT_OF_RANGE),
  /** A schemaVersion the kernel does not read. */
  UNSUPPORTED_SCHEMA_VERSION(ReasonCode.UNSUPPORTED_SCHEMA_VERSION),
  /** A JSON array holding the event instead of the event. */
  NOT_AN_OBJECT(ReasonCode.MALFORMED_JSON),
  /** Two bodies back to back in one value. */
  TRAILING_DATA(ReasonCode.MALFORMED_JSON),
  /** The same field twice in one object. */
  DUPLICATE_FIELD(ReasonCode.MALFORMED_JSON);

  private final Set<ReasonCode> reasons;

  MalformedShape(ReasonCode reason) {
    this.reasons = Set.of(reason);
  }

  /** The exact set of reason codes the parser reports for this shape. */
  public Set<ReasonCode> reasons() {
    return reasons;
  }
}
