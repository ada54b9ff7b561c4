package dev.tessera.engine.aggregate;

/**
 * A scalar aggregation whose intermediate value lives in a few consecutive slots of a {@code
 * double[]} (a tile, or a scratch frame while reading). The intermediate has update / merge /
 * result, so tiles merge into exact window values without allocation. Slots are relative to an
 * <em>anchor</em> instant (the tile's start), which only {@link DecayedSum} uses. A result of
 * {@code NaN} means "no value" (null).
 *
 * <p>Counts and sums of integral fields stay exact: doubles hold integers up to 2^53 exactly.
 */
public abstract sealed class SlotAggregator
    permits SlotAggregator.Count,
        SlotAggregator.Sum,
        SlotAggregator.Min,
        SlotAggregator.Max,
        SlotAggregator.Last,
        SlotAggregator.DecayedSum,
        SlotAggregator.Session {

  /** Number of slots of the intermediate value. */
  public abstract int width();

  /** Writes the empty intermediate. */
  public abstract void init(double[] s, int o);

  /** Adds one event. */
  public abstract void update(double[] s, int o, long anchor, long eventTime, double value);

  /**
   * Merges {@code src} into {@code dst}. Order-independent except for {@link Session}, where {@code
   * src} must hold only events later than those of {@code dst}.
   */
  public abstract void merge(
      double[] dst, int d, long dstAnchor, double[] src, int so, long srcAnchor);

  /** The value as of {@code asOf}; NaN for none. */
  public abstract double result(double[] s, int o, long anchor, long asOf);

  public static Count count() {
    return Count.INSTANCE;
  }

  public static Sum sum() {
    return Sum.INSTANCE;
  }

  public static Min min() {
    return Min.INSTANCE;
  }

  public static Max max() {
    return Max.INSTANCE;
  }

  public static Last last() {
    return Last.INSTANCE;
  }

  /** Number of events. */
  public static final class Count extends SlotAggregator {
    static final Count INSTANCE = new Count();

    public int width() {
      return 1;
    }

    public void init(double[] s, int o) {
      s[o] = 0;
    }

    public void update(double[] s, int o, long anchor, long t, double v) {
      s[o] += 1;
    }

    public void merge(double[] d, int di, long da, double[] s, int si, long sa) {
      d[di] += s[si];
    }

    public double result(double[] s, int o, long anchor, long asOf) {
      return s[o];
    }
  }

  /** Sum of values. */
  public static final class Sum extends SlotAggregator {
    static final Sum INSTANCE = new Sum();

    public int width() {
      return 1;
    }

    public void init(double[] s, int o) {
      s[o] = 0;
    }

    public void update(double[] s, int o, long anchor, long t, double v) {
      s[o] += v;
    }

    public void merge(double[] d, int di, long da, double[] s, int si, long sa) {
      d[di] += s[si];
    }

    public double result(double[] s, int o, long anchor, long asOf) {
      return s[o];
    }
  }

  /** Minimum; NaN when empty. */
  public static final class Min extends SlotAggregator {
    static final Min INSTANCE = new Min();

    public int width() {
      return 1;
    }

    public void init(double[] s, int o) {
      s[o] = Double.NaN;
    }

    public void update(double[] s, int o, long anchor, long t, double v) {
      if (Double.isNaN(s[o]) || v < s[o]) {
        s[o] = v;
      }
    }

    public void merge(double[] d, int di, long da, double[] s, int si, long sa) {
      if (!Double.isNaN(s[si])) {
        update(d, di, da, 0, s[si]);
      }
    }

    public double result(double[] s, int o, long anchor, long asOf) {
      return s[o];
    }
  }

  /** Maximum; NaN when empty. */
  public static final class Max extends SlotAggregator {
    static final Max INSTANCE = new Max();

    public int width() {
      return 1;
    }

    public void init(double[] s, int o) {
      s[o] = Double.NaN;
    }

    public void update(double[] s, int o, long anchor, long t, double v) {
      if (Double.isNaN(s[o]) || v > s[o]) {
        s[o] = v;
      }
    }

    public void merge(double[] d, int di, long da, double[] s, int si, long sa) {
      if (!Double.isNaN(s[si])) {
        update(d, di, da, 0, s[si]);
      }
    }

    public double result(double[] s, int o, long anchor, long asOf) {
      return s[o];
    }
  }

  /** Value of the latest event: slots (eventTime, value); ties on time keep the larger value. */
  public static final class Last extends SlotAggregator {
    static final Last INSTANCE = new Last();

    public int width() {
      return 2;
    }

    public void init(double[] s, int o) {
      s[o] = Double.NaN;
      s[o + 1] = Double.NaN;
    }

    public void update(double[] s, int o, long anchor, long t, double v) {
      put(s, o, t, v);
    }

    private static void put(double[] s, int o, double t, double v) {
      if (Double.isNaN(s[o]) || t > s[o] || (t == s[o] && v > s[o + 1])) {
        s[o] = t;
        s[o + 1] = v;
      }
    }

    public void merge(double[] d, int di, long da, double[] s, int si, long sa) {
      if (!Double.isNaN(s[si])) {
        put(d, di, s[si], s[si + 1]);
      }
    }

    public double result(double[] s, int o, long anchor, long asOf) {
      return s[o + 1];
    }
  }

  /**
   * Exponentially decayed sum {@code sum(v * 2^(-(asOf - eventTime) / halfLife))}. The slot holds
   * {@code sum(v * 2^((eventTime - anchor) / halfLife))}, so tiles never need rewriting as time
   * passes.
   */
  public static final class DecayedSum extends SlotAggregator {
    private final double halfLifeMs;

    public DecayedSum(long halfLifeMs) {
      this.halfLifeMs = halfLifeMs;
    }

    public int width() {
      return 1;
    }

    public void init(double[] s, int o) {
      s[o] = 0;
    }

    public void update(double[] s, int o, long anchor, long t, double v) {
      s[o] += v * factor(t - anchor);
    }

    public void merge(double[] d, int di, long da, double[] s, int si, long sa) {
      d[di] += s[si] * factor(sa - da);
    }

    public double result(double[] s, int o, long anchor, long asOf) {
      return s[o] * factor(anchor - asOf);
    }

    /** {@code 2^(deltaMs / halfLife)}. */
    public double factor(long deltaMs) {
      return Math.pow(2.0, deltaMs / halfLifeMs);
    }
  }

  /**
   * Gap-based session: slots (first, runStart, last) where runStart is the start of the run of
   * events with gaps &lt;= gap that ends at last. Updates must come in time order, or all within
   * one gap of each other (a tile no wider than the gap); merges must go from older to newer.
   * Result: {@code (last - runStart) / 1000} seconds, 0 when {@code asOf - last > gap} or empty.
   */
  public static final class Session extends SlotAggregator {
    private final long gapMs;

    public Session(long gapMs) {
      this.gapMs = gapMs;
    }

    public int width() {
      return 3;
    }

    public void init(double[] s, int o) {
      s[o] = Double.NaN;
      s[o + 1] = Double.NaN;
      s[o + 2] = Double.NaN;
    }

    public void update(double[] s, int o, long anchor, long t, double v) {
      if (Double.isNaN(s[o])) {
        s[o] = t;
        s[o + 1] = t;
        s[o + 2] = t;
      } else if (t >= s[o + 2]) {
        if (t - s[o + 2] > gapMs) {
          s[o + 1] = t;
        }
        s[o + 2] = t;
      } else if (t < s[o]) {
        if (s[o + 1] == s[o]) {
          s[o + 1] = t;
        }
        s[o] = t;
      }
    }

    public void merge(double[] d, int di, long da, double[] s, int si, long sa) {
      if (Double.isNaN(s[si])) {
        return;
      }
      if (Double.isNaN(d[di])) {
        d[di] = s[si];
        d[di + 1] = s[si + 1];
        d[di + 2] = s[si + 2];
        return;
      }
      boolean joins = s[si] - d[di + 2] <= gapMs && s[si + 1] == s[si];
      d[di + 1] = joins ? d[di + 1] : s[si + 1];
      d[di + 2] = s[si + 2];
    }

    public double result(double[] s, int o, long anchor, long asOf) {
      if (Double.isNaN(s[o]) || asOf - s[o + 2] > gapMs) {
        return 0.0;
      }
      return (s[o + 2] - s[o + 1]) / 1000.0;
    }
  }
}
