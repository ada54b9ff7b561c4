package dev.tessera.batch.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.archive.ArchiveSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Labels from outcomes in the event archive. Each label is (member, title, instant, 0/1, source):
 *
 * <ul>
 *   <li>{@code explicit_rating}: a rating at or above {@code explicit-positive-min} is 1, at or below
 *       {@code explicit-negative-max} is 0, one in between is no label; instant = the rating's
 *       eventTime.
 *   <li>{@code implicit_watch}: a stop with at least {@code watch-positive-seconds} watched is 1;
 *       instant = the stop's eventTime.
 *   <li>{@code implicit_impression}: an impression whose title the member did not play within
 *       {@code impression-window} after it is 0; instant = the impression's eventTime (the moment a
 *       model would have ranked it). Impressions whose window reaches past the archive's last event
 *       time are censored (no label: the play may yet come). Negative sampling: each such negative is
 *       kept when {@code xxhash64(member, title, instant)} falls in the first {@code
 *       negative-sample-rate} share of the hash space, so a re-run keeps the same ones.
 * </ul>
 *
 * A record archived twice under one event id (a redelivery) gives one label.
 */
public final class Labels {
  public static final String LABEL_ID = "label_id";
  public static final String LABEL_TIME = "label_time";
  public static final String LABEL = "label";
  public static final String SOURCE = "label_source";

  private Labels() {}

  public static Dataset<Row> build(Dataset<Row> archive, BatchSettings.Training t) {
    Dataset<Row> events =
        archive.dropDuplicates(ArchiveSchema.MEMBER_ID, ArchiveSchema.STREAM, ArchiveSchema.EVENT_ID)
            .where(col(ArchiveSchema.TITLE_ID).isNotNull());
    Column type = col(ArchiveSchema.TYPE);
    Dataset<Row> ratings =
        events.where(type.equalTo("rate")
                .and(col("rating").geq(t.explicitPositiveMin())
                    .or(col("rating").leq(t.explicitNegativeMax()))))
            .select(base(functions.when(col("rating").geq(t.explicitPositiveMin()), 1).otherwise(0),
                "explicit_rating"));
    Dataset<Row> watches =
        events.where(type.equalTo("stop").and(col("watched_seconds").geq(t.watchPositiveSeconds())))
            .select(base(lit(1), "implicit_watch"));

    long window = t.impressionWindow().toMillis();
    Row last = archive.agg(functions.max(ArchiveSchema.EVENT_TIME)).first();
    long horizon = last.isNullAt(0) ? Long.MIN_VALUE : last.getLong(0);
    Dataset<Row> impressions =
        events.where(type.equalTo("impression")
                .and(col(ArchiveSchema.EVENT_TIME).plus(window).leq(lit(horizon))))
            .alias("i");
    Dataset<Row> plays = events.where(type.equalTo("play"))
        .select(col(ArchiveSchema.MEMBER_ID).as("p_member"), col(ArchiveSchema.TITLE_ID).as("p_title"),
            col(ArchiveSchema.EVENT_TIME).as("p_time"));
    Dataset<Row> unplayed =
        impressions.join(plays,
            col("p_member").equalTo(col("i." + ArchiveSchema.MEMBER_ID))
                .and(col("p_title").equalTo(col("i." + ArchiveSchema.TITLE_ID)))
                .and(col("p_time").gt(col("i." + ArchiveSchema.EVENT_TIME)))
                .and(col("p_time").leq(col("i." + ArchiveSchema.EVENT_TIME).plus(window))),
            "left_anti");
    long threshold = (long) Math.floor(t.negativeSampleRate() * 1_000_000);
    Dataset<Row> negatives =
        unplayed.where(functions.pmod(functions.xxhash64(col(ArchiveSchema.MEMBER_ID),
                    col(ArchiveSchema.TITLE_ID), col(ArchiveSchema.EVENT_TIME)), lit(1_000_000L))
                .lt(threshold))
            .select(base(lit(0), "implicit_impression"));
    return ratings.unionByName(watches).unionByName(negatives);
  }

  private static Column[] base(Column label, String source) {
    return new Column[] {
      functions.xxhash64(lit(source), col(ArchiveSchema.MEMBER_ID), col(ArchiveSchema.EVENT_ID))
          .as(LABEL_ID),
      col(ArchiveSchema.MEMBER_ID),
      col(ArchiveSchema.TITLE_ID),
      col(ArchiveSchema.EVENT_TIME).as(LABEL_TIME),
      label.cast("int").as(LABEL),
      lit(source).as(SOURCE)
    };
  }
}
