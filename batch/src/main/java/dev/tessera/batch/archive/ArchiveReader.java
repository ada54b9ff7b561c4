package dev.tessera.batch.archive;

import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** Reads the Parquet event archive with its columns in {@link ArchiveSchema#SCHEMA}'s order. */
public final class ArchiveReader {
  private ArchiveReader() {}

  public static boolean exists(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(new Path(p, "_SUCCESS")) || (fs.exists(p) && fs.listStatus(p).length > 0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** The archive; a missing archive is an error naming the path (run archive first). */
  public static Dataset<Row> read(SparkSession spark, String path) {
    if (!exists(spark, path)) {
      throw new IllegalArgumentException(
          "no event archive at " + path + " (run ./tessera batch archive first, or set "
              + "tessera.batch.archive.path)");
    }
    return spark.read().schema(ArchiveSchema.SCHEMA).parquet(path)
        .select(Arrays.stream(ArchiveSchema.COLUMNS).map(functions::col).toArray(Column[]::new));
  }
}
