package dev.tessera.engine.window;

/** What applying one event to a member's state did. */
public enum Outcome {
  /** Aggregated. */
  ACCEPTED,
  /**
   * Older than its (member, stream) watermark minus the allowed lateness: not aggregated, to be
   * side-routed.
   */
  LATE,
  /**
   * Its eventId was already accepted in the same (member, stream) within the duplicate horizon:
   * dropped.
   */
  DUPLICATE,
  /**
   * Its offset is not above the last offset applied for its stream (a redelivery after recovery):
   * skipped.
   */
  ALREADY_APPLIED
}
