package dev.tessera.batch.backfill;

/** A stable merge sort of int indices by a comparator on them (no boxing). */
final class IntSort {
  private IntSort() {}

  /** Compares two indices. */
  @FunctionalInterface
  interface Order {
    int compare(int a, int b);
  }

  private static final int INSERTION = 16;

  /**
   * Sorts {@code a[from..to)} stably; {@code tmp} holds at least {@code to} ints. Input already in
   * order costs about one comparison per element.
   */
  static void sort(int[] a, int from, int to, int[] tmp, Order order) {
    if (to - from <= INSERTION) {
      for (int i = from + 1; i < to; i++) {
        int v = a[i];
        int j = i - 1;
        while (j >= from && order.compare(a[j], v) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    sort(a, from, mid, tmp, order);
    sort(a, mid, to, tmp, order);
    if (order.compare(a[mid - 1], a[mid]) <= 0) {
      return; // already in order: runs of pre-sorted input cost one comparison
    }
    System.arraycopy(a, from, tmp, from, mid - from);
    int i = from;
    int j = mid;
    int k = from;
    while (i < mid && j < to) {
      a[k++] = order.compare(a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
    }
    while (i < mid) {
      a[k++] = tmp[i++];
    }
  }
}
