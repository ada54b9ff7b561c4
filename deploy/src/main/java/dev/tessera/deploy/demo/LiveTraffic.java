package dev.tessera.deploy.demo;

import dev.tessera.sharding.ingest.IngestSettings;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import dev.tessera.simulations.live.SteadyRate;
import dev.tessera.simulations.live.WallClockRetiming;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's traffic: the seeded simulator's members, sessions, titles, duplicates, malformed and
 * late records, produced at a gentle steady rate with event times moved onto the wall clock, so
 * features change live (and every event is ingested as it happens: point-in-time training sets
 * see the features it feeds). Each record keeps its distance behind the stream's frontier, so records
 * the simulator made late (or out of order) stay late (or out of order).
 */
public final class LiveTraffic implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveTraffic.class);

  private final Thread thread;
  private final AtomicLong produced = new AtomicLong();
  private final AtomicReference<String> firstMember = new AtomicReference<>();
  private volatile boolean running = true;

  private LiveTraffic(Simulation simulation, String bootstrap, IngestSettings topics, int rate) {
    this.thread = new Thread(() -> produce(simulation, bootstrap, topics, rate), "live-traffic");
    this.thread.setDaemon(true);
  }

  public static LiveTraffic start(String bootstrap, IngestSettings topics, long seed, int members,
      int rate) {
    Simulation simulation =
        Simulation.create(SimulationConfig.builder(seed).members(members).build());
    SimulationProducer.publishReference(simulation.reference(), bootstrap,
        new SimulationTopics(topics.rawTopic(), topics.contentMetadataTopic(),
            topics.memberProfilesTopic(), topics.rawPartitions()));
    LiveTraffic traffic = new LiveTraffic(simulation, bootstrap, topics, rate);
    traffic.thread.start();
    return traffic;
  }

  /** Records handed to the producer so far. */
  public long produced() {
    return produced.get();
  }

  /** A member with at least one valid event sent, once there is one. */
  String sampleMember() {
    return firstMember.get();
  }

  private void produce(Simulation simulation, String bootstrap, IngestSettings topics, int rate) {
    SteadyRate pace = new SteadyRate(rate);
    WallClockRetiming retiming = new WallClockRetiming();
    try (SimulationProducer producer = SimulationProducer.create(bootstrap)) {
      Iterator<SimulatedRecord> records = simulation.records();
      while (running && records.hasNext()) {
        SimulatedRecord live = retiming.retime(records.next(), System.currentTimeMillis());
        if (live.kind() != RecordKind.MALFORMED) {
          firstMember.compareAndSet(null, live.truth().event().memberId());
        }
        producer.send(live, topics.rawTopic(), topics.rawPartitions(), (metadata, error) -> {
          if (error != null) {
            log.warn("Demo traffic: a record was not sent: {}", error.toString());
          }
        });
        produced.incrementAndGet();
        pace.awaitNext();
      }
    } catch (RuntimeException e) {
      log.error("Demo traffic stopped", e);
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
