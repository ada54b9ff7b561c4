package dev.tessera.engine.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the engine benchmarks: JMH apply throughput and vector read latency (wall time), the same
 * two in CPU time of the measuring thread (robust when other processes share the machine), then the
 * state footprint.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws RunnerException {
    new Runner(
            new OptionsBuilder()
                .include(ApplyBenchmark.class.getSimpleName())
                .include(ReadBenchmark.class.getSimpleName())
                .shouldDoGC(true)
                .build())
        .run();
    ApplyThroughput.main(new String[] {"100000"});
    ReadLatency.main(new String[0]);
    StateFootprint.main(new String[] {"50000"});
  }
}
