package dev.tessera.batch.archive;

import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.engine.event.EnrichedEventJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives the committed records of the domain topics into the Parquet event archive.
 *
 * <p>Reads a batch of offset ranges ({@code earliest}/{@code latest} by default, or Spark's
 * per-partition JSON) with {@code isolation.level = read_committed}, so aborted transactions never
 * reach the archive. Idempotent: a record's identity is (topic, partition, offset), and records
 * whose identity the archive already holds are left out before the append, so re-running over the
 * same offsets (or overlapping ones) writes nothing twice. Spark's commit protocol makes each append
 * all or nothing. Records that are not enriched-event JSON are counted and skipped (ingestion only
 * writes valid ones).
 */
public final class ArchiveJob {
  private static final Logger log = LoggerFactory.getLogger(ArchiveJob.class);

  private ArchiveJob() {}

  /** What one run did. */
  public record Result(long read, long malformed, long alreadyArchived, long written, long total) {}

  public static Result run(
      SparkSession spark,
      BatchSettings settings,
      String startingOffsets,
      String endingOffsets,
      Summary summary) {
    String topics = String.join(",", settings.kafka().domainTopics());
    log.info("archive: reading {} [{} .. {}] from {} (read_committed)", topics, startingOffsets,
        endingOffsets, settings.kafka().bootstrapServers());
    Dataset<Row> kafka =
        spark.read().format("kafka")
            .option("kafka.bootstrap.servers", settings.kafka().bootstrapServers())
            .option("kafka.isolation.level", "read_committed")
            .option("subscribe", topics)
            .option("startingOffsets", startingOffsets)
            .option("endingOffsets", endingOffsets)
            .load()
            .select(functions.col("topic"), functions.col("partition"), functions.col("offset"),
                functions.unix_millis(functions.col("timestamp")).as("ts"), functions.col("value"));

    LongAccumulator malformed = spark.sparkContext().longAccumulator("malformed");
    Dataset<Row> decoded =
        kafka.mapPartitions(
            (MapPartitionsFunction<Row, Row>) rows -> decode(rows, malformed),
            Encoders.row(ArchiveSchema.SCHEMA));

    // One read of Kafka: "latest" is resolved per query, so every figure below comes from this copy.
    decoded = decoded.persist();
    String path = settings.archivePath();
    Dataset<Row> fresh = decoded;
    boolean exists = ArchiveReader.exists(spark, path);
    if (exists) {
      Dataset<Row> archived =
          ArchiveReader.read(spark, path)
              .select(ArchiveSchema.TOPIC, ArchiveSchema.PARTITION, ArchiveSchema.OFFSET);
      fresh = decoded.join(archived,
          decoded.col(ArchiveSchema.TOPIC).equalTo(archived.col(ArchiveSchema.TOPIC))
              .and(decoded.col(ArchiveSchema.PARTITION).equalTo(archived.col(ArchiveSchema.PARTITION)))
              .and(decoded.col(ArchiveSchema.OFFSET).equalTo(archived.col(ArchiveSchema.OFFSET))),
          "left_anti");
    }
    fresh = fresh.persist();
    try {
      long read = decoded.count();
      long written = fresh.count();
      if (written > 0) {
        fresh.write().mode(SaveMode.Append).partitionBy(ArchiveSchema.EVENT_DATE).parquet(path);
      }
      long total = ArchiveReader.read(spark, path).count();
      Result result = new Result(read, malformed.value(), read - malformed.value() - written,
          written, total);
      summary.put("topics", topics)
          .put("offsets", startingOffsets + " .. " + endingOffsets)
          .put("records read", read)
          .put("malformed (skipped)", result.malformed())
          .put("already archived", result.alreadyArchived())
          .put("written", written)
          .put("archive rows", total)
          .put("archive", path);
      ranges(spark, path, summary);
      return result;
    } finally {
      fresh.unpersist();
      decoded.unpersist();
    }
  }

  private static void ranges(SparkSession spark, String path, Summary summary) {
    for (Row r : ArchiveReader.read(spark, path)
        .groupBy(ArchiveSchema.TOPIC)
        .agg(functions.count("*"), functions.min(ArchiveSchema.INGESTED_AT),
            functions.max(ArchiveSchema.INGESTED_AT))
        .orderBy(ArchiveSchema.TOPIC)
        .collectAsList()) {
      summary.put("  " + r.getString(0), r.getLong(1) + " records, ingested "
          + java.time.Instant.ofEpochMilli(r.getLong(2)) + " .. "
          + java.time.Instant.ofEpochMilli(r.getLong(3)));
    }
  }

  private static Iterator<Row> decode(Iterator<Row> rows, LongAccumulator malformed) {
    List<Row> out = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      byte[] value = (byte[]) r.get(4);
      try {
        if (value == null) {
          throw new IllegalArgumentException("null value");
        }
        EnrichedEventJson.Decoded d = EnrichedEventJson.decode(value);
        out.add(ArchiveSchema.toRow(r.getString(0), r.getInt(1), r.getLong(2), r.getLong(3), d));
      } catch (RuntimeException e) {
        malformed.add(1);
      }
    }
    return out.iterator();
  }
}
