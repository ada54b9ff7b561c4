package dev.tessera.orchestrator.hub;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The signal hub's settings ({@code tessera.orchestrator.hub}).
 *
 * @param maxSignals signals kept per name for waiters that come later (the oldest go first)
 * @param maxIds signal ids remembered per name to recognise repeats
 * @param redeliveryDelay wait before retrying a delivery or a chained start that failed
 * @param chains chaining rules
 */
public record HubSettings(int maxSignals, int maxIds, Duration redeliveryDelay,
    List<ChainRule> chains) {
  public HubSettings {
    Objects.requireNonNull(redeliveryDelay, "redeliveryDelay");
    chains = List.copyOf(chains);
    if (maxIds < maxSignals) {
      throw new IllegalArgumentException("max-ids must be at least max-signals");
    }
  }

  public List<ChainRule> chainsOf(String signalName) {
    return chains.stream().filter(c -> c.signal().equals(signalName)).toList();
  }
}
