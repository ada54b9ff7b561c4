package dev.tessera.engine.definition;

import dev.tessera.engine.event.EventType;
import dev.tessera.engine.window.WindowContract;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A versioned set of features computed per member. A published (name, version) is immutable: {@link
 * FeatureRegistry} refuses a different definition under the same key. Features are kept sorted by
 * name, so a group read from config and one built in code compare equal.
 *
 * @param ttl how long a member's snapshot stays valid after its last accepted event
 * @param allowedLatenessMs events older than their (member, stream) watermark minus this are late
 */
public record FeatureGroup(
    String name,
    int version,
    Duration ttl,
    long allowedLatenessMs,
    List<FeatureDefinition> features)
    implements Serializable {

  public FeatureGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ttl, "ttl");
    if (!FeatureDefinition.NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "group name '" + name + "' must match " + FeatureDefinition.NAME.pattern());
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    if (allowedLatenessMs < 0) {
      throw new IllegalArgumentException("allowed lateness must not be negative");
    }
    List<FeatureDefinition> sorted = new ArrayList<>(features);
    sorted.sort(Comparator.comparing(FeatureDefinition::name));
    Set<String> seen = new HashSet<>();
    for (FeatureDefinition f : sorted) {
      if (!seen.add(f.name())) {
        throw new IllegalArgumentException("duplicate feature " + f.name());
      }
    }
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("a group needs at least one feature");
    }
    features = List.copyOf(sorted);
    long longest = 0;
    for (FeatureDefinition f : features) {
      longest = Math.max(longest, f.window().lengthMs());
    }
    if (longest + allowedLatenessMs > MAX_DUPLICATE_HORIZON_MS) {
      throw new IllegalArgumentException(
          "the longest window plus the allowed lateness must not exceed 20 days");
    }
  }

  /**
   * Upper bound of longest window + lateness (the duplicate horizon), so ids' times fit 32-bit
   * offsets.
   */
  public static final long MAX_DUPLICATE_HORIZON_MS = Duration.ofDays(20).toMillis();

  /** The longest window length of the group; with the lateness it is the duplicate horizon. */
  public long longestWindowMs() {
    long max = 0;
    for (FeatureDefinition f : features) {
      max = Math.max(max, f.window().lengthMs());
    }
    return max;
  }

  /**
   * How long an accepted eventId blocks duplicates: the first copy blocks while its {@code
   * eventTime >= watermark - (longest window + allowed lateness)}.
   */
  public long duplicateHorizonMs() {
    return longestWindowMs() + allowedLatenessMs;
  }

  public FeatureDefinition feature(String featureName) {
    for (FeatureDefinition f : features) {
      if (f.name().equals(featureName)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "no feature " + featureName + " in " + name + " v" + version);
  }

  public static Builder builder(String name, int version) {
    return new Builder(name, version);
  }

  /** Declares a group in code; the same checks as the config loader apply. */
  public static final class Builder {
    private final String name;
    private final int version;
    private Duration ttl = Duration.ofHours(48);
    private long allowedLatenessMs = WindowContract.DEFAULT_ALLOWED_LATENESS.toMillis();
    private final List<FeatureDefinition> features = new ArrayList<>();

    private Builder(String name, int version) {
      this.name = name;
      this.version = version;
    }

    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    public Builder allowedLateness(Duration lateness) {
      this.allowedLatenessMs = lateness.toMillis();
      return this;
    }

    public Builder feature(FeatureDefinition feature) {
      features.add(feature);
      return this;
    }

    /** Adds a feature without a validation range. */
    public Builder feature(
        String featureName, Aggregation aggregation, EventFilter filter, Window window) {
      return feature(new FeatureDefinition(featureName, aggregation, filter, window, null));
    }

    /** Adds a feature with a validation range. */
    public Builder feature(
        String featureName,
        Aggregation aggregation,
        EventFilter filter,
        Window window,
        ValueRange range) {
      return feature(new FeatureDefinition(featureName, aggregation, filter, window, range));
    }

    /** Shorthand: a sliding count of events of these types. */
    public Builder count(String featureName, Duration window, EventType... types) {
      return feature(
          featureName,
          new Aggregation.Count(),
          EventFilter.types(types),
          Window.sliding(window),
          ValueRange.atLeast(0));
    }

    public FeatureGroup build() {
      return new FeatureGroup(name, version, ttl, allowedLatenessMs, features);
    }
  }
}
