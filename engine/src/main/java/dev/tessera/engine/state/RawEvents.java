package dev.tessera.engine.state;

import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.event.EnrichedEvent;
import java.util.Arrays;
import java.util.List;

/**
 * Accepted events at or after the seal point, in time order, as fixed-width rows of one {@code
 * long[]}: time, the mask of accumulators whose filter the event passed (conditions evaluated once,
 * on arrival), the numeric fields the plan uses (as double bits), and where its category ids start
 * in {@link #categoryIds} (-1 for none). One array per member instead of a column each keeps an
 * event's apply to one or two cache lines. Category ids are kept only for the category fields of
 * accumulators in the event's mask (the only ones a read looks up): for each category field of the
 * plan, a count followed by that many dictionary ids. No event object is retained.
 */
final class RawEvents {
  private static final long[] NO_ROWS = new long[0];
  private static final int[] NO_IDS = new int[0];
  private static final int TIME = 0;
  private static final int MASK = 1;
  private static final int VALUES = 2;

  private final GroupPlan plan;
  private final int width;
  private final int stride;
  private final int categoryColumn;
  long[] rows = NO_ROWS;
  int size;

  /**
   * Category ids of the rows, appended in arrival order; segments of dropped rows stay until the
   * array is full, then the live segments are copied to a fresh one.
   */
  int[] categoryIds = NO_IDS;

  private int categoryEnd;

  RawEvents(GroupPlan plan) {
    this.plan = plan;
    this.width = plan.rawNumeric.length;
    this.categoryColumn = VALUES + width;
    this.stride = categoryColumn + 1;
  }

  long time(int j) {
    return rows[j * stride + TIME];
  }

  long mask(int j) {
    return rows[j * stride + MASK];
  }

  /** The value of an accumulator's numeric field for event j (1 for the constant field). */
  double value(int j, int rawValueIndex) {
    return rawValueIndex < 0
        ? 1.0
        : Double.longBitsToDouble(rows[j * stride + VALUES + rawValueIndex]);
  }

  /**
   * Position in {@link #categoryIds} of the count of category field f of event j (its ids follow),
   * or -1 if the event has no category value; only for a field of an accumulator in its mask.
   */
  int categoryOffset(int j, int f) {
    int p = (int) rows[j * stride + categoryColumn];
    if (p < 0) {
      return -1;
    }
    for (int k = 0; k < f; k++) {
      p += 1 + categoryIds[p];
    }
    return p;
  }

  /**
   * Adds an event, interning the category values its accumulators use; keeps time order, equal
   * times in arrival order.
   */
  void add(EnrichedEvent e, long mask, CategoryDictionary dictionary) {
    int j = insertRow(e.eventTime(), mask);
    int base = j * stride;
    for (int k = 0; k < width; k++) {
      rows[base + VALUES + k] = Double.doubleToRawLongBits(plan.rawNumeric[k].number(e));
    }
    EventField[] fields = plan.rawCategory;
    boolean any = false;
    for (int f = 0; f < fields.length && !any; f++) {
      any = (mask & plan.rawCategoryAccs[f]) != 0 && categoryCount(e, fields[f]) > 0;
    }
    if (!any) {
      return;
    }
    int n = 0;
    for (int f = 0; f < fields.length; f++) {
      n += 1 + ((mask & plan.rawCategoryAccs[f]) != 0 ? categoryCount(e, fields[f]) : 0);
    }
    int p = reserveCategoryIds(n);
    rows[base + categoryColumn] = p;
    for (int f = 0; f < fields.length; f++) {
      if ((mask & plan.rawCategoryAccs[f]) == 0) {
        categoryIds[p++] = 0;
      } else if (fields[f] == EventField.GENRE) {
        List<String> g = e.genres();
        categoryIds[p++] = g.size();
        for (int k = 0; k < g.size(); k++) {
          categoryIds[p++] = dictionary.intern(g.get(k));
        }
      } else {
        String v = fields[f].category(e);
        categoryIds[p++] = v == null ? 0 : 1;
        if (v != null) {
          categoryIds[p++] = dictionary.intern(v);
        }
      }
    }
  }

  private static int categoryCount(EnrichedEvent e, EventField f) {
    return f == EventField.GENRE ? e.genres().size() : f.category(e) == null ? 0 : 1;
  }

  /**
   * Restores an event (binary form).
   *
   * @param ids for each category field a count and that many ids, or empty for none
   */
  void insert(long time, long mask, double[] values, int[] ids) {
    int base = insertRow(time, mask) * stride;
    for (int k = 0; k < width; k++) {
      rows[base + VALUES + k] = Double.doubleToRawLongBits(values[k]);
    }
    if (ids.length > 0) {
      int p = reserveCategoryIds(ids.length);
      System.arraycopy(ids, 0, categoryIds, p, ids.length);
      rows[base + categoryColumn] = p;
    }
  }

