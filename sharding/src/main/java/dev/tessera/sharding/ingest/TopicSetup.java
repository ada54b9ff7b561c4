package dev.tessera.sharding.ingest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics ingestion needs, or checks the ones that exist: every domain topic and the
 * dead-letter topic with {@code domain-partitions} partitions (partition i of every domain topic
 * must hold the same members), the reference topics compacted, and the raw topic stamped with the
 * broker's time ({@code LogAppendTime}), which is the ingestion instant.
 */
public final class TopicSetup {
  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

  private TopicSetup() {}

  /**
   * Ensures every topic exists with the right shape.
   *
   * @throws IllegalStateException naming the topic when an existing one has the wrong partition
   *     count
   */
  public static void ensure(String bootstrapServers, IngestSettings settings) {
    Map<String, Integer> partitions = new HashMap<>();
    partitions.put(settings.rawTopic(), settings.rawPartitions());
    partitions.put(settings.deadLetterTopic(), settings.domainPartitions());
    settings.domainTopics().values().forEach(t -> partitions.put(t, settings.domainPartitions()));
    partitions.put(settings.contentMetadataTopic(), 1);
    partitions.put(settings.memberProfilesTopic(), 1);
    withAdmin(bootstrapServers, admin -> {
      createMissing(admin, partitions, topic -> configOf(topic, settings));
      checkPartitions(admin, settings);
      admin.incrementalAlterConfigs(Map.of(
          new ConfigResource(ConfigResource.Type.TOPIC, settings.rawTopic()),
          List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
              "LogAppendTime"), AlterConfigOp.OpType.SET))))
          .all().get(30, TimeUnit.SECONDS);
    });
  }

  /**
   * Creates any of these plain (not compacted) topics that is missing, with its partition count,
   * and waits for their leaders; existing ones are left as they are.
   */
  public static void ensureTopics(String bootstrapServers, Map<String, Integer> partitions) {
    withAdmin(bootstrapServers, admin -> createMissing(admin, partitions, topic -> Map.of()));
  }

  /** Work with an admin client whose failures become one-line errors. */
  private interface AdminWork {
    void run(Admin admin)
        throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException;
  }

  private static void withAdmin(String bootstrapServers, AdminWork work) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers))) {
      work.run(admin);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot set up topics: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while setting up topics", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within 30 s while setting up topics "
          + "(tessera.kafka.bootstrap-servers = " + bootstrapServers + ")", e);
    }
  }

  private static void createMissing(Admin admin, Map<String, Integer> partitions,
      java.util.function.Function<String, Map<String, String>> configs)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<NewTopic> missing = new ArrayList<>();
    partitions.forEach((topic, count) -> {
      if (!existing.contains(topic)) {
        missing.add(new NewTopic(topic, Optional.of(count), Optional.empty())
            .configs(configs.apply(topic)));
      }
    });
    if (!missing.isEmpty()) {
      admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      log.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
    }
    awaitLeaders(admin, partitions);
  }

  private static Map<String, String> configOf(String topic, IngestSettings settings) {
    if (topic.equals(settings.contentMetadataTopic())
        || topic.equals(settings.memberProfilesTopic())) {
      return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }
    if (topic.equals(settings.rawTopic())) {
      return Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    }
    return Map.of();
  }

  /**
   * Waits until every partition's leader serves it: an idempotent or transactional producer that
   * writes to a partition its broker has not applied yet can lose its first batch to
   * NOT_LEADER_OR_FOLLOWER and then retry OUT_OF_ORDER_SEQUENCE_NUMBER forever (KAFKA-15591, seen
   * here with 3.9 clients on a 4.4 broker). A list-offsets answer from each leader proves it.
   */
  private static void awaitLeaders(Admin admin, Map<String, Integer> partitions)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach((topic, count) -> {
      for (int p = 0; p < count; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static void checkPartitions(Admin admin, IngestSettings settings)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    Collection<String> sameCount = new ArrayList<>(settings.domainTopics().values());
    Map<String, TopicDescription> described =
        admin.describeTopics(sameCount).allTopicNames().get(30, TimeUnit.SECONDS);
    for (TopicDescription topic : described.values()) {
      if (topic.partitions().size() != settings.domainPartitions()) {
        throw new IllegalStateException("Domain topic " + topic.name() + " has "
            + topic.partitions().size() + " partitions but tessera.ingest.domain-partitions = "
            + settings.domainPartitions() + ": every domain topic must have the same count, so"
            + " that partition i of each holds the same members");
      }
    }
  }
}
