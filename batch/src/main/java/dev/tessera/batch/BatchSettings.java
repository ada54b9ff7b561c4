package dev.tessera.batch;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code tessera.batch} section, read once and validated at start-up: every failure names the
 * key. See {@code reference.conf} for what each key means.
 */
public record BatchSettings(
    Spark spark,
    Kafka kafka,
    String archivePath,
    GroupRef memberGroup,
    GroupRef titleGroup,
    String backfillPath,
    String snapshotPath,
    Training training,
    String consistencyPath,
    Train train) {

  /** Spark session settings. */
  public record Spark(String master, String appName, int shufflePartitions, String logLevel) {}

  /** Kafka topics and connection. */
  public record Kafka(
      String bootstrapServers,
      List<String> domainTopics,
      String signalsTopic,
      String samplesTopic,
      boolean emitSignals) {
    public Kafka {
      domainTopics = List.copyOf(domainTopics);
    }
  }

  /** A feature group by name and version. */
  public record GroupRef(String name, int version) {}

  /** Label and training-set settings. */
  public record Training(
      String outputPath,
      String reportPath,
      int explicitPositiveMin,
      int explicitNegativeMax,
      int watchPositiveSeconds,
      Duration impressionWindow,
      double negativeSampleRate,
      double trainFraction,
      double validationFraction,
      double minCompleteness) {}

  /** Model training settings. */
  public record Train(String modelPath, int maxIterations, double regularization) {}

  public static BatchSettings create(Config root) {
    Objects.requireNonNull(root, "root");
    Config c = root.getConfig("tessera.batch");
    Spark spark =
        new Spark(
            nonEmpty(c, "spark.master"),
            nonEmpty(c, "spark.app-name"),
            atLeast(c, "spark.shuffle-partitions", 1),
            nonEmpty(c, "spark.log-level"));
    List<String> topics = c.getStringList("kafka.domain-topics");
    if (topics.isEmpty()) {
      throw invalid("kafka.domain-topics", "must name at least one topic");
    }
    String prefix = c.getString("kafka.topic-prefix");
    Kafka kafka =
        new Kafka(
            nonEmpty(c, "kafka.bootstrap-servers"),
            topics.stream().map(t -> prefix + t).toList(),
            prefix + nonEmpty(c, "kafka.signals-topic"),
            prefix + nonEmpty(c, "kafka.samples-topic"),
            c.getBoolean("kafka.emit-signals"));
    Training training =
        new Training(
            nonEmpty(c, "training.output"),
            nonEmpty(c, "training.report"),
            between(c, "training.explicit-positive-min", 1, 5),
            between(c, "training.explicit-negative-max", 1, 5),
            atLeast(c, "training.watch-positive-seconds", 1),
            positive(c, "training.impression-window"),
            fraction(c, "training.negative-sample-rate"),
            fraction(c, "training.split.train"),
            fraction(c, "training.split.validation"),
            fraction(c, "training.min-completeness"));
    if (training.explicitNegativeMax() >= training.explicitPositiveMin()) {
      throw invalid("training.explicit-negative-max", "must be below explicit-positive-min");
    }
    if (training.trainFraction() + training.validationFraction() >= 1.0) {
      throw invalid("training.split.validation", "train + validation must leave room for test");
    }
    Train train =
        new Train(
            nonEmpty(c, "train.model"),
            atLeast(c, "train.max-iterations", 1),
            c.getDouble("train.regularization"));
    if (train.regularization() < 0) {
      throw invalid("train.regularization", "must not be negative");
    }
    return new BatchSettings(
        spark,
        kafka,
        nonEmpty(c, "archive.path"),
        group(c, "member-group"),
        group(c, "title-group"),
        nonEmpty(c, "backfill.output"),
        nonEmpty(c, "snapshot.output"),
        training,
        nonEmpty(c, "consistency.output"),
        train);
  }

  private static GroupRef group(Config c, String key) {
    return new GroupRef(nonEmpty(c, key + ".name"), atLeast(c, key + ".version", 1));
  }

  private static String nonEmpty(Config c, String key) {
    String v = get(c, key, () -> c.getString(key));
    if (v.isBlank()) {
      throw invalid(key, "must not be empty");
    }
    return v;
  }

  private static int atLeast(Config c, String key, int min) {
    int v = get(c, key, () -> c.getInt(key));
    if (v < min) {
      throw invalid(key, "must be >= " + min + " (was " + v + ")");
    }
    return v;
  }

  private static int between(Config c, String key, int min, int max) {
    int v = atLeast(c, key, min);
    if (v > max) {
      throw invalid(key, "must be <= " + max + " (was " + v + ")");
    }
    return v;
  }

  private static double fraction(Config c, String key) {
    double v = get(c, key, () -> c.getDouble(key));
    if (!(v >= 0 && v <= 1)) {
      throw invalid(key, "must be in [0, 1] (was " + v + ")");
    }
    return v;
  }

  private static Duration positive(Config c, String key) {
    Duration v = get(c, key, () -> c.getDuration(key));
    if (v.isNegative() || v.isZero()) {
      throw invalid(key, "must be positive");
    }
    return v;
  }

  private static <T> T get(Config c, String key, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw invalid(key, e.getMessage());
    }
  }

  private static IllegalArgumentException invalid(String key, String why) {
    return new IllegalArgumentException("tessera.batch." + key + ": " + why);
  }
}
