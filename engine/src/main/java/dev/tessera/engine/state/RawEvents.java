package dev.tessera.engine.state;

import dev.tessera.engine.definition.EventField;
import dev.tessera.engine.event.EnrichedEvent;
import java.util.Arrays;
import java.util.List;

/**
 * Accepted events at or after the seal point, in time order, as primitive columns: time, the mask
 * of accumulators whose filter the event passed (conditions evaluated once, on arrival), the
 * numeric fields the plan uses, and the dictionary ids of the category fields it uses. No event
 * object is retained.
 */
final class RawEvents {
  private static final long[] NO_LONGS = new long[0];
  private static final double[] NO_DOUBLES = new double[0];
  private static final int[][] NO_CATS = new int[0][];

  private final GroupPlan plan;
  private final int width;
  long[] times = NO_LONGS;
  long[] masks = NO_LONGS;
  double[] values = NO_DOUBLES;

  /** Per event: for each category field of the plan, a count followed by that many ids. */
  int[][] cats = NO_CATS;

  int size;

  RawEvents(GroupPlan plan) {
    this.plan = plan;
    this.width = plan.rawNumeric.length;
  }

  /**
   * Adds an event (after its categories were interned), keeping time order; equal times keep
   * arrival order.
   */
  void add(EnrichedEvent e, long mask, CategoryDictionary dictionary) {
    int[] ids = plan.noCategories;
    if (plan.rawCategory.length > 0) {
      int n = 0;
      for (EventField f : plan.rawCategory) {
        n += 1 + (f == EventField.GENRE ? e.genres().size() : f.category(e) == null ? 0 : 1);
      }
      if (n == plan.rawCategory.length) {
        n = 0; // no category value at all: share the all-zero column
      }
      ids = n == 0 ? plan.noCategories : new int[n];
      int p = 0;
      for (EventField f : n == 0 ? new EventField[0] : plan.rawCategory) {
        if (f == EventField.GENRE) {
          List<String> g = e.genres();
          ids[p++] = g.size();
          for (int k = 0; k < g.size(); k++) {
            ids[p++] = dictionary.intern(g.get(k));
          }
        } else {
          String v = f.category(e);
          ids[p++] = v == null ? 0 : 1;
          if (v != null) {
            ids[p++] = dictionary.intern(v);
          }
        }
      }
    }
    double[] vals = new double[0];
    if (width > 0) {
      vals = new double[width];
      for (int k = 0; k < width; k++) {
        vals[k] = plan.rawNumeric[k].number(e);
      }
    }
    insert(e.eventTime(), mask, vals, ids);
  }

  void insert(long time, long mask, double[] vals, int[] ids) {
    if (size == times.length) {
      int cap = Math.max(4, size * 2);
      times = Arrays.copyOf(times, cap);
      masks = Arrays.copyOf(masks, cap);
      values = Arrays.copyOf(values, cap * width);
      cats = Arrays.copyOf(cats, cap);
    }
    int i = size;
    while (i > 0 && times[i - 1] > time) {
      i--;
    }
    if (i < size) {
      System.arraycopy(times, i, times, i + 1, size - i);
      System.arraycopy(masks, i, masks, i + 1, size - i);
      System.arraycopy(values, i * width, values, (i + 1) * width, (size - i) * width);
      System.arraycopy(cats, i, cats, i + 1, size - i);
    }
    times[i] = time;
    masks[i] = mask;
    System.arraycopy(vals, 0, values, i * width, width);
    cats[i] = ids;
    size++;
  }

  /** The value of an accumulator's numeric field for event j (1 for the constant field). */
  double value(int j, int rawValueIndex) {
    return rawValueIndex < 0 ? 1.0 : values[j * width + rawValueIndex];
  }

  /** Offset in {@code cats[j]} of the count of category field f (ids follow it). */
  int categoryOffset(int j, int f) {
    int[] c = cats[j];
    int p = 0;
    for (int k = 0; k < f; k++) {
      p += 1 + c[p];
    }
    return p;
  }

  /** Index of the first event at or after {@code from}. */
  int from(long from) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] < from) {
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
    System.arraycopy(times, n, times, 0, size - n);
    System.arraycopy(masks, n, masks, 0, size - n);
    System.arraycopy(values, n * width, values, 0, (size - n) * width);
    System.arraycopy(cats, n, cats, 0, size - n);
    Arrays.fill(cats, size - n, size, null);
    size -= n;
  }

  void markLive(boolean[] live) {
    for (int j = 0; j < size; j++) {
      int[] c = cats[j];
      for (int p = 0; p < c.length; p += 1 + c[p]) {
        for (int k = 1; k <= c[p]; k++) {
          live[c[p + k]] = true;
        }
      }
    }
  }

  void remap(int[] remap) {
    for (int j = 0; j < size; j++) {
      int[] c = cats[j];
      if (c == plan.noCategories) {
        continue;
      }
      for (int p = 0; p < c.length; p += 1 + c[p]) {
        for (int k = 1; k <= c[p]; k++) {
          c[p + k] = remap[c[p + k]];
        }
      }
    }
  }

  void trim() {
    if (times.length != size) {
      times = size == 0 ? NO_LONGS : Arrays.copyOf(times, size);
      masks = size == 0 ? NO_LONGS : Arrays.copyOf(masks, size);
      values = size == 0 ? NO_DOUBLES : Arrays.copyOf(values, size * width);
      cats = size == 0 ? NO_CATS : Arrays.copyOf(cats, size);
    }
  }

  long approximateBytes() {
    long b = 64 + 24L * times.length + 8L * values.length + 4L * cats.length;
    for (int j = 0; j < size; j++) {
      if (cats[j] != plan.noCategories) {
        b += 16 + 4L * cats[j].length;
      }
    }
    return b;
  }
}
