package dev.tessera.simulations.generator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A seeded simulation: reference data (catalogue, member profiles) and the raw record stream with
 * its truth, both pure functions of the {@link SimulationConfig}. No Kafka here.
 *
 * <pre>{@code
 * Simulation sim = Simulation.create(SimulationConfig.defaults(42));
 * List<SimulatedRecord> records = sim.generate(10_000);
 * Map<String, TitleMetadata> catalogue = sim.reference().catalogue();
 * }</pre>
 */
public final class Simulation {

  private final SimulationConfig config;
  private final ReferenceData reference;

  private Simulation(SimulationConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.reference = ReferenceData.generate(config);
  }

  public static Simulation create(SimulationConfig config) {
    return new Simulation(config);
  }

  /** The first {@code count} records of the config's stream. */
  public static List<SimulatedRecord> generate(SimulationConfig config, int count) {
    return create(config).generate(count);
  }

  public SimulationConfig config() {
    return config;
  }

  public ReferenceData reference() {
    return reference;
  }

  /** A fresh, infinite iterator over the stream, from its first record. */
  public Iterator<SimulatedRecord> records() {
    return new EventGenerator(config, reference, true);
  }

  /** The first {@code count} records. */
  public List<SimulatedRecord> generate(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative");
    }
    Iterator<SimulatedRecord> it = records();
    List<SimulatedRecord> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(it.next());
    }
    return out;
  }

  /**
   * How far past the start time the schedule of the first {@code count} records reaches: no valid,
   * late or duplicate record of them has an event time after {@code startTimeMs + spanMs}. A dry
   * run that skips the JSON, so a run can be anchored to end before the wall clock.
   */
  public long spanMs(long count) {
    EventGenerator dry = new EventGenerator(config, reference, false);
    long max = 0;
    for (long i = 0; i < count; i++) {
      SimulatedRecord r = dry.next();
      if (r.truth().event() != null) {
        max = Math.max(max, r.truth().event().eventTime() - config.startTimeMs());
      }
    }
    return max;
  }
}
