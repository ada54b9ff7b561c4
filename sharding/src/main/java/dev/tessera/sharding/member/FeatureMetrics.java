package dev.tessera.sharding.member;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Feature pipeline counters and freshness (the record's ingestion instant to the member's snapshot
 * published), updated by the pipeline's batches and read by anyone.
 */
public final class FeatureMetrics {
  final LongAdder records = new LongAdder();
  final LongAdder accepted = new LongAdder();
  final LongAdder late = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder alreadyApplied = new LongAdder();
  final LongAdder undecodable = new LongAdder();
  final LongAdder batches = new LongAdder();
  final LongAdder memberMessages = new LongAdder();
  final LongAdder checkpoints = new LongAdder();
  final LongAdder checkpointFailures = new LongAdder();
  final LongAdder checkpointWrites = new LongAdder();
  final LongAdder checkpointBytes = new LongAdder();
  private final Recorder checkpointMicros = new Recorder(3);
  private final Histogram checkpointSoFar = new Histogram(3);
  private final Recorder freshnessMicros = new Recorder(3);
  private final Histogram freshnessSoFar = new Histogram(3);

  void freshness(long micros) {
    freshnessMicros.recordValue(Math.max(0, micros));
  }

  void checkpointMicros(long micros) {
    checkpointMicros.recordValue(Math.max(0, micros));
  }

  /** Group states written by checkpoints (a row each). */
  public long checkpointWrites() {
    return checkpointWrites.sum();
  }

  /** Bytes of the group states written by checkpoints. */
  public long checkpointBytes() {
    return checkpointBytes.sum();
  }

  /** Partition checkpoints completed (members durable, offsets committed). */
  public long checkpoints() {
    return checkpoints.sum();
  }

  public long checkpointFailures() {
    return checkpointFailures.sum();
  }

  /** Checkpoint durations in microseconds so far (a copy). */
  public synchronized Histogram checkpointMicros() {
    checkpointSoFar.add(checkpointMicros.getIntervalHistogram());
    return checkpointSoFar.copy();
  }

  public long records() {
    return records.sum();
  }

  public long accepted() {
    return accepted.sum();
  }

  public long late() {
    return late.sum();
  }

  public long duplicates() {
    return duplicates.sum();
  }

  public long alreadyApplied() {
    return alreadyApplied.sum();
  }

  /** Domain records that were not enriched events (never written by ingestion; counted, skipped). */
  public long undecodable() {
    return undecodable.sum();
  }

  public long batches() {
    return batches.sum();
  }

  /** Messages sent to member entities: one per member per batch. */
  public long memberMessages() {
    return memberMessages.sum();
  }

  /** Freshness in microseconds of every batch so far (a copy). */
  public synchronized Histogram freshnessMicros() {
    freshnessSoFar.add(freshnessMicros.getIntervalHistogram());
    return freshnessSoFar.copy();
  }
}
