package dev.tessera.simulations.kafka;

/** The simulator could not talk to Kafka; the message is one line for the operator. */
public final class SimulationException extends RuntimeException {
  public SimulationException(String message, Throwable cause) {
    super(message, cause);
  }
}
