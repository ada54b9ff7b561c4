package dev.tessera.simulations;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.event.Event;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;
import dev.tessera.simulations.generator.Simulation;
import dev.tessera.simulations.generator.TruthJson;
import dev.tessera.simulations.kafka.SimulationProducer;
import dev.tessera.simulations.kafka.SimulationTopics;
import dev.tessera.simulations.kafka.TopicSetup;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code tessera simulate}: publishes the simulated catalogue and member profiles to their
 * compacted topics, then produces the seeded raw event stream, paced, with a progress line about
 * every 5 s and a summary, and optionally the truth file.
 *
 * <p>Event times are simulated (members keep realistic sessions, whatever the rate), so they run
 * faster than the wall clock; the run is anchored so that its last event time is about a minute
 * before the start of the run, found by a dry run of the schedule. When the record count depends on
 * the producer's speed ({@code --rate 0 --duration D}) the anchor is an estimate and a record whose
 * event time is still ahead of the wall clock waits for it, so no valid event is ever in the
 * future.
 */
public final class SimulateCommand {

  private static final long ANCHOR_MARGIN_MS = 60_000;
  private static final long ASSUMED_MAX_RATE = 200_000;

  private final SimulateOptions options;
  private final SimulationSettings settings;
  private final PrintStream out;

  private SimulateCommand(SimulateOptions options, SimulationSettings settings, PrintStream out) {
    this.options = options;
    this.settings = settings;
    this.out = out;
  }

