package dev.tessera.engine.state;

import dev.tessera.engine.aggregate.SlotAggregator;
import dev.tessera.engine.definition.Aggregation;
import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.definition.EventFilter;
import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.Window;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A feature group compiled for the kernel: tile layers (one per tile size), the accumulators shared
 * between features (e.g. {@code clicks_1h} and the numerator of {@code ctr_1h} are one
 * accumulator), and per feature how to read its value. Immutable and shared by every member state
 * of the group.
 */
final class GroupPlan {

  enum AccKind {
    SCALAR,
    CATEGORY_SUM,
    DECAYED_CATEGORY_SUM,
    DISTINCT
  }

  /** One accumulator: where it lives and which events it takes. */
  static final class Acc {
    final AccKind kind;
    final EventFilter filter;
    final int typeMask;
    final boolean hasConditions;
    final int layer;
    final SlotAggregator scalar; // SCALAR only
    final int slot; // SCALAR: offset in the layer's tile
    final int table; // CATEGORY_*: category table index; DISTINCT: distinct table index
    final EventField field; // value (scalar), weight (category) or distinct field
    final EventField category; // CATEGORY_* only
    final long halfLifeMs; // DECAYED_CATEGORY_SUM only
    final int maxDistinct; // DISTINCT only
    final long lookbackMs; // DISTINCT only: longest window it serves

    /** 1 for count, 2 for sum: the hot cases folded without a virtual call; 0 otherwise. */
    final int additive;

    /** Index of {@link #field} among the plan's raw numeric columns; -1 for the constant field. */
    int rawValue = -1;

    /** Index of {@link #category} among the plan's raw category fields; -1 if none. */
    int rawCategory = -1;

    Acc(
        AccKind kind,
        EventFilter filter,
        int layer,
        SlotAggregator scalar,
        int slot,
        int table,
        EventField field,
        EventField category,
        long halfLifeMs,
        int maxDistinct,
        long lookbackMs) {
      this.kind = kind;
      this.filter = filter;
      int mask = 0;
      for (EventType t : EventType.values()) {
        if (filter.acceptsType(t)) {
          mask |= 1 << t.ordinal();
        }
      }
      this.typeMask = mask;
      this.hasConditions = !filter.conditions().isEmpty();
      this.layer = layer;
      this.scalar = scalar;
      this.slot = slot;
      this.table = table;
      this.field = field;
      this.category = category;
      this.halfLifeMs = halfLifeMs;
      this.maxDistinct = maxDistinct;
      this.lookbackMs = lookbackMs;
      this.additive =
          scalar instanceof SlotAggregator.Count ? 1 : scalar instanceof SlotAggregator.Sum ? 2 : 0;
    }

    boolean matches(EnrichedEvent e) {
      return (typeMask & (1 << e.type().ordinal())) != 0 && (!hasConditions || filter.matches(e));
    }
  }

  enum Result {
    COUNT,
    SUM,
    AVG,
    MIN,
    MAX,
    LAST,
    DECAYED_SUM,
    SESSION,
    DISTINCT,
    SHARE,
    ENTROPY,
    DECAYED_MAP,
    RATIO
  }

  /** How to read one feature: its window and the accumulators it combines. */
  record FeatureRead(
      String name,
      Result result,
      boolean tumbling,
      long windowMs,
      long tileMs,
      int acc,
      int acc2,
      double whenZero) {}

  private static final Map<FeatureGroup, GroupPlan> CACHE = new ConcurrentHashMap<>();

  final FeatureGroup group;
  final long latenessMs;
  final long duplicateHorizonMs;
  final long ttlMs;

  /**
   * Least common multiple of every tile size: the raw tail is sealed into tiles at multiples of it.
   */
  final long grainMs;

  final long[] layerTileMs;
  final long[] layerLookbackMs;
  final int[] layerWidth;

  /** Per layer, the scalar accumulators in it (to initialise new tiles). */
  final int[][] layerAccs;

  final Acc[] accs;

  /** Per event type ordinal, the accumulators whose type filter accepts it. */
  final int[][] accsByType;

  final long[] categoryTileMs;
  final long[] categoryLookbackMs;
  final int categoryTables;
  final int distinctTables;
  final FeatureRead[] reads;
  final String[] featureNames;
  /** {@link #featureNames} as one immutable list, shared by every vector read by this plan. */
  final List<String> featureNameList;
  final int maxWidth;

  /** Numeric fields (other than the constant) and category fields kept for raw events. */
  final EventField[] rawNumeric;

  final EventField[] rawCategory;

  /** Per raw category field, the mask of the accumulators that read it. */
  final long[] rawCategoryAccs;

  /** Working memory of reads, per thread. */
  final ThreadLocal<ReadScratch> readScratch = ThreadLocal.withInitial(() -> new ReadScratch(this));

  static GroupPlan of(FeatureGroup group) {
    Objects.requireNonNull(group, "group");
    return CACHE.computeIfAbsent(group, GroupPlan::new);
  }

  private record AccKey(
      AccKind kind,
      String scalar,
      EventFilter filter,
      long tileMs,
      EventField field,
      EventField category,
      long param,
      long lookback) {}

