package dev.tessera.simulations.generator;

import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.ReasonCode;
import java.util.Objects;
import java.util.Set;

/**
 * What a simulated record really is.
 *
 * @param sequence position in the generated stream, from 0
 * @param kind what ingestion and the kernel must do with it
 * @param memberId the member the record belongs to (even when its key or body does not say so)
 * @param event the event the body carries (VALID, DUPLICATE, LATE), or null (MALFORMED)
 * @param session the member's session number, from 1 (0 for MALFORMED)
 * @param shape how the body is broken (MALFORMED only), or null
 * @param reasons the reason codes the parser must give (MALFORMED only), else empty
 */
public record Truth(
    long sequence,
    RecordKind kind,
    String memberId,
    Event event,
    int session,
    MalformedShape shape,
    Set<ReasonCode> reasons) {

  public Truth {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(memberId, "memberId");
    reasons = Set.copyOf(reasons);
    if ((kind == RecordKind.MALFORMED) != (event == null)
        || (kind == RecordKind.MALFORMED) != (shape != null)) {
      throw new IllegalArgumentException(
          "a MALFORMED truth has a shape and no event, others the reverse");
    }
  }

  /** The event's id, or null for a MALFORMED record. */
  public String eventId() {
    return event == null ? null : event.eventId();
  }
}
