package dev.tessera.engine.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs the engine benchmarks: apply throughput, vector read latency (JMH), then the state footprint. */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws RunnerException {
    new Runner(new OptionsBuilder()
        .include(ApplyBenchmark.class.getSimpleName())
        .include(ReadBenchmark.class.getSimpleName())
        .shouldDoGC(true)
        .build()).run();
    StateFootprint.main(new String[] {"50000"});
  }
}
