package dev.tessera.engine.event;

/** Why an event body was rejected. */
public enum ReasonCode {
  /** A required field is absent or null. */
  MISSING_FIELD,
  /**
   * A field has the wrong JSON type (e.g. a number as a string, a fractional {@code eventTime}, an
   * unknown type).
   */
  BAD_TYPE,
  /** A field's value is outside its allowed range or pattern. */
  OUT_OF_RANGE,
  /** {@code eventTime} is more than the future tolerance (60 s) ahead of the ingestion clock. */
  FUTURE_EVENT,
  /** The bytes are not one JSON object (syntax error, trailing data, not an object, not UTF-8). */
  MALFORMED_JSON,
  /** The body is larger than the size limit (64 KiB). */
  TOO_LARGE,
  /** {@code schemaVersion} is not one this kernel reads. */
  UNSUPPORTED_SCHEMA_VERSION
}
