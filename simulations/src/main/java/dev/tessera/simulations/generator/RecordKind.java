package dev.tessera.simulations.generator;

/** What a simulated record is, and so what ingestion and the kernel must do with it. */
public enum RecordKind {
  /** A first copy of a well-formed event within the allowed lateness: must be accepted. */
  VALID,
  /** The exact key and body of an earlier VALID record, re-sent: must be dropped as a duplicate. */
  DUPLICATE,
  /** A body the parser must reject, with the expected reason codes: must go to the dead letters. */
  MALFORMED,
  /**
   * A well-formed event older than its (member, stream) watermark minus the allowed lateness:
   * passes ingestion, and the kernel must side-route it as late.
   */
  LATE
}
