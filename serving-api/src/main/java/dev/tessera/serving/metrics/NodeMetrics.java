package dev.tessera.serving.metrics;

import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.ReasonCode;
import dev.tessera.sharding.ingest.IngestMetrics;
import dev.tessera.sharding.member.FeatureMetrics;
import dev.tessera.sharding.store.SnapshotTable;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.SummaryWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import java.util.Map;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Exposes the node's ingestion, member-actor and store metrics to Prometheus. The pipelines keep
 * their own lock-free counters; these collectors read them at scrape time, so the hot paths pay
 * nothing for being observed.
 */
public final class NodeMetrics {
  private NodeMetrics() {}

  public static void registerIngest(PrometheusRegistry registry, IngestMetrics ingest) {
    counter(registry, "tessera_ingest_records", "raw records read by ingestion",
        ingest::recordsIn);
    counter(registry, "tessera_ingest_valid", "raw records that passed validation",
        ingest::valid);
    counter(registry, "tessera_ingest_duplicates_dropped",
        "raw records dropped as duplicates of an event id", ingest::duplicatesDropped);
    CounterWithCallback.builder()
        .name("tessera_ingest_dead_letters")
        .help("raw records sent to the dead-letter topic, by reason code")
        .labelNames("reason")
        .callback(callback -> {
          for (Map.Entry<ReasonCode, Long> entry : ingest.invalidByReason().entrySet()) {
            callback.call(entry.getValue(), entry.getKey().name());
          }
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("tessera_ingest_routed")
        .help("enriched events written to a domain topic, by stream")
        .labelNames("stream")
        .callback(callback -> {
          for (Map.Entry<EventStream, Long> entry : ingest.routed().entrySet()) {
            callback.call(entry.getValue(), entry.getKey().wireName());
          }
        })
        .register(registry);
    counter(registry, "tessera_ingest_title_misses",
        "events whose title is not in the catalogue", ingest::titleMisses);
    summary(registry, "tessera_ingest_latency_seconds",
        "raw record's broker timestamp to its domain record written", ingest::latencyMicros);
  }

  public static void registerFeatures(PrometheusRegistry registry, FeatureMetrics features) {
    counter(registry, "tessera_features_records", "domain records read by the feature pipeline",
        features::records);
    counter(registry, "tessera_features_accepted", "events aggregated by member entities",
        features::accepted);
    counter(registry, "tessera_features_late",
        "events past the allowed lateness, routed to the late-events topic", features::late);
    counter(registry, "tessera_features_duplicates", "events dropped by the kernel's dedup",
        features::duplicates);
    counter(registry, "tessera_features_already_applied",
        "redelivered records the member's durable state already held", features::alreadyApplied);
    counter(registry, "tessera_features_undecodable", "domain records that were not events",
        features::undecodable);
    counter(registry, "tessera_features_batches", "record batches applied", features::batches);
    counter(registry, "tessera_features_member_messages",
        "messages sent to member entities (one per member per batch)", features::memberMessages);
    counter(registry, "tessera_features_checkpoints", "partition checkpoints completed",
        features::checkpoints);
    counter(registry, "tessera_features_checkpoint_failures", "partition checkpoints failed",
        features::checkpointFailures);
    summary(registry, "tessera_features_freshness_seconds",
        "record's ingestion instant to its member's snapshot published", features::freshnessMicros);
    summary(registry, "tessera_features_checkpoint_duration_seconds",
        "partition checkpoint duration", features::checkpointMicros);
  }

  public static void registerStore(PrometheusRegistry registry, SnapshotTable table) {
    GaugeWithCallback.builder()
        .name("tessera_store_entries")
        .help("(member, group) snapshots held by this node's online store")
        .callback(callback -> callback.call(table.size()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tessera_store_max_entries")
        .help("bound of the online store's entries")
        .callback(callback -> callback.call(table.maxEntries()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tessera_store_bytes")
        .help("approximate heap held by the online store")
        .callback(callback -> callback.call(table.approximateBytes()))
        .register(registry);
  }

  private static void counter(PrometheusRegistry registry, String name, String help,
      Supplier<Long> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.get()))
        .register(registry);
  }

  private static void summary(PrometheusRegistry registry, String name, String help,
      Supplier<Histogram> micros) {
    SummaryWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> {
          Histogram histogram = micros.get();
          long count = histogram.getTotalCount();
          double sumSeconds = count == 0 ? 0 : histogram.getMean() * count / 1e6;
          callback.call(count, sumSeconds, Quantiles.of(
              new Quantile(0.5, histogram.getValueAtPercentile(50) / 1e6),
              new Quantile(0.99, histogram.getValueAtPercentile(99) / 1e6),
              new Quantile(0.999, histogram.getValueAtPercentile(99.9) / 1e6)));
        })
        .register(registry);
  }
}
