package dev.tessera.engine.state;

import java.util.Map;
import java.util.Objects;

/**
 * A member's feature vector.
 *
 * @param values feature name -&gt; value, in feature-name order: {@code Long} (counts, distinct
 *     counts), {@code Double}, {@code Map<String, Double>} (sorted by key), or null (avg, min, max,
 *     last over no event)
 * @param asOf the instant the values are exact for
 * @param watermark the largest accepted eventTime of the member over all streams ({@link
 *     Long#MIN_VALUE} if none)
 * @param computedAt wall-clock time of the computation
 * @param expiresAt the last (largest) accepted eventTime plus the group's TTL ({@link
 *     Long#MIN_VALUE} if none)
 */
public record FeatureSnapshot(
    String memberId,
    String group,
    int version,
    Map<String, Object> values,
    long asOf,
    long watermark,
    long computedAt,
    long expiresAt) {

  public FeatureSnapshot {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(values, "values");
  }

  /** Whether the snapshot is past its TTL at {@code now}: {@code now >= expiresAt}. */
  public boolean isExpired(long now) {
    return now >= expiresAt;
  }

  /** A numeric feature as a double (counts widened); NaN for null. */
  public double number(String feature) {
    Object v = values.get(feature);
    if (v == null) {
      if (!values.containsKey(feature)) {
        throw new IllegalArgumentException("no feature " + feature);
      }
      return Double.NaN;
    }
    return ((Number) v).doubleValue();
  }

  /** A map-valued feature. */
  @SuppressWarnings("unchecked")
  public Map<String, Double> map(String feature) {
    return (Map<String, Double>) values.get(feature);
  }
}
