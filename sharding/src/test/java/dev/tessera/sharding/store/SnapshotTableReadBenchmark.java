package dev.tessera.sharding.store;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * In-process read latency of {@link SnapshotTable#get}: 1M random gets over 100k keys of the
 * default group's shape, after warm-up, single-threaded and with two reader threads. The lookup
 * keys are copies of the stored member ids (as a request would bring), not the same instances.
 * Not a test; run by hand with the test classpath (java -cp ... SnapshotTableReadBenchmark).
 */
public final class SnapshotTableReadBenchmark {
  private static final int KEYS = 100_000;
  private static final int READS = 1_000_000;

  private SnapshotTableReadBenchmark() {}

  public static void main(String[] args) throws Exception {
    SnapshotTable table = new SnapshotTable(KEYS);
    String[] lookupIds = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      String id = String.format("member-%07d", i);
      table.put(Snapshots.engagement(id, 1, Long.MAX_VALUE, i));
      lookupIds[i] = new String(id.toCharArray());
    }
    int[] order = new SplittableRandom(7).ints(READS, 0, KEYS).toArray();
    long now = System.currentTimeMillis();

    for (int round = 0; round < 20; round++) {
      read(table, lookupIds, order, now); // warm-up: JIT
    }
    double[] single = new double[10];
    for (int round = 0; round < single.length; round++) {
      single[round] = read(table, lookupIds, order, now);
    }
    Arrays.sort(single);
    System.out.printf("1 reader : %d random gets over %d keys: median %.1f ns/read, best %.1f%n",
        READS, KEYS, single[single.length / 2], single[0]);

    double[] parallel = new double[2];
    Thread[] threads = new Thread[2];
    for (int t = 0; t < threads.length; t++) {
      int reader = t;
      threads[t] = new Thread(() -> {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 10; round++) {
          best = Math.min(best, read(table, lookupIds, order, now));
        }
        parallel[reader] = best;
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    System.out.printf("2 readers: best %.1f and %.1f ns/read per thread%n", parallel[0],
        parallel[1]);
  }

  /** One pass of READS gets; ns per get. */
  private static double read(SnapshotTable table, String[] ids, int[] order, long now) {
    long found = 0;
    long start = System.nanoTime();
    for (int i = 0; i < order.length; i++) {
      if (table.get(ids[order[i]], Snapshots.GROUP, now) instanceof Lookup.Present) {
        found++;
      }
    }
    long elapsed = System.nanoTime() - start;
    if (found != order.length) {
      throw new IllegalStateException("missing keys: " + (order.length - found));
    }
    return elapsed / (double) order.length;
  }
}
