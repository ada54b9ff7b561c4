package dev.tessera.deploy.demo;

import dev.tessera.deploy.node.TesseraNode;
import dev.tessera.sharding.ingest.IngestMetrics;
import dev.tessera.sharding.member.FeatureMetrics;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The demo's one-line status: raw events in per second, the feature consumer group's lag (records
 * of the domain topics not yet checkpointed), members in the online store, and the freshness p99
 * (a record's ingestion to its member's vector published) over the last interval.
 */
final class LiveStatus implements AutoCloseable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final TesseraNode node;
  private final PrintStream out;
  private final Admin admin;
  private long lastRecords;
  private long lastNanos = System.nanoTime();
  private Histogram lastFreshness = new Histogram(3);

  LiveStatus(TesseraNode node, String bootstrap, PrintStream out) {
    this.node = node;
    this.out = out;
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000));
  }

  void print() {
    IngestMetrics ingest = node.ingestMetrics();
    FeatureMetrics features = node.featureMetrics();
    long now = System.nanoTime();
    long records = ingest.recordsIn();
    double rate = (records - lastRecords) * 1e9 / Math.max(1, now - lastNanos);
    lastRecords = records;
    lastNanos = now;
    Histogram freshness = features.freshnessMicros();
    Histogram interval = freshness.copy();
    interval.subtract(lastFreshness);
    lastFreshness = freshness;
    String freshnessP99 = interval.getTotalCount() == 0 ? "-"
        : String.format("%.0f ms", interval.getValueAtPercentile(99) / 1000.0);
    out.printf("%s  in %,.0f ev/s | dead-lettered %,d | dup dropped %,d | lag %s | members %,d"
            + " | late %,d | freshness p99 %s%n",
        LocalTime.now().format(TIME), rate, ingest.invalid(), ingest.duplicatesDropped(),
        lag(), node.store().size(), features.late(), freshnessP99);
  }

  private String lag() {
    try {
      String group = node.settings().features().consumerGroup();
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : node.settings().ingest().domainTopics().values()) {
        for (int p = 0; p < node.settings().ingest().domainPartitions(); p++) {
          partitions.add(new TopicPartition(topic, p));
        }
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all().get(5, TimeUnit.SECONDS);
      long lag = 0;
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata offset = committed.get(tp);
        lag += Math.max(0, ends.get(tp).offset() - (offset == null ? 0 : offset.offset()));
      }
      return String.format("%,d", lag);
    } catch (Exception e) {
      return "?";
    }
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
