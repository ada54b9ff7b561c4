package dev.tessera.sharding.ingest;

import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.event.ReasonCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Ingestion counters and the per-event latency histogram (raw record's broker timestamp to the
 * output record handed to the transactional producer). Updated on the stream's thread, read by
 * anyone: counters are {@link LongAdder}s, latency an HdrHistogram {@link Recorder}.
 */
public final class IngestMetrics {
  final LongAdder recordsIn = new LongAdder();
  final LongAdder valid = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder titleMisses = new LongAdder();
  final LongAdder titledEvents = new LongAdder();
  final LongAdder profileMisses = new LongAdder();
  private final Map<ReasonCode, LongAdder> invalidByReason = new EnumMap<>(ReasonCode.class);
  private final Map<EventStream, LongAdder> routed = new EnumMap<>(EventStream.class);
  private final Recorder latencyMicros = new Recorder(3);
  private Histogram latencySoFar = new Histogram(3);

  public IngestMetrics() {
    for (ReasonCode reason : ReasonCode.values()) {
      invalidByReason.put(reason, new LongAdder());
    }
    for (EventStream stream : EventStream.values()) {
      routed.put(stream, new LongAdder());
    }
  }

  void invalid(ReasonCode firstReason) {
    invalidByReason.get(firstReason).increment();
  }

  void routed(EventStream stream) {
    routed.get(stream).increment();
  }

  void latency(long micros) {
    latencyMicros.recordValue(Math.max(0, micros));
  }

  public long recordsIn() {
    return recordsIn.sum();
  }

  public long valid() {
    return valid.sum();
  }

  public long duplicatesDropped() {
    return duplicates.sum();
  }

  /** Invalid records by the reason of their first violation. */
  public Map<ReasonCode, Long> invalidByReason() {
    Map<ReasonCode, Long> counts = new EnumMap<>(ReasonCode.class);
    invalidByReason.forEach((reason, count) -> counts.put(reason, count.sum()));
    return counts;
  }

  public long invalid() {
    return invalidByReason.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public Map<EventStream, Long> routed() {
    Map<EventStream, Long> counts = new EnumMap<>(EventStream.class);
    routed.forEach((stream, count) -> counts.put(stream, count.sum()));
    return counts;
  }

  /** Events naming a title the catalogue did not know. */
  public long titleMisses() {
    return titleMisses.sum();
  }

  /** Events from members without a profile. */
  public long profileMisses() {
    return profileMisses.sum();
  }

  /** Share of titled events whose title was in the catalogue (1.0 when there were none). */
  public double titleCoverage() {
    long titled = titledEvents.sum();
    return titled == 0 ? 1.0 : 1.0 - (double) titleMisses.sum() / titled;
  }

  /** Latency in microseconds of every event routed so far (a copy). */
  public synchronized Histogram latencyMicros() {
    latencySoFar.add(latencyMicros.getIntervalHistogram());
    return latencySoFar.copy();
  }
}
