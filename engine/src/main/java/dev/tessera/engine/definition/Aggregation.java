package dev.tessera.engine.definition;

import java.io.Serializable;
import java.util.Objects;

/**
 * What a feature computes over the events its filter and window select. Each aggregation is backed
 * by an intermediate value with update / merge / result (see {@code dev.tessera.engine.aggregate}),
 * so tiles merge exactly.
 */
public sealed interface Aggregation extends Serializable {

  /** The name used in config ({@code aggregation = ...}). */
  String configName();

  /** Number of events. Result: long. */
  record Count() implements Aggregation {
    public String configName() {
      return "count";
    }
  }

  /** Sum of a numeric field. Result: double. */
  record Sum(EventField field) implements Aggregation {
    public Sum {
      requireNumeric(field);
    }

    public String configName() {
      return "sum";
    }
  }

  /** Mean of a numeric field; null on no event. */
  record Avg(EventField field) implements Aggregation {
    public Avg {
      requireNumeric(field);
    }

    public String configName() {
      return "avg";
    }
  }

  /** Minimum of a numeric field; null on no event. */
  record Min(EventField field) implements Aggregation {
    public Min {
      requireNumeric(field);
    }

    public String configName() {
      return "min";
    }
  }

  /** Maximum of a numeric field; null on no event. */
  record Max(EventField field) implements Aggregation {
    public Max {
      requireNumeric(field);
    }

    public String configName() {
      return "max";
    }
  }

  /**
   * The numeric field of the latest event (largest eventTime; on a tie the largest value, so the
   * result does not depend on arrival order); null on no event.
   */
  record Last(EventField field) implements Aggregation {
    public Last {
      requireNumeric(field);
    }

    public String configName() {
      return "last";
    }
  }

  /**
   * Exact number of distinct values of a category field, bounded: the result is {@code
   * min(distinct, maxDistinct)} and the state keeps at most {@code maxDistinct} values. Result:
   * long.
   */
  record DistinctCount(EventField field, int maxDistinct) implements Aggregation {
    public DistinctCount {
      requireCategory(field);
      if (maxDistinct < 1) {
        throw new IllegalArgumentException("max-distinct must be >= 1");
      }
    }

    public String configName() {
      return "distinct-count";
    }
  }

  /** {@code sum(field * 2^(-(t - eventTime) / halfLife))} as of t. Result: double. */
  record DecayedSum(EventField field, long halfLifeMs) implements Aggregation {
    public DecayedSum {
      requireNumeric(field);
      requirePositive(halfLifeMs, "half-life");
    }

    public String configName() {
      return "decayed-sum";
    }
  }

  /**
   * Per-category share: credit(c) = sum of {@code weight} over events with category c (an event
   * with several values credits each fully); share(c) = credit(c) / sum of all credits; zero-credit
   * categories absent. Result: map.
   */
  record CategoryShare(EventField category, EventField weight) implements Aggregation {
    public CategoryShare {
      requireCategory(category);
      requireNumeric(weight);
    }

    public String configName() {
      return "category-share";
    }
  }

  /**
   * Shannon entropy (natural log) of the {@link CategoryShare} distribution; 0.0 when empty.
   * Result: double.
   */
  record Entropy(EventField category, EventField weight) implements Aggregation {
    public Entropy {
      requireCategory(category);
      requireNumeric(weight);
    }

    public String configName() {
      return "entropy";
    }
  }

  /**
   * Per-category decayed sum: c -&gt; sum of {@code weight * 2^(-(t - eventTime) / halfLife)} over
   * events with category c; zero entries absent. Result: map.
   */
  record DecayedCategorySum(EventField category, EventField weight, long halfLifeMs)
      implements Aggregation {
    public DecayedCategorySum {
      requireCategory(category);
      requireNumeric(weight);
      requirePositive(halfLifeMs, "half-life");
    }

    public String configName() {
      return "decayed-category-sum";
    }
  }

  /**
   * Gap-based session duration: the current session is the longest run of events in the window with
   * eventTime &lt;= t and gaps &lt;= gap that ends at the last such event; result (last - first) /
   * 1000.0, or 0.0 when {@code t - last > gap} or there is no event. The window's tile size must
   * not exceed the gap.
   */
  record SessionDuration(long gapMs) implements Aggregation {
    public SessionDuration {
      requirePositive(gapMs, "gap");
    }

    public String configName() {
      return "session-duration";
    }
  }

  /**
   * {@code numerator / denominator}, each evaluated over the feature's window with its own filter;
   * {@code whenZero} when the denominator is 0. Result: double.
   */
  record Ratio(Operand numerator, Operand denominator, double whenZero) implements Aggregation {
    public Ratio {
      Objects.requireNonNull(numerator, "numerator");
      Objects.requireNonNull(denominator, "denominator");
    }

    public String configName() {
      return "ratio";
    }
  }

  /** One side of a {@link Ratio}: a {@link Count} or a {@link Sum} with its own filter. */
  record Operand(Aggregation aggregation, EventFilter filter) implements Serializable {
    public Operand {
      Objects.requireNonNull(filter, "filter");
      if (!(aggregation instanceof Count) && !(aggregation instanceof Sum)) {
        throw new IllegalArgumentException("a ratio operand must be count or sum");
      }
    }

    public static Operand count(EventFilter filter) {
      return new Operand(new Count(), filter);
    }
  }

  private static void requireNumeric(EventField f) {
    Objects.requireNonNull(f, "field");
    if (!f.isNumeric()) {
      throw new IllegalArgumentException("field " + f.configName() + " is not numeric");
    }
  }

  private static void requireCategory(EventField f) {
    Objects.requireNonNull(f, "field");
    if (f.isNumeric()) {
      throw new IllegalArgumentException("field " + f.configName() + " is not a category field");
    }
  }

  private static void requirePositive(long ms, String what) {
    if (ms <= 0) {
      throw new IllegalArgumentException(what + " must be positive");
    }
  }
}
