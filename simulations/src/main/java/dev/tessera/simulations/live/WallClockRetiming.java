package dev.tessera.simulations.live;

import dev.tessera.engine.event.Event;
import dev.tessera.simulations.generator.EventJson;
import dev.tessera.simulations.generator.RecordKind;
import dev.tessera.simulations.generator.SimulatedRecord;

/**
 * Moves a simulated stream onto the wall clock for live traffic: the stream's frontier (the largest
 * event time so far) is now, and every record keeps its distance behind the frontier, so records
 * the simulator made late or out of order stay late or out of order. Malformed records pass
 * unchanged. Not thread-safe: one per producing thread.
 */
public final class WallClockRetiming {
  private long frontier = Long.MIN_VALUE;

  /** The record with its event time moved to {@code nowMs} minus its distance behind the frontier. */
  public SimulatedRecord retime(SimulatedRecord record, long nowMs) {
    if (record.kind() == RecordKind.MALFORMED) {
      return record;
    }
    Event event = record.truth().event();
    frontier = Math.max(frontier, event.eventTime());
    long eventTime = Math.max(0, nowMs - (frontier - event.eventTime()));
    Event moved = new Event(event.eventId(), event.memberId(), event.type(), eventTime,
        event.schemaVersion(), event.titleId(), event.watchedSeconds(), event.rating(),
        event.query(), event.bandwidthKbps(), event.latencyMs(), event.resolution());
    return new SimulatedRecord(record.key(), EventJson.write(moved), record.truth());
  }
}
