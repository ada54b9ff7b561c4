package dev.tessera.batch.testkit;

import dev.tessera.batch.SparkSessions;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class with the tests' Spark (local[2], no UI, loopback, few shuffle partitions for small
 * data): started once before the class's tests, stopped after them. A subclass's own
 * {@code @BeforeAll} runs after this one, so it may use {@link #spark}.
 */
public abstract class SparkTest {
  protected static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkSessions.local("local[2]", 4);
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }
}
