package dev.tessera.engine.definition;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One feature of a group.
 *
 * @param range expected range of the values, for validation; null when unchecked
 */
public record FeatureDefinition(
    String name, Aggregation aggregation, EventFilter filter, Window window, ValueRange range)
    implements Serializable {

  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public FeatureDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(aggregation, "aggregation");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(window, "window");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "feature name '" + name + "' must match " + NAME.pattern());
    }
    if (aggregation instanceof Aggregation.SessionDuration s && window.tileMs() > s.gapMs()) {
      throw new IllegalArgumentException(
          "feature "
              + name
              + ": the window's tile ("
              + window.tileMs()
              + " ms) must not exceed the session gap");
    }
  }

  /** Whether the value is a map from category to double (category-share, decayed-category-sum). */
  public boolean isMapValued() {
    return aggregation instanceof Aggregation.CategoryShare
        || aggregation instanceof Aggregation.DecayedCategorySum;
  }
}
