package dev.tessera.batch.backfill;

import static org.apache.spark.sql.functions.col;

import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.archive.ArchiveReader;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.signal.SignalEmitter;
import dev.tessera.batch.signal.WorkflowSignal;
import dev.tessera.engine.definition.FeatureGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Backfill and the offline snapshot (the offline feature store), both through {@link
 * PointInTimeJoin}: a feature as of t is the kernel's value from the events ingested at or before t.
 *
 * <ul>
 *   <li>backfill: a spine of (member_id, as_of) rows (CSV with a header, or Parquet; as_of in epoch
 *       ms or ISO-8601) gets every feature of the group as of each row's instant.
 *   <li>snapshot: every member of the archive as of each interval boundary in [from, to] (hourly or
 *       daily), partitioned by {@code snapshot_date}.
 * </ul>
 */
public final class BackfillJob {
  private BackfillJob() {}

  public static long backfill(
      SparkSession spark, BatchSettings settings, FeatureGroup group, String spinePath,
      String output, String runIdOverride, Summary summary) {
    Dataset<Row> raw = spinePath.endsWith(".csv")
        ? spark.read().option("header", true).csv(spinePath)
        : spark.read().parquet(spinePath);
    for (String required : List.of(ArchiveSchema.MEMBER_ID, PointInTimeJoin.AS_OF)) {
      if (!List.of(raw.columns()).contains(required)) {
        throw new IllegalArgumentException("the spine " + spinePath + " has no column " + required
            + " (it needs member_id and as_of)");
      }
    }
    Dataset<Row> spine = raw
        .withColumn(PointInTimeJoin.AS_OF, functions.coalesce(
            // try_: Spark 4 casts in ANSI mode, where a failed cast throws instead of giving null
            col(PointInTimeJoin.AS_OF).try_cast(DataTypes.LongType),
            functions.unix_millis(
                functions.try_to_timestamp(col(PointInTimeJoin.AS_OF).cast("string")))))
        .withColumn(PointInTimeJoin.ROW_ID, functions.monotonically_increasing_id())
        .persist();
    long bad = spine.where(col(PointInTimeJoin.AS_OF).isNull()).count();
    if (bad > 0) {
      throw new IllegalArgumentException(bad + " spine rows have an as_of that is neither epoch ms "
          + "nor an ISO-8601 instant");
    }
    long rows = write(spark, settings, group, spine, output, List.of(), summary);
    spine.unpersist();
    signal(settings, group, "batch/backfill", rows, output,
        runIdOverride != null ? runIdOverride
            : WorkflowSignal.runId("backfill", group.name(), "" + group.version(), spinePath, output,
                settings.archivePath()), summary);
    return rows;
  }

  public static long snapshot(
      SparkSession spark, BatchSettings settings, FeatureGroup group, Instant from, Instant to,
      Duration every, String output, String runIdOverride, Summary summary) {
    if (!every.equals(Duration.ofHours(1)) && !every.equals(Duration.ofDays(1))) {
      throw new IllegalArgumentException("--every must be 1h or 1d");
    }
    Dataset<Row> archive = ArchiveReader.read(spark, settings.archivePath());
    long step = every.toMillis();
    long first = Math.floorDiv(from.toEpochMilli() + step - 1, step) * step;
    List<Row> instants = new ArrayList<>();
    for (long t = first; t <= to.toEpochMilli(); t += step) {
      instants.add(RowFactory.create(t));
    }
    if (instants.isEmpty() || instants.size() > 10_000) {
      throw new IllegalArgumentException("[from, to] holds " + instants.size()
          + " boundaries of " + every + " (1 to 10000 allowed)");
    }
    Dataset<Row> spine = archive.select(ArchiveSchema.MEMBER_ID).distinct()
        .crossJoin(spark.createDataFrame(instants,
            new StructType().add(PointInTimeJoin.AS_OF, DataTypes.LongType)))
        .withColumn(PointInTimeJoin.ROW_ID, functions.monotonically_increasing_id())
        .withColumn("snapshot_date", functions.date_format(
            functions.timestamp_millis(col(PointInTimeJoin.AS_OF)), "yyyy-MM-dd"))
        .persist();
    summary.put("boundaries", instants.size() + " from " + Instant.ofEpochMilli(first) + " every "
        + every);
    long rows = write(spark, settings, group, spine, output, List.of("snapshot_date"), summary);
    spine.unpersist();
    signal(settings, group, "batch/snapshot", rows, output,
        runIdOverride != null ? runIdOverride
            : WorkflowSignal.runId("snapshot", group.name(), "" + group.version(), from.toString(),
                to.toString(), every.toString(), output, settings.archivePath()), summary);
    return rows;
  }

  private static long write(
      SparkSession spark, BatchSettings settings, FeatureGroup group, Dataset<Row> spine,
      String output, List<String> partitionBy, Summary summary) {
    Dataset<Row> archive = ArchiveReader.read(spark, settings.archivePath());
    Dataset<Row> features =
        new PointInTimeJoin(group, PointInTimeJoin.Entity.MEMBER, "", System.currentTimeMillis())
            .compute(archive, spine);
    // the spine keeps its as_of; the join adds max_ingested_at and the features
    Dataset<Row> out = spine.join(features.drop(PointInTimeJoin.AS_OF), PointInTimeJoin.ROW_ID)
        .drop(PointInTimeJoin.ROW_ID);
    out.write().mode(SaveMode.Overwrite).partitionBy(partitionBy.toArray(new String[0]))
        .parquet(output);
    long rows = spark.read().parquet(output).count();
    summary.put("group", group.name() + " v" + group.version())
        .put("rows", rows)
        .put("output", output)
        .put("point in time", "events ingested at or before as_of, each stream in offset order");
    return rows;
  }

  private static void signal(
      BatchSettings settings, FeatureGroup group, String source, long rows, String output,
      String runId, Summary summary) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("group", group.name());
    payload.put("version", group.version());
    payload.put("rows", rows);
    payload.put("outputPath", output);
    WorkflowSignal signal = WorkflowSignal.of("features_ready", source, group.name(),
        group.version(), runId, payload, System.currentTimeMillis());
    SignalEmitter.emit(settings.kafka(), signal);
    summary.put("signal", signal.id());
  }
}
