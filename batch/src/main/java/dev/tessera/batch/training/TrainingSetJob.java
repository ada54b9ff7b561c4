package dev.tessera.batch.training;

import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.archive.ArchiveReader;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.backfill.FeatureColumns;
import dev.tessera.batch.signal.SignalEmitter;
import dev.tessera.batch.signal.WorkflowSignal;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training-set job: labels from the archive's outcomes, point-in-time member and title features
 * by the kernel, a split by time, Parquet output (partitioned by split), the validation report,
 * and a {@code features_ready} signal. It fails (no signal) when the leakage check finds any
 * violation or the completeness is not above the configured minimum; the report is written first,
 * so the failure can be read.
 */
public final class TrainingSetJob {
  private static final Logger log = LoggerFactory.getLogger(TrainingSetJob.class);

  private TrainingSetJob() {}

  /** The job's outcome. */
  public record Result(ValidationReport report, WorkflowSignal signal) {}

  /** Thrown when the written set fails its quality gate (completeness). */
  public static final class QualityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QualityException(String message) {
      super(message);
    }
  }

  public static Result run(
      SparkSession spark, BatchSettings settings, FeatureRegistry registry, String runIdOverride,
      Summary summary) {
    FeatureGroup members = registry.get(settings.memberGroup().name(), settings.memberGroup().version());
    FeatureGroup titles = registry.get(settings.titleGroup().name(), settings.titleGroup().version());
    BatchSettings.Training t = settings.training();
    Dataset<Row> archive = ArchiveReader.read(spark, settings.archivePath());
    Row archived = archive.agg(functions.count("*"), functions.max(ArchiveSchema.INGESTED_AT)).first();
    String runId = runIdOverride != null ? runIdOverride
        : WorkflowSignal.runId("training-set", members.name(), "" + members.version(), titles.name(),
            "" + titles.version(), settings.archivePath(), "" + archived.get(0), "" + archived.get(1),
            t.outputPath(), t.toString());
    log.info("training-set {}: labels from {} archived events", runId, archived.get(0));

    Dataset<Row> labels = Labels.build(archive, t).persist();
    TrainingSet.Boundaries split = TrainingSet.boundaries(labels, t);
    long computedAt = System.currentTimeMillis();
    Dataset<Row> set =
        TrainingSet.build(archive, labels, members, titles, split, computedAt, 0);
    log.info("training-set {}: writing {}", runId, t.outputPath());
    set.write().mode(SaveMode.Overwrite).partitionBy(TrainingSet.SPLIT).parquet(t.outputPath());
    labels.unpersist();

    Dataset<Row> written = spark.read().parquet(t.outputPath()).persist();
    try {
      LeakageCheck.Result leakage =
          LeakageCheck.check(written, TrainingSet.MEMBER_PREFIX, TrainingSet.TITLE_PREFIX);
      List<String> features = featureColumns(members, titles);
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("group", members.name() + " v" + members.version());
      header.put("titleGroup", titles.name() + " v" + titles.version());
      header.put("runId", runId);
      header.put("generatedAt", ValidationReport.iso(computedAt));
      header.put("output", t.outputPath());
      header.put("boundaries", Map.of("trainEnd", ValidationReport.iso(split.trainEnd()),
          "validationEnd", ValidationReport.iso(split.validationEnd())));
      header.put("negativeSampleRate", t.negativeSampleRate());
      header.put("pointInTime", "features as of label_time - 1 ms from events ingested at or "
          + "before it");
      ValidationReport report =
          ValidationReport.of(written, features, header, leakage, t.minCompleteness());
      report.write(Path.of(t.reportPath()));
      summary.put("run id", runId)
          .put("rows", report.rows())
          .put("train / validation / test", report.rows("train") + " / "
              + report.rows("validation") + " / " + report.rows("test"))
          .put("completeness", String.format("%.4f%%", 100 * report.completeness()))
          .put("leakage violations", leakage.violations())
          .put("output", t.outputPath())
          .put("report", Path.of(t.reportPath()).resolve("report.md"));
      LeakageCheck.require(written, TrainingSet.MEMBER_PREFIX, TrainingSet.TITLE_PREFIX);
      if (!(report.completeness() > t.minCompleteness())) {
        throw new QualityException(String.format("feature completeness %.4f is not above "
            + "tessera.batch.training.min-completeness %.4f (see %s)", report.completeness(),
            t.minCompleteness(), t.reportPath()));
      }
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("group", members.name());
      payload.put("version", members.version());
      payload.put("rows", report.rows());
      payload.put("trainRows", report.rows("train"));
      payload.put("validationRows", report.rows("validation"));
      payload.put("testRows", report.rows("test"));
      payload.put("completeness", report.completeness());
      payload.put("leakageViolations", leakage.violations());
      payload.put("outputPath", t.outputPath());
      payload.put("reportPath", Path.of(t.reportPath()).resolve("report.json").toString());
      WorkflowSignal signal = WorkflowSignal.of("features_ready", "batch/training-set",
          members.name(), members.version(), runId, payload, System.currentTimeMillis());
      SignalEmitter.emit(settings.kafka(), signal);
      summary.put("signal", signal.id());
      return new Result(report, signal);
    } finally {
      written.unpersist();
    }
  }

  static List<String> featureColumns(FeatureGroup members, FeatureGroup titles) {
    List<String> out = new ArrayList<>();
    FeatureColumns.names(members).forEach(n -> out.add(TrainingSet.MEMBER_PREFIX + n));
    FeatureColumns.names(titles).forEach(n -> out.add(TrainingSet.TITLE_PREFIX + n));
    return out;
  }
}
