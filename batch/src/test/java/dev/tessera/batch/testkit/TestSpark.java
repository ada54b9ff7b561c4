package dev.tessera.batch.testkit;

import dev.tessera.batch.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** The tests' Spark: local[2], no UI, loopback, few shuffle partitions (small data). */
public final class TestSpark {
  private TestSpark() {}

  public static SparkSession start() {
    return SparkSessions.local("local[2]", 4);
  }
}
