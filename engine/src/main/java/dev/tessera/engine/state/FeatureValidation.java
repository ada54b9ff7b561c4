package dev.tessera.engine.state;

import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.ValueRange;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-snapshot feature validation: for each feature, how many values it has (1, or the entries of a
 * map), how many are null, NaN or outside the feature's declared range. {@link Stats} sums reports
 * so a monitor can publish the null rate and out-of-range rate per feature.
 */
public final class FeatureValidation {
  private FeatureValidation() {}

  /** The checks of one feature in one snapshot. */
  public record Check(int values, int nulls, int nans, int outOfRange) {
    public boolean ok() {
      return nans == 0 && outOfRange == 0;
    }
  }

  /** The checks of every feature of one snapshot. */
  public record Report(Map<String, Check> features) {
    public Report {
      features = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(features));
    }

    /** Whether no value is NaN or out of range (nulls are legitimate: the avg of nothing). */
    public boolean ok() {
      return features.values().stream().allMatch(Check::ok);
    }
  }

  /** Validates a snapshot against its group's declared ranges. */
  public static Report validate(FeatureGroup group, FeatureSnapshot snapshot) {
    Map<String, Check> out = new LinkedHashMap<>();
    for (FeatureDefinition f : group.features()) {
      Object v = snapshot.values().get(f.name());
      ValueRange range = f.range();
      if (v == null) {
        out.put(f.name(), new Check(1, 1, 0, 0));
      } else if (v instanceof Map<?, ?> map) {
        int nans = 0;
        int outside = 0;
        for (Object x : map.values()) {
          double d = ((Number) x).doubleValue();
          if (Double.isNaN(d)) {
            nans++;
          } else if (range != null && !range.contains(d)) {
            outside++;
          }
        }
        out.put(f.name(), new Check(map.size(), 0, nans, outside));
      } else {
        double d = ((Number) v).doubleValue();
        boolean nan = Double.isNaN(d);
        boolean outside = !nan && range != null && !range.contains(d);
        out.put(f.name(), new Check(1, 0, nan ? 1 : 0, outside ? 1 : 0));
      }
    }
    return new Report(out);
  }

  /** Running totals over many reports. Thread-safe. */
  public static final class Stats {
    private final Map<String, long[]> totals = new LinkedHashMap<>();
    private long snapshots;

    public synchronized void add(Report report) {
      snapshots++;
      report
          .features()
          .forEach(
              (name, c) -> {
                long[] t = totals.computeIfAbsent(name, n -> new long[4]);
                t[0] += c.values();
                t[1] += c.nulls();
                t[2] += c.nans();
                t[3] += c.outOfRange();
              });
    }

    public synchronized long snapshots() {
      return snapshots;
    }

    /** Per feature: nulls / values checked. */
    public synchronized Map<String, Double> nullRate() {
      return rate(1);
    }

    /** Per feature: NaN values / values checked. */
    public synchronized Map<String, Double> nanRate() {
      return rate(2);
    }

    /** Per feature: out-of-range values / values checked. */
    public synchronized Map<String, Double> outOfRangeRate() {
      return rate(3);
    }

    private Map<String, Double> rate(int k) {
      Map<String, Double> out = new LinkedHashMap<>();
      totals.forEach((name, t) -> out.put(name, t[0] == 0 ? 0.0 : (double) t[k] / t[0]));
      return out;
    }
  }
}
