package dev.tessera.simulations.load;

import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.live.SteadyRate;
import dev.tessera.simulations.live.WallClockRetiming;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MixedTraffic's events: the seeded simulator's records (duplicates, malformed and late ones
 * included) produced to the node's raw topic at a steady rate from a thread of its own, with event
 * times moved onto the wall clock so the members being read change while they are read. Each
 * record keeps its distance behind the stream's frontier, so late records stay late.
 */
final class LiveEvents implements AutoCloseable {
  static final Pattern INGESTED = Pattern.compile("(?m)^tessera_ingest_records_total (\\S+)$");

  private final LoadSettings settings;
  private final Simulation simulation;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean running = true;
  private volatile String firstError;
  private Thread thread;
  private long baseline;

  LiveEvents(LoadSettings settings) {
    this.settings = settings;
    this.simulation = Simulation.create(SimulationConfig.builder(settings.seed())
        .members(settings.memberIds().size()).build());
  }

  /** Publishes the reference data, reads the node's ingest counter, starts producing. */
  void start() {
    SimulationProducer.publishReference(simulation.reference(), settings.kafka(),
        settings.topics());
    baseline = ingestedNow();
    thread = new Thread(this::produce, "load-live-events");
    thread.setDaemon(true);
    thread.start();
  }

  /** Raw records the node had counted before this run produced anything. */
  long baseline() {
    return baseline;
  }

  long sent() {
    return sent.get();
  }

  /** Records the broker acknowledged: what the node must count on top of the baseline. */
  long acked() {
    return acked.get();
  }

  long failed() {
    return failed.get();
  }

  String firstError() {
    return firstError;
  }

  private void produce() {
    SteadyRate pace = new SteadyRate(settings.eventRate());
    WallClockRetiming retiming = new WallClockRetiming();
    try (SimulationProducer producer = SimulationProducer.create(settings.kafka())) {
      Iterator<SimulatedRecord> records = simulation.records();
      while (running && records.hasNext()) {
        SimulatedRecord record = retiming.retime(records.next(), System.currentTimeMillis());
        producer.send(record, settings.topics().raw(), settings.topics().rawPartitions(),
            (metadata, error) -> {
              if (error == null) {
                acked.incrementAndGet();
              } else {
                failed.incrementAndGet();
                firstError = error.toString();
              }
            });
        sent.incrementAndGet();
        pace.awaitNext();
      }
      producer.flush();
    } catch (RuntimeException e) {
      firstError = e.toString();
      failed.incrementAndGet();
    }
  }

  /** Stops producing and waits until every sent record is acknowledged or failed. */
  @Override
  public void close() {
    running = false;
    if (thread != null) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The node's raw-record counter from {@code /metrics}. */
  long ingestedNow() {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(settings.url() + "/metrics"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return parseIngested(response.body());
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + settings.url() + "/metrics: " + e, e);
    }
  }

  static long parseIngested(String metrics) {
    Matcher matcher = INGESTED.matcher(metrics);
    if (!matcher.find()) {
      throw new IllegalStateException("no tessera_ingest_records_total in the node's /metrics");
    }
    return (long) Double.parseDouble(matcher.group(1));
  }
}
