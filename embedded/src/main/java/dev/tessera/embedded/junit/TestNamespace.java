package dev.tessera.embedded.junit;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names that belong to one test only, so tests sharing a broker and a node never see each other's
 * topics, consumer groups or keyspaces.
 *
 * @param prefix a short unique prefix (at most 25 characters, so that keyspaces derived from it
 *     stay within Cassandra's limit of 48): letters, digits and underscores, starting with a letter
 */
public record TestNamespace(String prefix) {

  public static TestNamespace forTest(String testName) {
    String base = testName.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
    if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
      base = "t" + base;
    }
    base = base.substring(0, Math.min(base.length(), 16));
    String unique = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    return new TestNamespace(base + "_" + unique);
  }

  /** A Kafka topic name unique to this test. */
  public String topic(String name) {
    return prefix + "-" + name;
  }

  /** A Kafka consumer group unique to this test. */
  public String consumerGroup(String name) {
    return prefix + "-" + name;
  }

  /** A Cassandra keyspace unique to this test (at most 48 characters, lower case). */
  public String keyspace(String name) {
    String keyspace = (prefix + "_" + name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return keyspace.substring(0, Math.min(48, keyspace.length()));
  }
}
