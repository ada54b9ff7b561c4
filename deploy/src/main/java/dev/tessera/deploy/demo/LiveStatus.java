package dev.tessera.deploy.demo;

import dev.tessera.deploy.cluster.ConsumerLag;
import dev.tessera.deploy.node.TesseraNode;
import dev.tessera.sharding.ingest.IngestMetrics;
import dev.tessera.sharding.member.FeatureMetrics;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import org.HdrHistogram.Histogram;

/**
 * The demo's one-line status: raw events in per second, the feature consumer group's lag (records
 * of the domain topics not yet checkpointed), members in the online store, and the freshness p99
 * (a record's ingestion to its member's vector published) over the last interval.
 */
final class LiveStatus implements AutoCloseable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final TesseraNode node;
  private final PrintStream out;
  private final ConsumerLag lag;
  private long lastRecords;
  private long lastNanos = System.nanoTime();
  private Histogram lastFreshness = new Histogram(3);

  LiveStatus(TesseraNode node, String bootstrap, PrintStream out) {
    this.node = node;
    this.out = out;
    this.lag = new ConsumerLag(bootstrap);
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
      return String.format("%,d", lag.lag(node.settings().features().consumerGroup(),
          node.settings().ingest().domainTopics().values(),
          node.settings().ingest().domainPartitions()));
    } catch (Exception e) {
      return "?";
    }
  }

  @Override
  public void close() {
    lag.close();
  }
}
