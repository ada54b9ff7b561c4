package dev.tessera.engine.state;

import dev.tessera.engine.aggregate.CategoryMath;
import dev.tessera.engine.aggregate.SlotAggregator;
import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.window.Outcome;
import dev.tessera.engine.window.WindowContract;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The feature state of one member for one {@link FeatureGroup}: the kernel that {@code sharding/}
 * (one per entity) and {@code batch/} (one per replayed member) both run.
 *
 * <h2>Applying</h2>
 *
 * Each (member, stream) must be applied in its Kafka offset order; streams may interleave freely,
 * the result does not depend on it. {@link #apply(EnrichedEvent, long)} returns an {@link Outcome}
 * constant (no allocation):
 *
 * <ul>
 *   <li>{@link Outcome#ALREADY_APPLIED} if {@code offset >= 0} and not above the stream's last
 *       applied offset;
 *   <li>{@link Outcome#DUPLICATE} if the eventId was accepted in the stream and that copy's {@code
 *       eventTime >= watermark - (longest window + lateness)};
 *   <li>{@link Outcome#LATE} if {@code eventTime < watermark - allowedLateness};
 *   <li>{@link Outcome#ACCEPTED} otherwise: aggregated, and the stream's watermark becomes {@code
 *       max(watermark, eventTime)}.
 * </ul>
 *
 * <h2>Reading</h2>
 *
 * {@link #snapshot(long, long)} computes the full vector as of any {@code t >= exactFrom()}, the
 * <em>seal point</em> {@code align(max watermark - lateness, grain)}, the grain being the least
 * common multiple of all tile sizes. Every accepted event is folded on arrival into sparse tiles
 * (one layer per tile size); events at or after the seal point are also kept raw. A read takes the
 * window's tiles that are complete at t and the raw events after them, so it is exact for any t at
 * or after the seal point, which is never after {@code max watermark - lateness}: online reads at
 * the request time are always exact; see {@link MemberReplay} for point-in-time reads in batch.
 * Tiles, ids and values that no readable window can reach are evicted.
 *
 * <p>Not thread-safe: confine an instance to one thread at a time (an actor, a Spark task).
 * Deterministic: equal inputs give equal states, values and bytes. {@link #toBytes()} / {@link
 * #fromBytes(FeatureGroup, byte[])} give a compact versioned binary form; Java serialization uses
 * it too.
 */
public final class MemberFeatureState implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  /** Version byte of the binary form. */
  public static final int FORMAT_VERSION = 1;

  private static final long NONE = Long.MIN_VALUE;
  private static final int STREAMS = EventStream.count();

  private final transient GroupPlan plan;
  private final transient String memberId;
  private final transient long[] watermarks = new long[STREAMS];
  private final transient long[] lastOffsets = new long[STREAMS];
  private transient long maxWatermark = NONE;
  private transient long seal = NONE;
  private transient long acceptedTotal;
  private transient long lateTotal;
  private transient long duplicateTotal;
  private transient long alreadyAppliedTotal;
  private final transient TileLayer[] layers;
  private final transient CategoryTiles[] categories;
  private final transient DistinctTable[] distincts;
  private final transient CategoryDictionary dictionary = new CategoryDictionary();
  private final transient DuplicateTable duplicateIds;
  private final transient RawEvents raw;

  private transient int[] tileCache;
  private transient int compactDictionaryAt = 64;

  private MemberFeatureState(GroupPlan plan, String memberId) {
    this.plan = plan;
    this.memberId = memberId;
    Arrays.fill(watermarks, NONE);
    Arrays.fill(lastOffsets, -1);
    layers = new TileLayer[plan.layerTileMs.length];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = new TileLayer(plan.layerTileMs[l], plan.layerWidth[l]);
    }
    categories = new CategoryTiles[plan.categoryTables];
    for (int c = 0; c < categories.length; c++) {
      categories[c] = new CategoryTiles(plan.categoryTileMs[c]);
    }
    distincts = new DistinctTable[plan.distinctTables];
    for (GroupPlan.Acc a : plan.accs) {
      if (a.kind == GroupPlan.AccKind.DISTINCT) {
        distincts[a.table] = new DistinctTable(a.maxDistinct);
      }
    }
    tileCache = new int[layers.length];
    raw = new RawEvents(plan);
    duplicateIds = new DuplicateTable(plan.duplicateHorizonMs, watermarks);
  }

  /** An empty state. */
  public static MemberFeatureState create(FeatureGroup group, String memberId) {
    Objects.requireNonNull(memberId, "memberId");
    return new MemberFeatureState(GroupPlan.of(group), memberId);
  }

  public FeatureGroup group() {
    return plan.group;
  }

  public String memberId() {
    return memberId;
  }

  // ----------------------------------------------------------------------------------------------
  // applying

  /** Applies one event without offset tracking (tests, tools). */
  public Outcome apply(EnrichedEvent event) {
    return apply(event, -1);
  }

  /**
   * Applies one event of its stream, in that stream's offset order.
   *
   * @param offset the event's Kafka offset, recorded as the stream's last applied offset; negative
   *     for none
   */
  public Outcome apply(EnrichedEvent event, long offset) {
    int s = event.type().stream().ordinal();
    if (offset >= 0) {
      if (offset <= lastOffsets[s]) {
        alreadyAppliedTotal++;
        return Outcome.ALREADY_APPLIED;
      }
      lastOffsets[s] = offset;
    }
    long time = event.eventTime();
    long wm = watermarks[s];
    long key = DuplicateTable.key(event.eventId(), s);
    long firstCopy = duplicateIds.timeOf(key);
    if (firstCopy != DuplicateTable.ABSENT && firstCopy >= wm - plan.duplicateHorizonMs) {
      duplicateTotal++;
      return Outcome.DUPLICATE;
    }
    if (wm != NONE && time < wm - plan.latenessMs) {
      lateTotal++;
      return Outcome.LATE;
    }
    duplicateIds.putLastLookedUp(key, time);
    if (time > wm) {
      watermarks[s] = time;
    }
    acceptedTotal++;
    if (seal != NONE && time < seal) {
      fold(event, FOLD_TILES | FOLD_DISTINCT);
    } else {
      long mask = fold(event, FOLD_TILES | FOLD_PENDING);
      raw.add(event, mask, dictionary);
    }
    if (time > maxWatermark) {
      maxWatermark = time;
      advanceSeal();
    }
    return Outcome.ACCEPTED;
  }

  /**
   * Applies a batch of events, each in its stream's offset order.
   *
   * @param offsets the events' offsets (same length), or null for none
   * @param onLate receives each late event (to side-route it), or null
   */
  public ApplyCounts applyAll(
      List<EnrichedEvent> events, long[] offsets, Consumer<EnrichedEvent> onLate) {
    if (offsets != null && offsets.length != events.size()) {
      throw new IllegalArgumentException("offsets and events differ in length");
    }
    int accepted = 0;
    int late = 0;
    int duplicates = 0;
    int already = 0;
    for (int i = 0, n = events.size(); i < n; i++) {
      EnrichedEvent e = events.get(i);
      switch (apply(e, offsets == null ? -1 : offsets[i])) {
        case ACCEPTED -> accepted++;
        case LATE -> {
          late++;
          if (onLate != null) {
            onLate.accept(e);
          }
        }
        case DUPLICATE -> duplicates++;
        case ALREADY_APPLIED -> already++;
      }
    }
    return new ApplyCounts(accepted, late, duplicates, already);
  }

  private void advanceSeal() {
    long next = WindowContract.align(maxWatermark - plan.latenessMs, plan.grainMs);
    if (seal != NONE && next <= seal) {
      return;
    }
    seal = next;
    raw.dropBefore(seal);
    for (DistinctTable d : distincts) {
      d.seal(seal);
    }
    for (int l = 0; l < layers.length; l++) {
      long lookback = plan.layerLookbackMs[l];
      if (layers[l].oldest < seal - lookback - lookback / EVICTION_SLACK) {
        layers[l].evictBefore(seal - lookback);
      }
    }
    for (int c = 0; c < categories.length; c++) {
      long lookback = plan.categoryLookbackMs[c];
      CategoryTiles ct = categories[c];
      if (ct.oldestKey
          < CategoryTiles.key(
              Math.floorDiv(seal - lookback - lookback / EVICTION_SLACK, ct.tileMs), 0)) {
        ct.evictBefore(Math.floorDiv(seal - lookback, ct.tileMs));
      }
    }
    for (GroupPlan.Acc a : plan.accs) {
      if (a.kind == GroupPlan.AccKind.DISTINCT) {
        distincts[a.table].evictBefore(seal - a.lookbackMs, a.lookbackMs / EVICTION_SLACK);
      }
    }
    if (dictionary.size > compactDictionaryAt) {
      compactDictionary();
    }
  }

  /**
   * Drops categories no tile, distinct table or raw event refers to any more, so a long-lived
   * member's dictionary tracks its recent titles, not every title it ever saw. Amortised: runs when
   * the dictionary has doubled.
   */
  private void compactDictionary() {
    boolean[] live = new boolean[dictionary.size];
    for (CategoryTiles c : categories) {
      for (int i = 0; i < c.size; i++) {
        live[(int) (c.keys[i] & CategoryTiles.CATEGORY_MASK)] = true;
      }
    }
    for (DistinctTable d : distincts) {
      for (int i = 0; i < d.size; i++) {
        live[d.ids[i]] = true;
      }
      for (int i = 0; i < d.pending; i++) {
        live[d.pendingIds[i]] = true;
      }
    }
    raw.markLive(live);
    int[] remap = dictionary.compact(live);
    raw.remap(remap);
    for (CategoryTiles c : categories) {
      c.remap(remap);
    }
    for (DistinctTable d : distincts) {
      d.remap(remap);
    }
    compactDictionaryAt = Math.max(64, dictionary.size * 2);
  }

  /**
   * Evicted data may linger up to 1/16 of its lookback past the horizon (reads skip it), so
   * eviction shifts arrays once per 1/16 lookback of a member's event time instead of at every seal
   * advance.
   */
  private static final int EVICTION_SLACK = 16;

  private static final int FOLD_TILES = 1;
  private static final int FOLD_DISTINCT = 2;
  private static final int FOLD_PENDING = 4;

  /**
   * Folds an event into tiles and category tiles (at once, while it is in cache; reads take only
   * tiles that end at or before t and the raw tail for the rest) and, once it is below the seal
   * point, into the distinct tables (which keep one latest time per value, so they may only hold
   * events at or before every readable t).
   */
  private long fold(EnrichedEvent e, int what) {
    long time = e.eventTime();
    boolean tiles = (what & FOLD_TILES) != 0;
    boolean distinct = (what & (FOLD_DISTINCT | FOLD_PENDING)) != 0;
    boolean pending = (what & FOLD_PENDING) != 0;
    if (tiles) {
      Arrays.fill(tileCache, -1);
    }
    long mask = 0;
    for (int a : plan.accsByType[e.type().ordinal()]) {
      GroupPlan.Acc acc = plan.accs[a];
      if (acc.kind == GroupPlan.AccKind.DISTINCT ? !distinct : !tiles) {
        continue;
      }
      if (acc.hasConditions && !acc.filter.matches(e)) {
        continue;
      }
      if (acc.kind != GroupPlan.AccKind.DISTINCT) {
        mask |= 1L << a;
      }
      switch (acc.kind) {
        case SCALAR -> {
          int off = tileOffset(acc.layer, time);
          if (off >= 0) {
            TileLayer layer = layers[acc.layer];
            if (acc.additive == 1) {
              layer.data[off + acc.slot] += 1;
            } else if (acc.additive == 2) {
              layer.data[off + acc.slot] += acc.field.number(e);
            } else {
              long start = WindowContract.align(time, layer.tileMs);
              acc.scalar.update(layer.data, off + acc.slot, start, time, acc.field.number(e));
            }
          }
        }
        case CATEGORY_SUM, DECAYED_CATEGORY_SUM -> {
          CategoryTiles ct = categories[acc.table];
          long tileIndex = Math.floorDiv(time, ct.tileMs);
          if (tileIndex * ct.tileMs < horizonStart(plan.categoryLookbackMs[acc.table])) {
            continue;
          }
          double w = acc.field.number(e);
          if (acc.kind == GroupPlan.AccKind.DECAYED_CATEGORY_SUM) {
            w *= Math.pow(2.0, (time - tileIndex * ct.tileMs) / (double) acc.halfLifeMs);
          }
          if (w == 0) {
            continue;
          }
          if (acc.category == EventField.GENRE) {
            List<String> g = e.genres();
            for (int i = 0; i < g.size(); i++) {
              ct.add(CategoryTiles.key(tileIndex, dictionary.intern(g.get(i))), w);
            }
          } else {
            String v = acc.category.category(e);
            if (v != null) {
              ct.add(CategoryTiles.key(tileIndex, dictionary.intern(v)), w);
            }
          }
        }
        case DISTINCT -> {
          if (!pending && time < horizonStart(acc.lookbackMs)) {
            continue;
          }
          DistinctTable dt = distincts[acc.table];
          if (acc.field == EventField.GENRE) {
            List<String> g = e.genres();
            for (int i = 0; i < g.size(); i++) {
              int id = dictionary.intern(g.get(i));
              if (pending) {
                dt.addPending(id, time);
              } else {
                dt.add(id, time);
              }
            }
          } else {
            String v = acc.field.category(e);
            if (v != null) {
              int id = dictionary.intern(v);
              if (pending) {
                dt.addPending(id, time);
              } else {
                dt.add(id, time);
              }
            }
          }
        }
      }
    }
    return mask;
  }

  /**
   * Slot offset of the tile of {@code time} in a layer, created if absent; -1 if it lies beyond the
   * horizon.
   */
  private int tileOffset(int l, long time) {
    if (tileCache[l] >= 0) {
      return tileCache[l];
    }
    TileLayer layer = layers[l];
    long start = WindowContract.align(time, layer.tileMs);
    if (start < horizonStart(plan.layerLookbackMs[l])) {
      return -1;
    }
    int i = layer.find(start);
    int off;
    if (i >= 0) {
      off = layer.slotOffset(i);
    } else {
      off = layer.insert(-i - 1, start);
      for (int a : plan.layerAccs[l]) {
        GroupPlan.Acc acc = plan.accs[a];
        if (acc.additive != 0) {
          layer.data[off + acc.slot] = 0;
        } else {
          acc.scalar.init(layer.data, off + acc.slot);
        }
      }
    }
    tileCache[l] = off;
    return off;
  }

  // ----------------------------------------------------------------------------------------------
  // reading

  /**
   * The earliest instant a snapshot can be read as of; {@link Long#MIN_VALUE} while nothing is
   * sealed. Always at or before {@code watermark() - allowedLateness}.
   */
  public long exactFrom() {
    return seal;
  }

  /**
   * The full feature vector as of {@code asOf}.
   *
   * @param computedAt wall-clock time recorded in the snapshot
   * @throws IllegalArgumentException if {@code asOf < exactFrom()}
   */
  public FeatureSnapshot snapshot(long asOf, long computedAt) {
    if (seal != NONE && asOf < seal) {
      throw new IllegalArgumentException(
          "as-of " + asOf + " precedes the state's exact range, which starts at " + seal);
    }
    GroupPlan.FeatureRead[] reads = plan.reads;
    Object[] values = new Object[reads.length];
    ReadScratch rs = plan.readScratch.get();
    rs.reset();
    for (int i = 0; i < reads.length; i++) {
      values[i] = read(reads[i], asOf, rs);
    }
    return new FeatureSnapshot(
        memberId,
        plan.group.name(),
        plan.group.version(),
        new FeatureValues(plan.featureNames, plan.featureNameList, values),
        asOf,
        maxWatermark,
        computedAt,
        expiresAt());
  }

  private Object read(GroupPlan.FeatureRead r, long t, ReadScratch rs) {
    // Tiles with lo <= start < split are complete at t; raw events in [split, hi] complete the
    // window.
    long lo;
    long hi;
    long split;
    if (r.tumbling()) {
      lo = WindowContract.tumblingFrom(t, r.windowMs());
      hi = WindowContract.tumblingUntil(t, r.windowMs()) - 1;
      split = hi + 1;
    } else {
      lo = WindowContract.slidingFrom(t, r.windowMs(), r.tileMs());
      hi = t;
      split = WindowContract.align(t, r.tileMs());
    }
    switch (r.result()) {
      case COUNT:
      case DISTINCT:
        return r.result() == GroupPlan.Result.COUNT
            ? (long) scalar(r.acc(), lo, split, hi, t, rs)
            : distinct(r.acc(), lo, hi, rs);
      case SUM:
      case DECAYED_SUM:
      case SESSION:
        return scalar(r.acc(), lo, split, hi, t, rs);
      case MIN:
      case MAX:
      case LAST:
        {
          double v = scalar(r.acc(), lo, split, hi, t, rs);
          return Double.isNaN(v) ? null : v;
        }
      case AVG:
        {
          double c = scalar(r.acc2(), lo, split, hi, t, rs);
          return c == 0 ? null : scalar(r.acc(), lo, split, hi, t, rs) / c;
        }
      case RATIO:
        {
          double d = scalar(r.acc2(), lo, split, hi, t, rs);
          return d == 0 ? r.whenZero() : scalar(r.acc(), lo, split, hi, t, rs) / d;
        }
      case SHARE:
        {
          int n = dictionary.size;
          double[] credits = categoryCredits(r.acc(), lo, split, hi, t, rs);
          double total = 0;
          for (int i = 0; i < n; i++) {
            if (credits[i] > 0) {
              total += credits[i];
            }
          }
          TreeMap<String, Double> out = new TreeMap<>();
          for (int i = 0; i < n; i++) {
            if (credits[i] > 0) {
              out.put(dictionary.name(i), credits[i] / total);
            }
          }
          return out;
        }
      case ENTROPY:
        {
          int n = dictionary.size;
          double[] credits = categoryCredits(r.acc(), lo, split, hi, t, rs);
          return CategoryMath.entropy(credits, n);
        }
      case DECAYED_MAP:
        {
          int n = dictionary.size;
          double[] credits = categoryCredits(r.acc(), lo, split, hi, t, rs);
          TreeMap<String, Double> out = new TreeMap<>();
          for (int i = 0; i < n; i++) {
            if (credits[i] > 0) {
              out.put(dictionary.name(i), credits[i]);
            }
          }
          return out;
        }
      default:
        throw new IllegalStateException(r.result().toString());
    }
  }

  private double scalar(int a, long lo, long split, long hi, long t, ReadScratch rs) {
    if (rs.memoFrom[a] == lo && rs.memoTo[a] == hi) {
      return rs.memoValue[a];
    }
    double v = computeScalar(a, lo, split, hi, t, rs.slots);
    rs.memoFrom[a] = lo;
    rs.memoTo[a] = hi;
    rs.memoValue[a] = v;
    return v;
  }

  private double computeScalar(int a, long lo, long split, long hi, long t, double[] s) {
    GroupPlan.Acc acc = plan.accs[a];
    if (acc.additive != 0) {
      return additive(a, acc, lo, split, hi);
    }
    SlotAggregator agg = acc.scalar;
    TileLayer layer = layers[acc.layer];
    agg.init(s, 0);
    double[] data = layer.data;
    for (int i = layer.lowerBound(lo), n = layer.size; i < n; i++) {
      int off = layer.slotOffset(i);
      long start = (long) data[off - 1];
      if (start >= split) {
        break;
      }
      agg.merge(s, 0, t, data, off + acc.slot, start);
    }
    long bit = 1L << a;
    for (int j = raw.from(split), n = raw.size; j < n; j++) {
      long time = raw.time(j);
      if (time > hi) {
        break;
      }
      if ((raw.mask(j) & bit) != 0) {
        agg.update(s, 0, t, time, raw.value(j, acc.rawValue));
      }
    }
    return agg.result(s, 0, t, t);
  }

  /** Counts and sums: the hot, order-free case, without virtual calls. */
  private double additive(int a, GroupPlan.Acc acc, long lo, long split, long hi) {
    TileLayer layer = layers[acc.layer];
    double[] data = layer.data;
    double sum = 0;
    for (int i = layer.lowerBound(lo), n = layer.size; i < n; i++) {
      int off = layer.slotOffset(i);
      if ((long) data[off - 1] >= split) {
        break;
      }
      sum += data[off + acc.slot];
    }
    long bit = 1L << a;
    for (int j = raw.from(split), n = raw.size; j < n; j++) {
      if (raw.time(j) > hi) {
        break;
      }
      if ((raw.mask(j) & bit) != 0) {
        sum += acc.additive == 1 ? 1 : raw.value(j, acc.rawValue);
      }
    }
    return sum;
  }

  /** The credits of each category id (index = dictionary id) in the window. */
  private double[] categoryCredits(int a, long lo, long split, long hi, long t, ReadScratch rs) {
    int n = dictionary.size;
    if (rs.memoFrom[a] == lo && rs.memoTo[a] == hi) {
      return rs.credits[a];
    }
    double[] cs = rs.credits(a, n);
    computeCredits(cs, a, lo, split, hi, t);
    rs.memoFrom[a] = lo;
    rs.memoTo[a] = hi;
    return cs;
  }

  private void computeCredits(double[] cs, int a, long lo, long split, long hi, long t) {
    GroupPlan.Acc acc = plan.accs[a];
    CategoryTiles ct = categories[acc.table];
    boolean decayed = acc.kind == GroupPlan.AccKind.DECAYED_CATEGORY_SUM;
    double halfLife = acc.halfLifeMs;
    long loKey = CategoryTiles.key(Math.floorDiv(lo, ct.tileMs), 0);
    long hiKey = CategoryTiles.key(Math.floorDiv(split, ct.tileMs), 0) - 1;
    long currentTile = Long.MIN_VALUE;
    double factor = 1;
    for (int i = ct.lowerBound(loKey); i < ct.size && ct.keys[i] <= hiKey; i++) {
      long key = ct.keys[i];
      double v = ct.values[i];
      if (decayed) {
        long tileIndex = key >>> CategoryTiles.CATEGORY_BITS;
        if (tileIndex != currentTile) {
          currentTile = tileIndex;
          factor = Math.pow(2.0, (tileIndex * ct.tileMs - t) / halfLife);
        }
        v *= factor;
      }
      cs[(int) (key & CategoryTiles.CATEGORY_MASK)] += v;
    }
    long bit = 1L << a;
    for (int j = raw.from(split), n = raw.size; j < n; j++) {
      long time = raw.time(j);
      if (time > hi) {
        break;
      }
      if ((raw.mask(j) & bit) == 0) {
        continue;
      }
      double w = raw.value(j, acc.rawValue);
      if (w == 0) {
        continue;
      }
      if (decayed) {
        w *= Math.pow(2.0, (time - t) / halfLife);
      }
      int p = raw.categoryOffset(j, acc.rawCategory);
      if (p < 0) {
        continue;
      }
      int[] c = raw.categoryIds;
      for (int k = 1; k <= c[p]; k++) {
        cs[c[p + k]] += w;
      }
    }
  }

  /**
   * The earliest instant a window of this lookback can reach from a readable t; none before the
   * first seal.
   */
  private long horizonStart(long lookbackMs) {
    return seal == NONE ? NONE : seal - lookbackMs;
  }

  private long distinct(int a, long lo, long hi, ReadScratch rs) {
    GroupPlan.Acc acc = plan.accs[a];
    return Math.min(distincts[acc.table].distinctIn(lo, hi, rs.ids), acc.maxDistinct);
  }

  // ----------------------------------------------------------------------------------------------
  // facts

  /** The largest accepted eventTime over all streams; {@link Long#MIN_VALUE} if none. */
  public long watermark() {
    return maxWatermark;
  }

  /** The (member, stream) watermark; {@link Long#MIN_VALUE} if the stream has no accepted event. */
  public long watermark(EventStream stream) {
    return watermarks[stream.ordinal()];
  }

  /** The last offset applied for the stream; -1 if none was given. */
  public long lastOffset(EventStream stream) {
    return lastOffsets[stream.ordinal()];
  }

  /**
   * The largest accepted eventTime plus the group's TTL; {@link Long#MIN_VALUE} with no accepted
   * event.
   */
  public long expiresAt() {
    return maxWatermark == NONE ? NONE : maxWatermark + plan.ttlMs;
  }

  /** Whether the member's snapshot is past its TTL: {@code now >= expiresAt()}. */
  public boolean isExpired(long now) {
    return now >= expiresAt();
  }

  /** Whether no event was ever accepted. */
  public boolean isEmpty() {
    return maxWatermark == NONE;
  }

  public long acceptedCount() {
    return acceptedTotal;
  }

  public long lateCount() {
    return lateTotal;
  }

  public long duplicateCount() {
    return duplicateTotal;
  }

  public long alreadyAppliedCount() {
    return alreadyAppliedTotal;
  }

  /** Number of non-empty tiles over all layers (diagnostics). */
  public int tileCount() {
    int n = 0;
    for (TileLayer l : layers) {
      n += l.size;
    }
    return n;
  }

  /**
   * Diagnostics: approximate retained bytes by part (array payloads plus 16-byte array headers), to
   * explain the measured footprint.
   */
  public Map<String, Long> approximateBytesByPart() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    long tiles = 0;
    for (TileLayer l : layers) {
      tiles += 16 + 8L * l.data.length;
    }
    out.put("tiles", tiles);
    long cats = 0;
    for (CategoryTiles c : categories) {
      cats += 32 + 16L * c.keys.length;
    }
    out.put("category-tiles", cats);
    long distinct = 0;
    for (DistinctTable d : distincts) {
      distinct += 64 + 12L * d.ids.length + 12L * d.pendingIds.length + 4L * d.size;
    }
    out.put("distinct", distinct);
    out.put("duplicate-ids", 32 + 12L * duplicateIds.keys.length);
    out.put("raw-events", raw.approximateBytes());
    out.put("dictionary", 32 + 8L * dictionary.names.length);
    return out;
  }

  /** Number of raw (not yet sealed) events held. */
  public int rawEventCount() {
    return raw.size;
  }

  /** Releases spare array capacity (e.g. before a member goes idle). */
  public void trim() {
    for (TileLayer l : layers) {
      l.trim();
    }
    for (CategoryTiles c : categories) {
      c.trim();
    }
    for (DistinctTable d : distincts) {
      d.trim();
    }
    duplicateIds.trim();
    raw.trim();
  }

  // ----------------------------------------------------------------------------------------------
  // binary form

  /**
   * The compact binary form: a version byte, then varint-encoded watermarks, offsets, tiles and raw
   * events.
   */
  public byte[] toBytes() {
    BinaryCodec.Writer w = new BinaryCodec.Writer();
    w.writeByte(FORMAT_VERSION);
    w.writeString(plan.group.name());
    w.writeVarLong(plan.group.version());
    w.writeString(memberId);
    w.writeZigZag(maxWatermark);
    w.writeZigZag(seal);
    w.writeVarLong(acceptedTotal);
    w.writeVarLong(lateTotal);
    w.writeVarLong(duplicateTotal);
    w.writeVarLong(alreadyAppliedTotal);
    for (int s = 0; s < STREAMS; s++) {
      w.writeZigZag(watermarks[s]);
      w.writeZigZag(lastOffsets[s]);
    }
    w.writeVarLong(compactDictionaryAt);
    w.writeVarLong(dictionary.size);
    for (int i = 0; i < dictionary.size; i++) {
      w.writeString(dictionary.name(i));
    }
    for (TileLayer l : layers) {
      w.writeVarLong(l.size);
      long prev = 0;
      for (int i = 0; i < l.size; i++) {
        long index = Math.floorDiv(l.start(i), l.tileMs);
        w.writeZigZag(index - prev);
        prev = index;
        for (int k = 0; k < l.width; k++) {
          w.writeDouble(l.data[l.slotOffset(i) + k]);
        }
      }
    }
    for (CategoryTiles c : categories) {
      w.writeVarLong(c.size);
      long prev = 0;
      for (int i = 0; i < c.size; i++) {
        w.writeZigZag(c.keys[i] - prev);
        prev = c.keys[i];
        w.writeDouble(c.values[i]);
      }
    }
    for (DistinctTable d : distincts) {
      w.writeVarLong(d.size);
      for (int i = 0; i < d.size; i++) {
        w.writeVarLong(d.ids[i]);
        w.writeZigZag(maxWatermark - d.latest[i]);
      }
    }
    duplicateIds.merge();
    w.writeVarLong(duplicateIds.size);
    for (int i = 0; i < duplicateIds.size; i++) {
      w.writeLong(duplicateIds.keys[i]);
      w.writeZigZag(maxWatermark - duplicateIds.timeAt(i));
    }
    for (DistinctTable d : distincts) {
      w.writeVarLong(d.pending);
      for (int i = 0; i < d.pending; i++) {
        w.writeVarLong(d.pendingIds[i]);
        w.writeZigZag(maxWatermark - d.pendingTimes[i]);
      }
    }
    w.writeVarLong(raw.size);
    for (int i = 0; i < raw.size; i++) {
      w.writeZigZag(maxWatermark - raw.time(i));
      w.writeLong(raw.mask(i));
      for (int k = 0; k < plan.rawNumeric.length; k++) {
        w.writeDouble(raw.value(i, k));
      }
      int[] c = raw.categoryIdsOf(i);
      w.writeVarLong(c.length);
      for (int id : c) {
        w.writeVarLong(id);
      }
    }
    return w.toBytes();
  }

  /**
   * Restores a state from {@link #toBytes()}.
   *
   * @throws IllegalArgumentException if the bytes are corrupt, of another format version, or of
   *     another group
   */
  public static MemberFeatureState fromBytes(FeatureGroup group, byte[] bytes) {
    BinaryCodec.Reader r = new BinaryCodec.Reader(bytes);
    int format = r.readByte();
    if (format != FORMAT_VERSION) {
      throw new IllegalArgumentException("unsupported state format version " + format);
    }
    String name = r.readString();
    long version = r.readVarLong();
    if (!group.name().equals(name) || group.version() != version) {
      throw new IllegalArgumentException(
          "state of "
              + name
              + " v"
              + version
              + " cannot be read as "
              + group.name()
              + " v"
              + group.version());
    }
    MemberFeatureState st = new MemberFeatureState(GroupPlan.of(group), r.readString());
    st.maxWatermark = r.readZigZag();
    st.seal = r.readZigZag();
    st.acceptedTotal = r.readVarLong();
    st.lateTotal = r.readVarLong();
    st.duplicateTotal = r.readVarLong();
    st.alreadyAppliedTotal = r.readVarLong();
    for (int s = 0; s < STREAMS; s++) {
      st.watermarks[s] = r.readZigZag();
      st.lastOffsets[s] = r.readZigZag();
    }
    st.compactDictionaryAt = r.readVarInt();
    int dict = r.readVarInt();
    for (int i = 0; i < dict; i++) {
      st.dictionary.intern(r.readString());
    }
    for (TileLayer l : st.layers) {
      int n = r.readVarInt();
      long[] starts = new long[n];
      double[] slots = new double[n * l.width];
      long prev = 0;
      for (int i = 0; i < n; i++) {
        prev += r.readZigZag();
        starts[i] = prev * l.tileMs;
        for (int k = 0; k < l.width; k++) {
          slots[i * l.width + k] = r.readDouble();
        }
      }
      l.load(starts, slots, n);
    }
    for (CategoryTiles c : st.categories) {
      int n = r.readVarInt();
      c.keys = new long[n];
      c.values = new double[n];
      long prev = 0;
      for (int i = 0; i < n; i++) {
        prev += r.readZigZag();
        c.keys[i] = prev;
        c.values[i] = r.readDouble();
      }
      c.size = n;
      c.oldestKey = n == 0 ? Long.MAX_VALUE : c.keys[0];
    }
    for (DistinctTable d : st.distincts) {
      int n = r.readVarInt();
      d.ids = new int[n];
      d.latest = new long[n];
      for (int i = 0; i < n; i++) {
        d.ids[i] = r.readVarInt();
        d.latest[i] = st.maxWatermark - r.readZigZag();
      }
      d.size = n;
      d.reindex();
    }
    int dups = r.readVarInt();
    long[] dupKeys = new long[dups];
    long[] dupTimes = new long[dups];
    for (int i = 0; i < dups; i++) {
      dupKeys[i] = r.readLong();
      dupTimes[i] = st.maxWatermark - r.readZigZag();
    }
    st.duplicateIds.load(dupKeys, dupTimes);
    for (DistinctTable d : st.distincts) {
      int n = r.readVarInt();
      for (int i = 0; i < n; i++) {
        int id = r.readVarInt();
        d.addPending(id, st.maxWatermark - r.readZigZag());
      }
    }
    int rawCount = r.readVarInt();
    int width = st.plan.rawNumeric.length;
    for (int i = 0; i < rawCount; i++) {
      long time = st.maxWatermark - r.readZigZag();
      long mask = r.readLong();
      double[] vals = new double[width];
      for (int k = 0; k < width; k++) {
        vals[k] = r.readDouble();
      }
      int[] c = new int[r.readVarInt()];
      for (int k = 0; k < c.length; k++) {
        c[k] = r.readVarInt();
      }
      st.raw.insert(time, mask, vals, c);
    }
    if (!r.atEnd()) {
      throw new IllegalArgumentException("trailing bytes after state");
    }
    return st;
  }

  @Serial
  private Object writeReplace() {
    return new SerializedForm(plan.group, toBytes());
  }

  @Serial
  private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
    throw new java.io.InvalidObjectException("use the serialized form");
  }

  /** Java-serialization proxy: the group and the binary form. */
  private record SerializedForm(FeatureGroup group, byte[] bytes) implements Serializable {
    @Serial
    private Object readResolve() {
      return fromBytes(group, bytes);
    }
  }

  /** Diagnostics: counts of the state's parts. */
  @Override
  public String toString() {
    return "MemberFeatureState["
        + memberId
        + ", "
        + plan.group.name()
        + " v"
        + plan.group.version()
        + ", watermark="
        + maxWatermark
        + ", exactFrom="
        + seal
        + ", tiles="
        + tileCount()
        + ", raw="
        + raw.size
        + ", ids="
        + duplicateIds.size()
        + "]";
  }
}
