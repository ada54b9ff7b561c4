package dev.tessera.engine.definition;

import java.io.Serializable;

/**
 * The expected range of a feature's values (of each entry, for map-valued features), both ends
 * inclusive.
 */
public record ValueRange(double min, double max) implements Serializable {
  public ValueRange {
    if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
      throw new IllegalArgumentException("range needs min <= max");
    }
  }

  public static ValueRange atLeast(double min) {
    return new ValueRange(min, Double.POSITIVE_INFINITY);
  }

  public boolean contains(double v) {
    return v >= min && v <= max;
  }
}
