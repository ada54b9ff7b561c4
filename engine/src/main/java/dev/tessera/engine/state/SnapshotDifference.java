package dev.tessera.engine.state;

import java.util.Map;
import java.util.Objects;

/**
 * Compares two feature vectors the way Tessera's parity checks do: counts exactly, doubles within
 * 1e-9 relative, maps key by key. Used wherever two runtimes must agree (kernel vs reference,
 * streaming vs batch).
 */
public final class SnapshotDifference {
  private SnapshotDifference() {}

  /** The first difference between the two snapshots' values, watermark and expiry, or null. */
  public static String of(FeatureSnapshot expected, FeatureSnapshot actual) {
    if (expected.watermark() != actual.watermark()) {
      return "watermark " + expected.watermark() + " != " + actual.watermark();
    }
    if (expected.expiresAt() != actual.expiresAt()) {
      return "expiresAt " + expected.expiresAt() + " != " + actual.expiresAt();
    }
    if (!expected.values().keySet().equals(actual.values().keySet())) {
      return "features " + expected.values().keySet() + " != " + actual.values().keySet();
    }
    for (Map.Entry<String, Object> e : expected.values().entrySet()) {
      Object a = actual.values().get(e.getKey());
      String d = ofValue(e.getValue(), a);
      if (d != null) {
        return e.getKey() + ": expected " + e.getValue() + " but was " + a + " (" + d + ")";
      }
    }
    return null;
  }

  /** The difference between two feature values, or null when they agree. */
  public static String ofValue(Object expected, Object actual) {
    if (expected == null || actual == null) {
      return Objects.equals(expected, actual) ? null : "null mismatch";
    }
    if (expected instanceof Long || actual instanceof Long) {
      return expected.equals(actual) ? null : "count or type mismatch";
    }
    if (expected instanceof Double x && actual instanceof Double y) {
      return close(x, y) ? null : "not within 1e-9";
    }
    if (expected instanceof Map<?, ?> x && actual instanceof Map<?, ?> y) {
      if (!x.keySet().equals(y.keySet())) {
        return "keys " + x.keySet() + " != " + y.keySet();
      }
      for (Object k : x.keySet()) {
        if (!close((Double) x.get(k), (Double) y.get(k))) {
          return "entry " + k;
        }
      }
      return null;
    }
    return "type mismatch " + expected.getClass() + " vs " + actual.getClass();
  }

  /** Equal within 1e-9 relative (and 1e-12 absolute near zero); NaN equals NaN. */
  public static boolean close(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.isNaN(x) && Double.isNaN(y);
    }
    return x == y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) + 1e-12;
  }
}
