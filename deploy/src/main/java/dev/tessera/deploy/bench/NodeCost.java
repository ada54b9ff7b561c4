package dev.tessera.deploy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/**
 * What this JVM (the node under test) spent between {@link #start} and {@link #perUnit}: CPU time
 * of the process and bytes allocated by its live threads. Unlike rates and latencies, both hardly
 * depend on what else the machine runs, so they compare builds on a shared machine.
 *
 * <p>Allocation is summed over the threads alive at both ends (dispatcher and I/O threads live as
 * long as the node); a thread that ends in between takes its share with it, so the figure is a
 * lower bound.
 */
record NodeCost(long cpuNanos, long allocated, long startedNanos) {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  static NodeCost start() {
    return new NodeCost(OS.getProcessCpuTime(), allocatedBytes(), System.nanoTime());
  }

  /** The node's background cost (consumers polling, gossip, timers) per second, idle. */
  record Idle(double cpuNanosPerSecond, double bytesPerSecond) {
    String summary() {
      return String.format("node idle: %.0f ms CPU and %.1f MB allocated per second",
          cpuNanosPerSecond / 1e6, bytesPerSecond / 1e6);
    }
  }

  /** Measures the node's idle cost over {@code millis}, doing nothing meanwhile. */
  static Idle idle(long millis) throws InterruptedException {
    NodeCost from = start();
    Thread.sleep(millis);
    double seconds = (System.nanoTime() - from.startedNanos) / 1e9;
    return new Idle((OS.getProcessCpuTime() - from.cpuNanos) / seconds,
        (allocatedBytes() - from.allocated) / seconds);
  }

  /**
   * CPU µs and allocated bytes per unit since {@link #start}, with the idle cost of that time
   * taken out, as one line.
   */
  String perUnit(long units, String unit, Idle idle) {
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    double cpuMicros = (OS.getProcessCpuTime() - cpuNanos - idle.cpuNanosPerSecond() * seconds)
        / 1000.0 / units;
    double bytes = (allocatedBytes() - allocated - idle.bytesPerSecond() * seconds) / units;
    return String.format("node CPU %.1f µs and %.1f KB allocated per %s (idle cost taken out)",
        cpuMicros, bytes / 1024, unit);
  }

  private static long allocatedBytes() {
    long total = 0;
    for (ThreadInfo info : THREADS.dumpAllThreads(false, false, 0)) {
      long bytes = THREADS.getThreadAllocatedBytes(info.getThreadId());
      if (bytes > 0) {
        total += bytes;
      }
    }
    return total;
  }
}