  /** For the binary form: event j's category ids (per field a count and ids), empty for none. */
  int[] categoryIdsOf(int j) {
    int p = (int) rows[j * stride + categoryColumn];
    return p < 0 ? NO_IDS : Arrays.copyOfRange(categoryIds, p, p + segmentLength(p));
  }

  /**
   * Adds a row (without category ids) at the time-ordered position of {@code time}; returns its
   * index.
   */
  private int insertRow(long time, long mask) {
    if ((size + 1) * stride > rows.length) {
      rows = Arrays.copyOf(rows, Math.max(4, size * 2) * stride);
    }
    int i = size;
    while (i > 0 && time(i - 1) > time) {
      i--;
    }
    if (i < size) {
      System.arraycopy(rows, i * stride, rows, (i + 1) * stride, (size - i) * stride);
    }
    rows[i * stride + TIME] = time;
    rows[i * stride + MASK] = mask;
    rows[i * stride + categoryColumn] = -1;
    size++;
    return i;
  }

  private int segmentLength(int p) {
    int q = p;
    for (int f = 0; f < plan.rawCategory.length; f++) {
      q += 1 + categoryIds[q];
    }
    return q - p;
  }

  private int reserveCategoryIds(int n) {
    if (categoryEnd + n > categoryIds.length) {
      compactCategoryIds(n);
    }
    int p = categoryEnd;
    categoryEnd += n;
    return p;
  }

  /**
   * Moves the live rows' category ids to the front, into the same array while it has room for
   * {@code extra} more (in place, in order of position), else into a fresh one; exactly sized for
   * none.
   */
  private void compactCategoryIds(int extra) {
    int live = 0;
    int rowsWithIds = 0;
    for (int j = 0; j < size; j++) {
      int p = (int) rows[j * stride + categoryColumn];
      if (p >= 0) {
        live += segmentLength(p);
        rowsWithIds++;
      }
    }
    int capacity = extra == 0 ? live : Math.max(16, (live + extra) * 2);
    int[] target =
        capacity == 0
            ? NO_IDS
            : extra > 0 && live + extra <= categoryIds.length ? categoryIds : new int[capacity];
    int w = 0;
    // Rows in order of their segment's position, so moving segments left in place never overwrites
    // one not yet moved.
    for (int moved = 0; moved < rowsWithIds; moved++) {
      int row = -1;
      int from = Integer.MAX_VALUE;
      for (int j = 0; j < size; j++) {
        int p = (int) rows[j * stride + categoryColumn];
        if (p >= w && p < from) { // moved rows now lie below w
          row = j;
          from = p;
        }
      }
      int n = segmentLength(from);
      System.arraycopy(categoryIds, from, target, w, n);
      rows[row * stride + categoryColumn] = w;
      w += n;
    }
    categoryIds = target;
    categoryEnd = w;
  }

  /** Index of the first event at or after {@code from}. */
  int from(long from) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (time(mid) < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Drops events before {@code time}. */
  void dropBefore(long time) {
    int n = from(time);
    if (n == 0) {
      return;
    }
    System.arraycopy(rows, n * stride, rows, 0, (size - n) * stride);
    size -= n;
  }

  void markLive(boolean[] live) {
    forEachCategoryId((p, id) -> live[id] = true);
  }

  void remap(int[] remap) {
    forEachCategoryId((p, id) -> categoryIds[p] = remap[id]);
  }

  private interface CategoryIdVisitor {
    void visit(int position, int id);
  }

  /** Visits the category ids of the rows held (not those of dropped rows). */
  private void forEachCategoryId(CategoryIdVisitor visitor) {
    for (int j = 0; j < size; j++) {
      int p = (int) rows[j * stride + categoryColumn];
      if (p < 0) {
        continue;
      }
      for (int f = 0; f < plan.rawCategory.length; f++) {
        int n = categoryIds[p];
        for (int k = 1; k <= n; k++) {
          visitor.visit(p + k, categoryIds[p + k]);
        }
        p += 1 + n;
      }
    }
  }

  void trim() {
    compactCategoryIds(0);
    if (rows.length != size * stride) {
      rows = size == 0 ? NO_ROWS : Arrays.copyOf(rows, size * stride);
    }
  }

  /** This object (48 bytes) and its two arrays with their 16-byte headers. */
  long approximateBytes() {
    return 48 + 16 + 8L * rows.length + 16 + 4L * categoryIds.length;
  }
}
