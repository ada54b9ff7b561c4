package dev.tessera.batch.training;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The explicit leakage check of a training set: every feature group's snapshot must be as of an
 * instant strictly before its label's instant, and must have seen no event ingested after that
 * as-of. Checked row by row on the written data, not assumed from how it was built.
 */
public final class LeakageCheck {
  private LeakageCheck() {}

  /** The check's outcome: violating rows and a few of them, readable. */
  public record Result(long rowsChecked, long violations, List<String> examples) {
    public Result {
      examples = List.copyOf(examples);
    }
  }

  /** Thrown when a training set leaks: the job stops and says how. */
  public static final class LeakageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LeakageException(String message) {
      super(message);
    }
  }

  /** Rows that leak, for the given feature-column prefixes (e.g. {@code member_}, {@code title_}). */
  public static Column violation(String... prefixes) {
    Column any = null;
    for (String p : prefixes) {
      Column asOf = col(p + "as_of");
      Column c = asOf.isNull()
          .or(asOf.geq(col(Labels.LABEL_TIME)))
          .or(col(p + "max_ingested_at").gt(asOf));
      any = any == null ? c : any.or(c);
    }
    return any;
  }

  public static Result check(Dataset<Row> trainingSet, String... prefixes) {
    Dataset<Row> bad = trainingSet.where(violation(prefixes));
    long violations = bad.count();
    List<String> examples = List.of();
    if (violations > 0) {
      java.util.List<String> cols = new java.util.ArrayList<>(List.of(Labels.LABEL_ID, "member_id",
          Labels.LABEL_TIME));
      for (String p : prefixes) {
        cols.add(p + "as_of");
        cols.add(p + "max_ingested_at");
      }
      examples = bad.selectExpr(cols.toArray(new String[0])).limit(5).collectAsList().stream()
          .map(Row::toString).toList();
    }
    return new Result(trainingSet.count(), violations, examples);
  }

  /** Fails loudly when any row leaks. */
  public static Result require(Dataset<Row> trainingSet, String... prefixes) {
    Result r = check(trainingSet, prefixes);
    if (r.violations() > 0) {
      throw new LeakageException(
          "LEAKAGE: " + r.violations() + " of " + r.rowsChecked()
              + " training rows use features as of at or after their label's instant, or events "
              + "ingested after the features' as-of; examples [label_id, member_id, label_time, "
              + "as_of, max_ingested_at per group]: " + r.examples());
    }
    return r;
  }
}
