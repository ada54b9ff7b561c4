package dev.tessera.embedded;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Orders a JVM's shutdown: attached servers (stopped by their shutdown hooks when the JVM exits)
 * wait for the work registered here, so a node that checkpoints to Kafka and Cassandra on Ctrl-C
 * finds them still running. The JVM runs shutdown hooks concurrently; without this, the servers
 * could stop first.
 */
public final class ServersLast {
  private static final List<CompletableFuture<?>> FIRST = new CopyOnWriteArrayList<>();

  private ServersLast() {}

  /** Attached servers stop only after {@code work} completes (or a minute has passed). */
  public static void stopAfter(CompletableFuture<?> work) {
    FIRST.add(work);
  }

  static void awaitFirst() {
    try {
      CompletableFuture.allOf(FIRST.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Stop the servers anyway: never leave a process behind.
    }
  }
}
