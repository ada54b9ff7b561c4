package dev.tessera.engine.aggregate;

import java.util.Map;
import java.util.TreeMap;

/** Results of category distributions: shares (histogram normalised) and Shannon entropy. */
public final class CategoryMath {
  private CategoryMath() {}

  /** credit / sum of credits, for the positive credits; empty when there is no credit. */
  public static Map<String, Double> shares(Map<String, Double> credits) {
    double total = 0;
    for (double v : credits.values()) {
      if (v > 0) {
        total += v;
      }
    }
    Map<String, Double> out = new TreeMap<>();
    if (total <= 0) {
      return out;
    }
    for (Map.Entry<String, Double> e : credits.entrySet()) {
      if (e.getValue() > 0) {
        out.put(e.getKey(), e.getValue() / total);
      }
    }
    return out;
  }

  /** Shannon entropy (natural log) of the positive credits' distribution; 0.0 when empty. */
  public static double entropy(Map<String, Double> credits) {
    double total = 0;
    for (double v : credits.values()) {
      if (v > 0) {
        total += v;
      }
    }
    if (total <= 0) {
      return 0.0;
    }
    double h = 0;
    for (double v : credits.values()) {
      if (v > 0) {
        double p = v / total;
        h -= p * Math.log(p);
      }
    }
    return h;
  }

  /** Entropy of credits given as an array (entries &lt;= 0 ignored), without allocation. */
  public static double entropy(double[] credits, int n) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      if (credits[i] > 0) {
        total += credits[i];
      }
    }
    if (total <= 0) {
      return 0.0;
    }
    double h = 0;
    for (int i = 0; i < n; i++) {
      if (credits[i] > 0) {
        double p = credits[i] / total;
        h -= p * Math.log(p);
      }
    }
    return h;
  }
}
