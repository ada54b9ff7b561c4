package dev.tessera.batch;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tessera.batch.archive.ArchiveJob;
import dev.tessera.batch.backfill.BackfillJob;
import dev.tessera.batch.bench.BatchBench;
import dev.tessera.batch.consistency.ConsistencyJob;
import dev.tessera.batch.training.LeakageCheck;
import dev.tessera.batch.training.TrainJob;
import dev.tessera.batch.training.TrainingSetJob;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.definition.InvalidDefinitionException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./tessera batch <job> [options]} and the {@code spark-submit} entry point: runs one job,
 * prints its one-screen summary, exits 0 on success, 1 when the job fails (one line saying why; the
 * stack trace goes to the log only), 2 on a usage error.
 */
public final class BatchCli {
  private static final Logger log = LoggerFactory.getLogger(BatchCli.class);

  static final String USAGE = """
      usage: tessera batch <job> [options] [--conf tessera.batch.<key>=<value> ...] [--run-id ID]

      jobs:
        archive      [--starting-offsets earliest|JSON] [--ending-offsets latest|JSON]
                     committed domain-topic records -> Parquet event archive (idempotent)
        backfill     --spine FILE.csv|DIR [--output DIR]
                     point-in-time features of (member_id, as_of) rows
        snapshot     --from ISO --to ISO [--every 1h|1d] [--output DIR]
                     every member's features at each boundary (the offline feature store)
        training-set [--output DIR] [--report DIR] [--result FILE]
                     labels + point-in-time member and title features, time split, report
        consistency  [--starting-offsets earliest|JSON] [--ending-offsets latest|JSON]
                     served samples vs the kernel on the archive, per-feature rates
        train        [--input DIR] [--model DIR] [--result FILE]
                     logistic regression on the training set, validation AUC
        bench        [--labels N] [--events N] [--members N] [--master local[2]] [--rounds 3]
                     point-in-time training set: kernel replay vs naive range join
      """;

  private static final Map<String, Set<String>> OPTIONS = Map.of(
      "archive", Set.of("starting-offsets", "ending-offsets"),
      "backfill", Set.of("spine", "output"),
      "snapshot", Set.of("from", "to", "every", "output"),
      "training-set", Set.of("output", "report", "result"),
      "consistency", Set.of("starting-offsets", "ending-offsets"),
      "train", Set.of("input", "model", "result"),
      "bench", Set.of("labels", "events", "members", "master", "work-dir", "only", "rounds"));

