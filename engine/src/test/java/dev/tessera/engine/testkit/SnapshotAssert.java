package dev.tessera.engine.testkit;

import dev.tessera.engine.state.FeatureSnapshot;
import java.util.Map;
import java.util.Objects;

/** Compares snapshots: counts exactly, doubles within 1e-9 relative, maps key by key. */
public final class SnapshotAssert {
  private SnapshotAssert() {}

  /** The first difference, or null when equal. */
  public static String difference(FeatureSnapshot expected, FeatureSnapshot actual) {
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
      String d = difference(e.getValue(), a);
      if (d != null) {
        return e.getKey() + ": expected " + e.getValue() + " but was " + a + " (" + d + ")";
      }
    }
    return null;
  }

  private static String difference(Object expected, Object actual) {
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

  public static boolean close(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.isNaN(x) && Double.isNaN(y);
    }
    return x == y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) + 1e-12;
  }
}
