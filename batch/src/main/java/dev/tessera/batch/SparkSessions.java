package dev.tessera.batch;

import org.apache.spark.sql.SparkSession;

/**
 * Creates the jobs' SparkSession. Under {@code spark-submit} the master and resources come from the
 * submit command (system property {@code spark.master} is set) and are left alone; run directly, the
 * session is local with the configured master. Local sessions bind to loopback only and have no UI.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession create(BatchSettings.Spark settings, String job) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(settings.appName() + "-" + job)
            .config("spark.sql.shuffle.partitions", settings.shufflePartitions())
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.showConsoleProgress", false);
    if (System.getProperty("spark.master") == null) {
      builder
          .master(settings.master())
          .config("spark.ui.enabled", false)
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1");
    }
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel(settings.logLevel());
    return spark;
  }

  /** A small local session for tests and the benchmark. */
  public static SparkSession local(String master, int shufflePartitions) {
    return create(new BatchSettings.Spark(master, "tessera-batch", shufflePartitions, "WARN"), "local");
  }
}