  /** A usage error: the message and the usage text go to the user. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private BatchCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    try {
      if (args.length == 0 || Set.of("help", "-h", "--help").contains(args[0])) {
        System.out.print(USAGE);
        return args.length == 0 ? 2 : 0;
      }
      String job = args[0];
      if (!OPTIONS.containsKey(job)) {
        throw new UsageException("unknown job '" + job + "'");
      }
      Map<String, String> options = new HashMap<>();
      Config overrides = ConfigFactory.empty();
      for (int i = 1; i < args.length; i++) {
        String a = args[i];
        if (!a.startsWith("--") || i + 1 >= args.length) {
          throw new UsageException("expected --option value, got '" + a + "'");
        }
        String name = a.substring(2);
        String value = args[++i];
        if (name.equals("conf")) {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            throw new UsageException("--conf needs key=value, got '" + value + "'");
          }
          overrides = overrides.withValue(value.substring(0, eq).trim(),
              ConfigValueFactory.fromAnyRef(value.substring(eq + 1).trim()));
        } else if (name.equals("run-id") || OPTIONS.get(job).contains(name)) {
          options.put(name, value);
        } else {
          throw new UsageException("job " + job + " has no option --" + name);
        }
      }
      Config config = overrides.withFallback(ConfigFactory.load()).resolve();
      if (job.equals("bench")) {
        return BatchBench.run(config, options);
      }
      BatchSettings settings = BatchSettings.create(config);
      FeatureRegistry registry = FeatureRegistry.fromConfig(config);
      return runJob(job, options, settings, registry);
    } catch (UsageException e) {
      System.err.println("tessera batch: " + e.getMessage());
      System.err.print(USAGE);
      return 2;
    } catch (LeakageCheck.LeakageException | TrainingSetJob.QualityException e) {
      System.err.println("tessera batch: FAILED: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException | IllegalStateException | ConfigException
        | InvalidDefinitionException | DateTimeParseException e) {
      log.debug("job failed", e);
      System.err.println("tessera batch: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      // RuntimeException, and Spark's AnalysisException (a checked exception, thrown unchecked
      // from Scala code)
      log.error("job failed", e);
      System.err.println("tessera batch: the job failed: " + rootMessage(e)
          + " (stack trace in the log)");
      return 1;
    }
  }

  private static int runJob(
      String job, Map<String, String> o, BatchSettings settings, FeatureRegistry registry) {
    FeatureGroup group =
        registry.get(settings.memberGroup().name(), settings.memberGroup().version());
    switch (job) { // before Spark starts: a usage error costs nothing
      case "backfill" -> required(o, "spine");
      case "snapshot" -> {
        Instant.parse(required(o, "from"));
        Instant.parse(required(o, "to"));
        duration(o.getOrDefault("every", "1h"));
      }
      default -> { }
    }
    String runId = o.get("run-id");
    Summary summary = new Summary(job);
    long started = System.nanoTime();
    System.out.println("tessera batch " + job + ": starting Spark (" + settings.spark().master()
        + ")");
    SparkSession spark = SparkSessions.create(settings.spark(), job);
    try {
      switch (job) {
        case "archive" -> ArchiveJob.run(spark, settings, o.getOrDefault("starting-offsets",
            "earliest"), o.getOrDefault("ending-offsets", "latest"), summary);
        case "backfill" -> BackfillJob.backfill(spark, settings, group, required(o, "spine"),
            o.getOrDefault("output", settings.backfillPath()), runId, summary);
        case "snapshot" -> BackfillJob.snapshot(spark, settings, group,
            Instant.parse(required(o, "from")), Instant.parse(required(o, "to")),
            duration(o.getOrDefault("every", "1h")), o.getOrDefault("output",
                settings.snapshotPath()), runId, summary);
        case "training-set" -> TrainingSetJob.run(spark, override(settings, o), registry, runId,
            summary);
        case "consistency" -> ConsistencyJob.run(spark, settings, registry,
            o.getOrDefault("starting-offsets", "earliest"),
            o.getOrDefault("ending-offsets", "latest"), runId, summary);
        case "train" -> TrainJob.run(spark, override(settings, o),
            o.getOrDefault("input", settings.training().outputPath()), runId, summary);
        default -> throw new UsageException("unknown job '" + job + "'");
      }
    } finally {
      summary.put("elapsed", String.format("%.1f s", (System.nanoTime() - started) / 1e9));
      System.out.print(summary.render());
      spark.stop();
    }
    if (o.containsKey("result")) {
      writeResult(java.nio.file.Path.of(o.get("result")));
    }
    return 0;
  }

  private static BatchSettings override(BatchSettings s, Map<String, String> o) {
    BatchSettings.Training t = s.training();
    BatchSettings.Training training = new BatchSettings.Training(
        o.getOrDefault("output", t.outputPath()), o.getOrDefault("report", t.reportPath()),
        t.explicitPositiveMin(), t.explicitNegativeMax(), t.watchPositiveSeconds(),
        t.impressionWindow(), t.negativeSampleRate(), t.trainFraction(), t.validationFraction(),
        t.minCompleteness());
    BatchSettings.Train train = new BatchSettings.Train(o.getOrDefault("model",
        s.train().modelPath()), s.train().maxIterations(), s.train().regularization());
    return new BatchSettings(s.spark(), s.kafka(), s.archivePath(), s.memberGroup(),
        s.titleGroup(), s.backfillPath(), s.snapshotPath(), training, s.consistencyPath(), train);
  }

  /**
   * Writes the payload of the signal the job announced as a JSON object: the outputs a workflow
   * step (the orchestrator's child-process steps) reads back.
   */
  private static void writeResult(java.nio.file.Path file) {
    dev.tessera.batch.signal.WorkflowSignal signal =
        dev.tessera.batch.signal.SignalEmitter.lastAnnounced();
    if (signal == null) {
      throw new IllegalStateException("the job announced no signal: nothing to write to " + file);
    }
    try {
      java.nio.file.Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        java.nio.file.Files.createDirectories(parent);
      }
      java.nio.file.Files.write(file, new com.fasterxml.jackson.databind.ObjectMapper()
          .writeValueAsBytes(signal.payload()));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot write the result to " + file + ": "
          + e.getMessage(), e);
    }
  }

  static String required(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new UsageException("--" + name + " is required");
    }
    return v;
  }

  private static Duration duration(String s) {
    return switch (s) {
      case "1h" -> Duration.ofHours(1);
      case "1d" -> Duration.ofDays(1);
      default -> throw new UsageException("--every must be 1h or 1d, got '" + s + "'");
    };
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  static List<String> jobs() {
    return List.copyOf(OPTIONS.keySet());
  }
}
