package dev.tessera.simulations.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the simulation's topics if missing: the raw topic with its partition count, the two
 * reference topics with one partition and {@code cleanup.policy=compact}. Idempotent; an existing
 * topic is used as it is. Replication is the broker's default.
 */
public final class TopicSetup {

  private static final long TIMEOUT_SECONDS = 30;

  private TopicSetup() {}

  /**
   * Ensures the topics exist.
   *
   * @return the raw topic's actual partition count
   */
  public static int ensure(Admin admin, SimulationTopics topics) {
    try {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      if (!existing.contains(topics.raw())) {
        missing.add(
            new NewTopic(topics.raw(), Optional.of(topics.rawPartitions()), Optional.empty()));
      }
      for (String compacted : List.of(topics.content(), topics.profiles())) {
        if (!existing.contains(compacted)) {
          missing.add(
              new NewTopic(compacted, Optional.of(1), Optional.empty())
                  .configs(
                      Map.of(
                          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
      }
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) { // someone else was quicker: fine
            throw e;
          }
        }
      }
      int rawPartitions = partitions(admin, topics.raw());
      awaitLeaders(admin, topics.raw(), rawPartitions);
      awaitLeaders(admin, topics.content(), partitions(admin, topics.content()));
      awaitLeaders(admin, topics.profiles(), partitions(admin, topics.profiles()));
      return rawPartitions;
    } catch (ExecutionException e) {
      throw new SimulationException(
          "cannot create topics: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new SimulationException("Kafka did not answer within " + TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SimulationException("interrupted while creating topics", e);
    }
  }

  /**
   * Waits until every partition's leader serves it. An idempotent producer with several requests in
   * flight that writes to a partition its broker has not applied yet can lose its first batch to
   * NOT_LEADER_OR_FOLLOWER followed by endless OUT_OF_ORDER_SEQUENCE_NUMBER retries (KAFKA-15591);
   * a list-offsets answer from each leader proves the partition is applied.
   */
  static void awaitLeaders(Admin admin, String topic, int partitions)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        admin.listOffsets(request).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** The partition count of an existing topic. */
  public static int partitions(Admin admin, String topic)
      throws ExecutionException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        return admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .get(topic)
            .partitions()
            .size();
      } catch (ExecutionException e) {
        // A topic just created may not be in this broker's metadata yet.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
