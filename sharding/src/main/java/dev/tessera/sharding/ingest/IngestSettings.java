package dev.tessera.sharding.ingest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tessera.engine.EngineSettings;
import dev.tessera.engine.event.EventStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the ingestion pipeline, read once from {@code tessera.ingest} (see reference.conf)
 * and validated at start-up: a wrong value fails with its key's name.
 *
 * @param rawTopic the topic clients produce events to
 * @param deadLetterTopic where invalid records go, with their reasons
 * @param domainTopics the topic of each event stream, keyed by member id
 * @param contentMetadataTopic compacted: titleId -> catalogue metadata
 * @param memberProfilesTopic compacted: memberId -> profile
 * @param rawPartitions partitions of the raw topic when Tessera creates it
 * @param domainPartitions partitions of every domain topic (they must all be equal)
 * @param consumerGroup the pipeline's consumer group on the raw topic
 * @param transactionalId the prefix of the pipeline's Kafka transactional id
 * @param dedupWindow an event id seen again within this much ingestion time of its last copy is dropped
 * @param dedupMaxIdsPerPartition memory bound of the duplicate filter per raw partition
 * @param engine the kernel's settings ({@code tessera.engine}): validation limits (future
 *     tolerance, size limit, schema versions) are the kernel's, shared with batch
 * @param referenceLoadTimeout how long start-up may wait to load the reference topics
 * @param produceBatch at most this many consecutive records of one raw partition travel to the
 *     transactional producer in one envelope
 */
public record IngestSettings(
    String rawTopic,
    String deadLetterTopic,
    Map<EventStream, String> domainTopics,
    String contentMetadataTopic,
    String memberProfilesTopic,
    int rawPartitions,
    int domainPartitions,
    String consumerGroup,
    String transactionalId,
    Duration dedupWindow,
    int dedupMaxIdsPerPartition,
    EngineSettings engine,
    Duration referenceLoadTimeout,
    int produceBatch) {

  public IngestSettings {
    Objects.requireNonNull(rawTopic, "rawTopic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    domainTopics = Map.copyOf(domainTopics);
    Objects.requireNonNull(contentMetadataTopic, "contentMetadataTopic");
    Objects.requireNonNull(memberProfilesTopic, "memberProfilesTopic");
    Objects.requireNonNull(consumerGroup, "consumerGroup");
    Objects.requireNonNull(transactionalId, "transactionalId");
    Objects.requireNonNull(dedupWindow, "dedupWindow");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(referenceLoadTimeout, "referenceLoadTimeout");
  }

  /** Reads {@code tessera.ingest} from the node's configuration. */
  public static IngestSettings create(Config root) {
    String prefix = "tessera.ingest.";
    try {
      Config config = root.getConfig("tessera.ingest");
      Map<EventStream, String> domain = new EnumMap<>(EventStream.class);
      for (EventStream stream : EventStream.values()) {
        domain.put(stream, topicName(config, "topics.domain." + stream.wireName(), prefix));
      }
      IngestSettings settings = new IngestSettings(
          topicName(config, "topics.raw", prefix),
          topicName(config, "topics.dead-letter", prefix),
          domain,
          topicName(config, "topics.content-metadata", prefix),
          topicName(config, "topics.member-profiles", prefix),
          atLeast(config, "raw-partitions", 1, prefix),
          atLeast(config, "domain-partitions", 1, prefix),
          nonEmpty(config, "consumer-group", prefix),
          nonEmpty(config, "transactional-id", prefix),
          positive(config, "dedup.window", prefix),
          atLeast(config, "dedup.max-ids-per-partition", 1, prefix),
          EngineSettings.create(root),
          positive(config, "reference-load-timeout", prefix),
          atLeast(config, "produce-batch", 1, prefix));
      Set<String> names = new HashSet<>(domain.values());
      List<String> others = List.of(settings.rawTopic, settings.deadLetterTopic,
          settings.contentMetadataTopic, settings.memberProfilesTopic);
      if (names.size() != domain.size() || others.stream().anyMatch(names::contains)
          || new HashSet<>(others).size() != others.size()) {
        throw new IllegalArgumentException(
            "Invalid configuration: " + prefix + "topics names the same topic twice: every topic"
                + " must be distinct");
      }
      return settings;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  /** The domain topic of a stream. */
  public String domainTopic(EventStream stream) {
    return domainTopics.get(stream);
  }

  /** This settings with every topic name, the group and the transactional id prefixed. */
  public IngestSettings withPrefix(String namePrefix) {
    Map<EventStream, String> domain = new EnumMap<>(EventStream.class);
    domainTopics.forEach((stream, topic) -> domain.put(stream, namePrefix + topic));
    return new IngestSettings(namePrefix + rawTopic, namePrefix + deadLetterTopic, domain,
        namePrefix + contentMetadataTopic, namePrefix + memberProfilesTopic, rawPartitions,
        domainPartitions, namePrefix + consumerGroup, namePrefix + transactionalId, dedupWindow,
        dedupMaxIdsPerPartition, engine, referenceLoadTimeout, produceBatch);
  }

  private static String topicName(Config config, String key, String prefix) {
    String name = config.getString(key);
    if (!name.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("Invalid configuration: " + prefix + key + " = '" + name
          + "' is not a Kafka topic name ([A-Za-z0-9._-], 1-249 characters)");
    }
    return name;
  }

  private static String nonEmpty(Config config, String key, String prefix) {
    String value = config.getString(key);
    if (value.isBlank()) {
      throw new IllegalArgumentException("Invalid configuration: " + prefix + key + " is empty");
    }
    return value;
  }

  private static int atLeast(Config config, String key, int min, String prefix) {
    int value = config.getInt(key);
    if (value < min) {
      throw new IllegalArgumentException("Invalid configuration: " + prefix + key + " = " + value
          + " must be at least " + min);
    }
    return value;
  }

  private static Duration positive(Config config, String key, String prefix) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("Invalid configuration: " + prefix + key + " = " + value
          + " must be positive");
    }
    return value;
  }
}
