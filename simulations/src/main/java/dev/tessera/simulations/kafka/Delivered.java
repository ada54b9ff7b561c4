package dev.tessera.simulations.kafka;

import dev.tessera.simulations.generator.SimulatedRecord;
import java.util.Objects;

/** A record the broker acknowledged, and where it landed in the raw topic. */
public record Delivered(SimulatedRecord record, int partition, long offset) {
  public Delivered {
    Objects.requireNonNull(record, "record");
  }
}
