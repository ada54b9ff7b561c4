package dev.tessera.batch.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.backfill.PointInTimeJoin;
import dev.tessera.engine.definition.FeatureGroup;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * A point-in-time-correct training set: each label joined with its member's features and its
 * title's features as of {@code label_time - 1 ms}, from the events ingested by then (so the
 * snapshot's as-of is strictly before the label's instant, and the outcome event itself, ingested
 * at or after its eventTime, is never seen), then split by label time.
 *
 * <p>Columns: the label's ({@code label_id, member_id, title_id, label_time, label, label_source}),
 * {@code split} (train / validation / test), {@code member_as_of}, {@code member_max_ingested_at},
 * {@code member_<feature>}..., {@code title_as_of}, {@code title_max_ingested_at}, {@code
 * title_<feature>}...
 */
public final class TrainingSet {
  public static final String SPLIT = "split";
  public static final String MEMBER_PREFIX = "member_";
  public static final String TITLE_PREFIX = "title_";

  /** The instant features are read at for a label at {@code labelTime}: 1 ms before. */
  public static long featureInstant(long labelTime) {
    return labelTime - 1;
  }

  private TrainingSet() {}

  /**
   * The split boundaries by time: the earliest {@code trainFraction} of the labels (by count) are
   * train, the next {@code validationFraction} validation, the rest test. Each boundary is the
   * label time of the first label of the next split, so every train label precedes every
   * validation label, which precedes every test label. (Counting labels, not the time span, keeps
   * the shares right when label times are uneven, e.g. a few old late events far before the rest.)
   */
  public record Boundaries(long trainEnd, long validationEnd) {}

  public static Boundaries boundaries(Dataset<Row> labels, BatchSettings.Training t) {
    List<Long> times = labels.select(Labels.LABEL_TIME).orderBy(Labels.LABEL_TIME)
        .as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
    if (times.isEmpty()) {
      return new Boundaries(0, 0);
    }
    int n = times.size();
    int trainRows = (int) Math.floor(n * t.trainFraction());
    int validationEnd = (int) Math.floor(n * (t.trainFraction() + t.validationFraction()));
    return new Boundaries(at(times, trainRows), at(times, validationEnd));
  }

  private static long at(List<Long> sortedTimes, int index) {
    return index >= sortedTimes.size() ? Long.MAX_VALUE : sortedTimes.get(index);
  }

  /**
   * Joins features to labels.
   *
   * @param offset added to {@link #featureInstant} (0 in production; tests pass a positive one to
   *     build a deliberately leaking set)
   */
  public static Dataset<Row> build(
      Dataset<Row> archive,
      Dataset<Row> labels,
      FeatureGroup memberGroup,
      FeatureGroup titleGroup,
      Boundaries split,
      long computedAt,
      long offset) {
    Dataset<Row> spine =
        labels.select(col(Labels.LABEL_ID).as(PointInTimeJoin.ROW_ID), col(ArchiveSchema.MEMBER_ID),
            col(ArchiveSchema.TITLE_ID),
            col(Labels.LABEL_TIME).minus(1).plus(offset).as(PointInTimeJoin.AS_OF));
    Dataset<Row> members =
        new PointInTimeJoin(memberGroup, PointInTimeJoin.Entity.MEMBER, MEMBER_PREFIX, computedAt)
            .compute(archive, spine);
    Dataset<Row> titles =
        new PointInTimeJoin(titleGroup, PointInTimeJoin.Entity.TITLE, TITLE_PREFIX, computedAt)
            .compute(archive, spine);
    return labels
        .withColumn(SPLIT,
            functions.when(col(Labels.LABEL_TIME).lt(split.trainEnd()), lit("train"))
                .when(col(Labels.LABEL_TIME).lt(split.validationEnd()), lit("validation"))
                .otherwise(lit("test")))
        .join(members, col(Labels.LABEL_ID).equalTo(members.col(PointInTimeJoin.ROW_ID)), "left")
        .drop(members.col(PointInTimeJoin.ROW_ID))
        .join(titles, col(Labels.LABEL_ID).equalTo(titles.col(PointInTimeJoin.ROW_ID)), "left")
        .drop(titles.col(PointInTimeJoin.ROW_ID));
  }
}
