package dev.tessera.embedded;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real servers Tessera needs, started together: a Kafka broker and a Cassandra node, each in
 * a JVM of its own on loopback, data under {@link EmbeddedSettings#dataDir()}.
 *
 * <p>Both start in parallel; if either fails, the other is stopped before the error is thrown, so
 * nothing is left half-started.
 */
public final class LocalInfrastructure implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalInfrastructure.class);

  private final EmbeddedSettings settings;
  private final EmbeddedKafka kafka;
  private final EmbeddedCassandra cassandra;
  private final Duration startupTime;

  private LocalInfrastructure(
      EmbeddedSettings settings, EmbeddedKafka kafka, EmbeddedCassandra cassandra,
      Duration startupTime) {
    this.settings = settings;
    this.kafka = kafka;
    this.cassandra = cassandra;
    this.startupTime = startupTime;
  }

  /**
   * Starts both servers and waits until each serves.
   *
   * @param attached true: the servers die with this JVM (tests, demo); false: they outlive it and
   *     are stopped by PID ({@code tessera infra stop})
   */
  public static LocalInfrastructure start(EmbeddedSettings settings, boolean attached) {
    long started = System.nanoTime();
    ExecutorService starter = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "tessera-infra-start");
      thread.setDaemon(true);
      return thread;
    });
    try {
      CompletableFuture<EmbeddedKafka> kafka =
          CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(settings, attached), starter);
      CompletableFuture<EmbeddedCassandra> cassandra =
          CompletableFuture.supplyAsync(() -> EmbeddedCassandra.start(settings, attached), starter);
      try {
        CompletableFuture.allOf(kafka, cassandra).join();
      } catch (CompletionException e) {
        kafka.thenAccept(EmbeddedKafka::close);
        cassandra.thenAccept(EmbeddedCassandra::close);
        // Wait for the survivor to stop, so no half-started process is left when we throw.
        kafka.exceptionally(t -> null).join();
        cassandra.exceptionally(t -> null).join();
        throw e.getCause() instanceof InfrastructureException ie
            ? ie
            : new InfrastructureException(String.valueOf(e.getCause().getMessage()), e.getCause());
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      log.info("Kafka and Cassandra serve after {} ms (data in {})", took.toMillis(),
          settings.dataDir());
      return new LocalInfrastructure(settings, kafka.join(), cassandra.join(), took);
    } finally {
      starter.shutdown();
    }
  }

  /** The servers started earlier on this data directory and still running, if both are. */
  public static Optional<LocalInfrastructure> find(EmbeddedSettings settings) {
    Optional<EmbeddedKafka> kafka = EmbeddedKafka.find(settings);
    Optional<EmbeddedCassandra> cassandra = EmbeddedCassandra.find(settings);
    if (kafka.isPresent() && cassandra.isPresent()) {
      return Optional.of(
          new LocalInfrastructure(settings, kafka.get(), cassandra.get(), Duration.ZERO));
    }
    return Optional.empty();
  }

  /** Both servers, already started separately, as one. */
  public static LocalInfrastructure of(
      EmbeddedSettings settings, EmbeddedKafka kafka, EmbeddedCassandra cassandra) {
    return new LocalInfrastructure(settings, kafka, cassandra, Duration.ZERO);
  }

  public EmbeddedSettings settings() {
    return settings;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedCassandra cassandra() {
    return cassandra;
  }

  /** Wall time from the start call until both servers served. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Stops both servers cleanly, in parallel. */
  @Override
  public void close() {
    Thread stopKafka = new Thread(kafka::close, "tessera-infra-stop-kafka");
    stopKafka.start();
    cassandra.close();
    try {
      stopKafka.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