  /** Runs the command: 0 done, 2 bad arguments, 1 failure; each failure is one line on out. */
  public static int run(List<String> args, PrintStream out) {
    SimulationSettings settings;
    try {
      settings = SimulationSettings.create(ConfigFactory.load());
    } catch (RuntimeException e) {
      out.println("simulate: bad configuration: " + oneLine(e));
      return 1;
    }
    SimulateOptions options;
    try {
      options =
          SimulateOptions.parse(args, settings, ThreadLocalRandom.current().nextInt(1_000_000_000));
    } catch (IllegalArgumentException e) {
      out.println("simulate: " + e.getMessage() + " (see --help)");
      return 2;
    }
    if (options.help()) {
      out.println(SimulateOptions.USAGE);
      return 0;
    }
    try {
      return new SimulateCommand(options, settings, out).execute();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.println("simulate: interrupted");
      return 1;
    } catch (Exception e) { // Kafka, file system: one line, never a stack trace
      out.println("simulate: failed: " + oneLine(e));
      return 1;
    }
  }

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out));
  }

  private int execute() throws IOException, InterruptedException {
    try (BufferedWriter truth = openTruthFile()) { // fail on a bad path before touching Kafka
      return execute(truth);
    }
  }

  private int execute(BufferedWriter truth) throws IOException, InterruptedException {
    Simulation sim = Simulation.create(options.config());
    long planned = options.plannedRecords();
    long now = System.currentTimeMillis();
    long span;
    if (planned > 0) {
      span = sim.spanMs(planned);
    } else {
      long sample = 100_000;
      double perRecord = sim.spanMs(sample) / (double) sample;
      span = (long) (perRecord * ASSUMED_MAX_RATE * options.duration().toMillis() / 1_000.0);
    }
    sim =
        Simulation.create(
            options.config().withStartTimeMs(Math.max(0, now - span - ANCHOR_MARGIN_MS)));
    SimulationTopics topics = options.topics();
    String bootstrap = options.bootstrapServers();
    int partitions;
    try (Admin admin = SimulationProducer.admin(bootstrap)) {
      partitions = TopicSetup.ensure(admin, topics);
    }
    out.printf(
        "simulate: seed %d, %d members, %d titles; topics %s (%d partitions), %s, %s on %s%n",
        options.config().seed(),
        options.config().members(),
        options.config().titles(),
        topics.raw(),
        partitions,
        topics.content(),
        topics.profiles(),
        bootstrap);
    try (SimulationProducer producer = SimulationProducer.create(bootstrap)) {
      producer.publishReference(sim.reference(), topics);
      out.printf(
          "simulate: published %d titles to %s and %d profiles to %s%n",
          sim.reference().titles().size(),
          topics.content(),
          sim.reference().members().size(),
          topics.profiles());
      return produce(sim.records(), producer, partitions, planned, truth);
    }
  }

  private BufferedWriter openTruthFile() {
    if (options.truthFile() == null) {
      return null;
    }
    try {
      return Files.newBufferedWriter(options.truthFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the truth file "
              + options.truthFile()
              + " ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
  }

  /** A sent record whose truth line waits for its partition and offset. */
  private static final class Pending {
    final SimulatedRecord record;
    volatile boolean done;
    volatile int partition = -1;
    volatile long offset = -1;

    Pending(SimulatedRecord record) {
      this.record = record;
    }
  }

  private int produce(
      Iterator<SimulatedRecord> records,
      SimulationProducer producer,
      int partitions,
      long planned,
      BufferedWriter truth)
      throws IOException, InterruptedException {
    Counts counts = new Counts();
    AtomicReference<Exception> failure = new AtomicReference<>();
    ArrayDeque<Pending> pending = new ArrayDeque<>();
    long interval = settings.progressInterval().toNanos();
    long start = System.nanoTime();
    // A paced run (--rate R --duration D) sends exactly its planned R x D records, the last one
    // due just before D: cutting it at D would drop the last records whenever the machine is
    // late. Only an unpaced run (--rate 0) is bounded by the clock.
    long deadline = planned < 0 ? start + options.duration().toNanos() : Long.MAX_VALUE;
    long nextProgress = start + interval;
    while ((planned < 0 || counts.sent < planned) && failure.get() == null) {
      long now = System.nanoTime();
      if (now >= deadline) {
        break;
      }
      if (options.rate() > 0) {
        long due = start + (long) (counts.sent * 1e9 / options.rate());
        if (due - now > 1_000_000) {
          LockSupport.parkNanos(due - now);
        }
      }
      SimulatedRecord record = records.next();
      waitForWallClock(record.truth().event());
      Pending p = new Pending(record);
      if (truth != null) {
        pending.add(p);
      }
      try {
        producer.send(
            record,
            options.topics().raw(),
            partitions,
            (metadata, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              } else {
                p.partition = metadata.partition();
                p.offset = metadata.offset();
              }
              p.done = true;
            });
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
        break;
      }
      counts.add(record);
      drain(pending, truth);
      if (System.nanoTime() >= nextProgress) {
        out.println("simulate: " + counts.describe(System.nanoTime() - start));
        nextProgress += interval;
      }
    }
    producer.flush();
    drain(pending, truth);
    if (failure.get() != null) {
      out.printf("simulate: failed after %d records: %s%n", counts.sent, oneLine(failure.get()));
      return 1;
    }
    out.println(
        "simulate: done: "
            + counts.describe(System.nanoTime() - start)
            + " to "
            + options.topics().raw()
            + (options.truthFile() == null ? "" : "; truth in " + options.truthFile()));
    return 0;
  }

  private static void waitForWallClock(Event event) throws InterruptedException {
    if (event != null) {
      long ahead = event.eventTime() - System.currentTimeMillis();
      if (ahead > 0) {
        Thread.sleep(ahead);
      }
    }
  }

  private static void drain(ArrayDeque<Pending> pending, BufferedWriter truth) throws IOException {
    while (!pending.isEmpty() && pending.peekFirst().done) {
      Pending p = pending.pollFirst();
      truth.write(TruthJson.line(p.record, p.partition, p.offset));
      truth.newLine();
    }
  }

  /** What has been sent so far, by kind. */
  private static final class Counts {
    long sent;
    final long[] byKind = new long[RecordKind.values().length];
    long badKeys;

    void add(SimulatedRecord record) {
      sent++;
      byKind[record.kind().ordinal()]++;
      if (!record.memberId().equals(record.keyString())) {
        badKeys++;
      }
    }

    String describe(long elapsedNanos) {
      double seconds = elapsedNanos / 1e9;
      return String.format(
          Locale.ROOT,
          "%d records in %.1f s (%.0f/s): %d valid, %d duplicates, %d malformed, %d late, %d with a"
              + " null or wrong key",
          sent,
          seconds,
          sent / Math.max(seconds, 1e-3),
          byKind[RecordKind.VALID.ordinal()],
          byKind[RecordKind.DUPLICATE.ordinal()],
          byKind[RecordKind.MALFORMED.ordinal()],
          byKind[RecordKind.LATE.ordinal()],
          badKeys);
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