  private GroupPlan(FeatureGroup group) {
    this.group = group;
    this.latenessMs = group.allowedLatenessMs();
    this.duplicateHorizonMs = group.duplicateHorizonMs();
    this.ttlMs = group.ttl().toMillis();

    TreeMap<Long, Long> layerLookback = new TreeMap<>(); // tileMs -> longest window
    for (FeatureDefinition f : group.features()) {
      layerLookback.merge(f.window().tileMs(), f.window().lengthMs(), Math::max);
    }
    List<Long> tiles = new ArrayList<>(layerLookback.keySet());
    layerTileMs = tiles.stream().mapToLong(Long::longValue).toArray();
    layerLookbackMs = tiles.stream().mapToLong(layerLookback::get).toArray();
    long g = 1;
    for (long t : layerTileMs) {
      g = lcm(g, t);
    }
    grainMs = g;

    Map<AccKey, Integer> index = new LinkedHashMap<>();
    List<Acc> accList = new ArrayList<>();
    int[] widths = new int[layerTileMs.length];
    List<Long> catTile = new ArrayList<>();
    List<Long> catLookback = new ArrayList<>();
    int[] distinctCount = {0};
    List<FeatureRead> readList = new ArrayList<>();

    class Builder {
      int scalar(
          SlotAggregator agg, String aggKey, EventFilter filter, Window w, EventField field) {
        int layer = tiles.indexOf(w.tileMs());
        AccKey key = new AccKey(AccKind.SCALAR, aggKey, filter, w.tileMs(), field, null, 0, 0);
        return index.computeIfAbsent(
            key,
            k -> {
              int slot = widths[layer];
              widths[layer] += agg.width();
              accList.add(
                  new Acc(AccKind.SCALAR, filter, layer, agg, slot, -1, field, null, 0, 0, 0));
              return accList.size() - 1;
            });
      }

      int category(
          AccKind kind,
          EventFilter filter,
          Window w,
          EventField category,
          EventField weight,
          long half) {
        int layer = tiles.indexOf(w.tileMs());
        AccKey key = new AccKey(kind, null, filter, w.tileMs(), weight, category, half, 0);
        Integer existing = index.get(key);
        int table = existing == null ? catTile.size() : accList.get(existing).table;
        if (existing == null) {
          catTile.add(w.tileMs());
          catLookback.add(w.lengthMs());
        } else {
          catLookback.set(table, Math.max(catLookback.get(table), w.lengthMs()));
        }
        return index.computeIfAbsent(
            key,
            k -> {
              accList.add(
                  new Acc(kind, filter, layer, null, -1, table, weight, category, half, 0, 0));
              return accList.size() - 1;
            });
      }

      int distinct(EventFilter filter, Window w, EventField field, int max) {
        AccKey key = new AccKey(AccKind.DISTINCT, null, filter, 0, field, null, max, w.lengthMs());
        return index.computeIfAbsent(
            key,
            k -> {
              accList.add(
                  new Acc(
                      AccKind.DISTINCT,
                      filter,
                      -1,
                      null,
                      -1,
                      distinctCount[0]++,
                      field,
                      null,
                      0,
                      max,
                      w.lengthMs()));
              return accList.size() - 1;
            });
      }

      int operand(Aggregation.Operand op, Window w) {
        if (op.aggregation() instanceof Aggregation.Sum s) {
          return scalar(SlotAggregator.sum(), "sum", op.filter(), w, s.field());
        }
        return scalar(SlotAggregator.count(), "count", op.filter(), w, EventField.ONE);
      }
    }
    Builder b = new Builder();
    for (FeatureDefinition f : group.features()) {
      Window w = f.window();
      EventFilter filter = f.filter();
      int acc = -1;
      int acc2 = -1;
      double whenZero = 0;
      Result result;
      if (f.aggregation() instanceof Aggregation.Count c) {
        result = Result.COUNT;
        acc = b.scalar(SlotAggregator.count(), "count", filter, w, EventField.ONE);
      } else if (f.aggregation() instanceof Aggregation.Sum s) {
        result = Result.SUM;
        acc = b.scalar(SlotAggregator.sum(), "sum", filter, w, s.field());
      } else if (f.aggregation() instanceof Aggregation.Avg a) {
        result = Result.AVG;
        acc = b.scalar(SlotAggregator.sum(), "sum", filter, w, a.field());
        acc2 = b.scalar(SlotAggregator.count(), "count", filter, w, EventField.ONE);
      } else if (f.aggregation() instanceof Aggregation.Min m) {
        result = Result.MIN;
        acc = b.scalar(SlotAggregator.min(), "min", filter, w, m.field());
      } else if (f.aggregation() instanceof Aggregation.Max m) {
        result = Result.MAX;
        acc = b.scalar(SlotAggregator.max(), "max", filter, w, m.field());
      } else if (f.aggregation() instanceof Aggregation.Last l) {
        result = Result.LAST;
        acc = b.scalar(SlotAggregator.last(), "last", filter, w, l.field());
      } else if (f.aggregation() instanceof Aggregation.DecayedSum d) {
        result = Result.DECAYED_SUM;
        acc =
            b.scalar(
                new SlotAggregator.DecayedSum(d.halfLifeMs()),
                "decayed:" + d.halfLifeMs(),
                filter,
                w,
                d.field());
      } else if (f.aggregation() instanceof Aggregation.SessionDuration s) {
        result = Result.SESSION;
        acc =
            b.scalar(
                new SlotAggregator.Session(s.gapMs()),
                "session:" + s.gapMs(),
                filter,
                w,
                EventField.ONE);
      } else if (f.aggregation() instanceof Aggregation.DistinctCount d) {
        result = Result.DISTINCT;
        acc = b.distinct(filter, w, d.field(), d.maxDistinct());
      } else if (f.aggregation() instanceof Aggregation.CategoryShare s) {
        result = Result.SHARE;
        acc = b.category(AccKind.CATEGORY_SUM, filter, w, s.category(), s.weight(), 0);
      } else if (f.aggregation() instanceof Aggregation.Entropy e) {
        result = Result.ENTROPY;
        acc = b.category(AccKind.CATEGORY_SUM, filter, w, e.category(), e.weight(), 0);
      } else if (f.aggregation() instanceof Aggregation.DecayedCategorySum d) {
        result = Result.DECAYED_MAP;
        acc =
            b.category(
                AccKind.DECAYED_CATEGORY_SUM, filter, w, d.category(), d.weight(), d.halfLifeMs());
      } else if (f.aggregation() instanceof Aggregation.Ratio r) {
        result = Result.RATIO;
        acc = b.operand(r.numerator(), w);
        acc2 = b.operand(r.denominator(), w);
        whenZero = r.whenZero();
      } else {
        throw new IllegalStateException("unknown aggregation " + f.aggregation());
      }
      readList.add(
          new FeatureRead(
              f.name(),
              result,
              w instanceof Window.Tumbling,
              w.lengthMs(),
              w.tileMs(),
              acc,
              acc2,
              whenZero));
    }
    this.accs = accList.toArray(new Acc[0]);
    this.layerWidth = widths;
    this.layerAccs = new int[layerTileMs.length][];
    for (int l = 0; l < layerTileMs.length; l++) {
      List<Integer> in = new ArrayList<>();
      for (int a = 0; a < accs.length; a++) {
        if (accs[a].kind == AccKind.SCALAR && accs[a].layer == l) {
          in.add(a);
        }
      }
      layerAccs[l] = in.stream().mapToInt(Integer::intValue).toArray();
    }
    this.accsByType = new int[EventType.values().length][];
    for (EventType t : EventType.values()) {
      List<Integer> in = new ArrayList<>();
      for (int a = 0; a < accs.length; a++) {
        if ((accs[a].typeMask & (1 << t.ordinal())) != 0) {
          in.add(a);
        }
      }
      accsByType[t.ordinal()] = in.stream().mapToInt(Integer::intValue).toArray();
    }
    this.categoryTileMs = catTile.stream().mapToLong(Long::longValue).toArray();
    this.categoryLookbackMs = catLookback.stream().mapToLong(Long::longValue).toArray();
    this.categoryTables = catTile.size();
    this.distinctTables = distinctCount[0];
    this.reads = readList.toArray(new FeatureRead[0]);
    this.featureNames = readList.stream().map(FeatureRead::name).toArray(String[]::new);
    this.featureNameList = List.of(featureNames);
    int mw = 1;
    for (Acc a : accs) {
      if (a.scalar != null) {
        mw = Math.max(mw, a.scalar.width());
      }
    }
    this.maxWidth = mw;
    if (accs.length > 64) {
      throw new IllegalArgumentException(
          "feature group "
              + group.name()
              + " v"
              + group.version()
              + " needs "
              + accs.length
              + " accumulators; at most 64 are supported");
    }
    List<EventField> numeric = new ArrayList<>();
    List<EventField> category = new ArrayList<>();
    for (Acc a : accs) {
      if (a.kind == AccKind.DISTINCT) {
        continue;
      }
      if (a.field != null && a.field != EventField.ONE) {
        if (!numeric.contains(a.field)) {
          numeric.add(a.field);
        }
        a.rawValue = numeric.indexOf(a.field);
      }
      if (a.category != null) {
        if (!category.contains(a.category)) {
          category.add(a.category);
        }
        a.rawCategory = category.indexOf(a.category);
      }
    }
    this.rawNumeric = numeric.toArray(new EventField[0]);
    this.rawCategory = category.toArray(new EventField[0]);
    this.rawCategoryAccs = new long[rawCategory.length];
    for (int a = 0; a < accs.length; a++) {
      if (accs[a].rawCategory >= 0) {
        rawCategoryAccs[accs[a].rawCategory] |= 1L << a;
      }
    }
  }

  private static long lcm(long a, long b) {
    long x = a;
    long y = b;
    while (y != 0) {
      long t = x % y;
      x = y;
      y = t;
    }
    return a / x * b;
  }
}
