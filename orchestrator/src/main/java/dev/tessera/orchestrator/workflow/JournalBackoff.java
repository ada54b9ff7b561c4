package dev.tessera.orchestrator.workflow;

import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * How the orchestrator's event-sourced entities react to a journal or snapshot-store failure
 * (Cassandra unreachable, a keyspace still being created at first start): they restart and
 * recover again with exponential backoff instead of stopping.
 */
public final class JournalBackoff {
  private JournalBackoff() {}

  public static BackoffSupervisorStrategy strategy() {
    return SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10),
        0.2);
  }
}
