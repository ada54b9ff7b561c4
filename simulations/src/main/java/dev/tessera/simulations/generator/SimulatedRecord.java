package dev.tessera.simulations.generator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record for the raw topic with its truth. The arrays are not copied (the generator makes
 * millions of these); nobody may modify them.
 *
 * @param key the Kafka key: usually the member id, sometimes null or another member's id
 * @param value the body (null for {@link MalformedShape#NULL_VALUE})
 */
public record SimulatedRecord(byte[] key, byte[] value, Truth truth) {

  public SimulatedRecord {
    Objects.requireNonNull(truth, "truth");
  }

  /** The member the record belongs to, whatever its key says. */
  public String memberId() {
    return truth.memberId();
  }

  public RecordKind kind() {
    return truth.kind();
  }

  /** The key as text, or null. */
  public String keyString() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SimulatedRecord r
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && truth.equals(r.truth);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + truth.hashCode();
  }

  @Override
  public String toString() {
    return "SimulatedRecord[key="
        + keyString()
        + ", "
        + (value == null ? "null" : value.length + " bytes")
        + ", "
        + truth
        + "]";
  }
}
